//! Every route of the API with what it takes and answers: one [`Operation`] each, in the order
//! docs/api.md tells them. A route's problems are `ApiError` values, so each problem's status,
//! `type`, headers and example come from the answer the functions write for it.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, Parameter, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::request_body::{RequestBody, RequestBodyBuilder};
use utoipa::openapi::schema::{AllOfBuilder, Object, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{
    ContentBuilder, Header, HeaderBuilder, Ref, Required, Response, ResponseBuilder,
};

use invitations::app::GoneReason;
use invitations::http::problem::ApiError;
use invitations::http::validation::{FieldError, parse_json_object};
use invitations::http::{MAX_BATCH_BODY_BYTES, MAX_BODY_BYTES, schemas};
use recruiter_api::requests::MAX_PAGE_SIZE;

use crate::RECRUITER_JWT;
use crate::examples;

/// One route: a method on a path, as API Gateway's route key names it (`POST /invitations`).
pub struct Operation {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The path with its parameters in braces, as in infra/template.yaml.
    pub path: &'static str,
    /// Callable without a recruiter's token (the candidate's routes, this document).
    pub public: bool,
    id: &'static str,
    tag: &'static str,
    summary: &'static str,
    description: &'static str,
    parameters: Vec<Parameter>,
    body: Option<RequestBody>,
    /// What a body may weigh (the 413's limit).
    body_limit: usize,
    answers: Vec<(u16, Response)>,
    problems: Vec<ApiError>,
}

impl Operation {
    fn new(method: &'static str, path: &'static str, id: &'static str, tag: &'static str) -> Self {
        Self {
            method,
            path,
            public: false,
            id,
            tag,
            summary: "",
            description: "",
            parameters: Vec::new(),
            body: None,
            body_limit: MAX_BODY_BYTES,
            answers: Vec::new(),
            problems: vec![
                ApiError::Unauthorized,
                ApiError::Internal,
                ApiError::Unavailable,
            ],
        }
    }

    /// A body limit other than [`MAX_BODY_BYTES`]; before the body.
    fn body_limit(mut self, limit: usize) -> Self {
        self.body_limit = limit;
        self
    }

    /// A candidate's route (or this document's): no token, and no 401.
    fn public(mut self) -> Self {
        self.public = true;
        self.problems
            .retain(|problem| !matches!(problem, ApiError::Unauthorized));
        self
    }

    /// A static answer, which fails only as the platform does.
    fn without_problems(mut self) -> Self {
        self.problems.clear();
        self
    }

    fn summary(mut self, summary: &'static str, description: &'static str) -> Self {
        self.summary = summary;
        self.description = description;
        self
    }

    fn parameter(mut self, parameter: Parameter) -> Self {
        self.parameters.push(parameter);
        self
    }

    /// A path parameter naming one of the organization's records (`example`, an id of the
    /// examples): a malformed one is a 404, as another organization's is.
    fn id(self, what: &str, example: &str) -> Self {
        let parameter = path_parameter("id", &format!("The {what}'s id (a ULID)."), example);
        self.parameter(parameter).problem(ApiError::NotFound)
    }

    /// A JSON body of the `schema` component, with its example, and the problems of reading it.
    fn body(self, schema: &str, example: Value, required: bool) -> Self {
        let content = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(schema)))
            .example(Some(example));
        self.body_content(content, required)
    }

    /// A JSON body of the `schema` component with named examples (its alternative forms).
    fn body_examples(self, schema: &str, examples: &[(&str, &Value)], required: bool) -> Self {
        let content = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(schema)))
            .examples_from_iter(examples.iter().map(|(name, value)| {
                (
                    *name,
                    ExampleBuilder::new().value(Some((*value).clone())).build(),
                )
            }));
        self.body_content(content, required)
    }

    fn body_content(mut self, content: ContentBuilder, required: bool) -> Self {
        self.body = Some(
            RequestBodyBuilder::new()
                .content("application/json", content.build())
                .required(Some(if required {
                    Required::True
                } else {
                    Required::False
                }))
                .build(),
        );
        let malformed = parse_json_object(b"{\"firstName\": \"Anna\",}")
            .expect_err("a trailing comma is not JSON");
        let limit = self.body_limit;
        self.problem(ApiError::UnsupportedMediaType)
            .problem(ApiError::PayloadTooLarge { limit })
            .problem(ApiError::MalformedJson(malformed))
    }

    /// A `POST` whose retries under the same `Idempotency-Key` get its first answer again.
    fn keyed(self) -> Self {
        self.parameter(
            ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "Makes retries safe: a retry with the same key and body within 24 hours gets \
                     the first answer again (with `Idempotent-Replayed: true`) and changes nothing; \
                     the same key with another body is a 422, and while the first request runs, a \
                     409. Use a new UUID for each new request.",
                ))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1))
                        .max_length(Some(255))
                        .pattern(Some("^[!-~]+$"))
                        .examples(["9f8b2c4e-1d3a-4e5f-8a6b-7c9d0e1f2a3b"]),
                ))
                .build(),
        )
        .problem(ApiError::Validation(vec![FieldError::header(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters, such as a UUID",
        )]))
        .problem(ApiError::IdempotencyKeyInUse)
        .problem(ApiError::IdempotencyKeyReused)
        // The key's saved answer was about an invitation erased since (any keyed route's).
        .problem(ApiError::IdempotencyKeyErased)
    }

    fn answer(mut self, status: u16, response: Response) -> Self {
        self.answers.push((status, response));
        self
    }

    fn problem(mut self, problem: ApiError) -> Self {
        self.problems.push(problem);
        self
    }

    /// The OpenAPI path item of this one operation (merged with its path's others).
    pub fn path_item(&self) -> PathItem {
        let method = match self.method {
            "GET" => HttpMethod::Get,
            "POST" => HttpMethod::Post,
            "PUT" => HttpMethod::Put,
            "DELETE" => HttpMethod::Delete,
            other => unreachable!("no route uses {other}"),
        };
        let mut operation = OperationBuilder::new()
            .operation_id(Some(self.id))
            .tag(self.tag)
            .summary(Some(self.summary))
            .description(Some(self.description))
            .parameters(Some(self.parameters.clone()))
            .request_body(self.body.clone());
        if !self.public {
            operation =
                operation.security(SecurityRequirement::new::<_, _, &str>(RECRUITER_JWT, []));
        }
        for (status, response) in &self.answers {
            operation = operation.response(status.to_string(), response.clone());
        }
        for (status, response) in problem_responses(&self.problems, !self.public) {
            operation = operation.response(status.to_string(), response);
        }
        PathItem::new(method, operation.build())
    }
}

/// The problems of one operation as responses, a response per status: its `type`s, an example
/// of each (the body `ApiError` writes), and the headers every one of them carries.
fn problem_responses(problems: &[ApiError], behind_authorizer: bool) -> BTreeMap<u16, Response> {
    let mut by_status: BTreeMap<u16, Vec<&ApiError>> = BTreeMap::new();
    for problem in problems {
        let same_status = by_status.entry(problem.status().as_u16()).or_default();
        // One entry per type: a header's 422 and a body's are both `/problems/validation`, and
        // the later (the body's, more telling) is the example.
        match same_status
            .iter()
            .position(|known| known.kind() == problem.kind())
        {
            Some(at) => same_status[at] = problem,
            None => same_status.push(problem),
        }
    }
    by_status
        .into_iter()
        .map(|(status, problems)| {
            let answers: Vec<_> = problems
                .iter()
                .map(|problem| problem_answer(problem))
                .collect();
            let types: Vec<&str> = problems.iter().map(|problem| problem.kind().0).collect();
            let titles: Vec<&str> = problems.iter().map(|problem| problem.kind().1).collect();
            let schema = AllOfBuilder::new()
                .item(Ref::from_schema_name("Problem"))
                .item(
                    ObjectBuilder::new().property(
                        "type",
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .enum_values(Some(types.clone())),
                    ),
                );
            let content = ContentBuilder::new()
                .schema(Some(schema))
                .examples_from_iter(answers.iter().map(|(kind, body, _)| {
                    (
                        kind.trim_start_matches("/problems/").to_owned(),
                        ExampleBuilder::new().value(Some(body.clone())).build(),
                    )
                }))
                .build();
            let mut response = ResponseBuilder::new()
                .description(titles.join("; "))
                .content("application/problem+json", content);
            for name in ["Retry-After", "Allow", "Location"] {
                let carried = answers
                    .iter()
                    .filter(|(_, _, headers)| headers.contains(&name))
                    .count();
                if carried > 0 {
                    response = response.header(name, header(name, carried == answers.len()));
                }
            }
            if status == 401 && behind_authorizer {
                // API Gateway's own answer to a missing, expired or badly signed token.
                response = response.content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(
                            ObjectBuilder::new()
                                .property("message", Object::with_type(Type::String))
                                .required("message"),
                        ))
                        .example(Some(json!({"message": "Unauthorized"})))
                        .build(),
                );
            }
            (status, response.build())
        })
        .collect()
}

/// The problem's `type`, its body as the functions write it, and the names of its headers.
fn problem_answer(problem: &ApiError) -> (&'static str, Value, Vec<&'static str>) {
    let kind = problem.kind().0;
    let response = problem.clone().into_response();
    let headers = ["Retry-After", "Allow", "Location"]
        .into_iter()
        .filter(|name| response.headers().contains_key(*name))
        .collect();
    let body = match response.body() {
        lambda_http::Body::Text(text) => serde_json::from_str(text).expect("problems are JSON"),
        _ => unreachable!("problems are text"),
    };
    (kind, body, headers)
}

/// A response header: what it says, and whether every answer of its status carries it.
fn header(name: &str, always: bool) -> Header {
    let (schema, description): (Object, &str) = match name {
        "Location" => (
            uri_reference(),
            "Where the created or named resource is, relative to the request's URL (RFC 9110 §10.2.2).",
        ),
        "Retry-After" => (
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[0-9]+$"))
                .build(),
            "Seconds to wait before retrying (RFC 9110 §10.2.3).",
        ),
        "Allow" => (
            Object::with_type(Type::String),
            "The methods the resource allows.",
        ),
        "ETag" => (
            Object::with_type(Type::String),
            "The profile's entity tag, for `If-Match` on the next `PUT` (RFC 9110 §8.8.3).",
        ),
        "Idempotent-Replayed" => (
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["true"]))
                .build(),
            "`true` on an answer given again to a retry under the same `Idempotency-Key`.",
        ),
        other => unreachable!("no header {other} is documented"),
    };
    let mut header = HeaderBuilder::new()
        .schema(Some(schema))
        .description(Some(description));
    if always {
        // utoipa's Header has no `required`; `document_json` turns this into it.
        header = header.extensions(Some(ExtensionsBuilder::new().add(REQUIRED, true).build()));
    }
    header.build()
}

const REQUIRED: &str = "x-required";

/// The document's JSON with every header's `"x-required": true` made OpenAPI's
/// `"required": true` (the key is this module's alone: nothing else writes it).
pub(crate) fn with_required_headers(json: &str) -> String {
    json.replace(&format!("\"{REQUIRED}\": true"), "\"required\": true")
}

fn uri_reference() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::Custom("uri-reference".to_owned())))
        .build()
}

/// A path parameter with an `example` value (which clients such as schemathesis call with).
fn path_parameter(name: &str, description: &str, example: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(Object::with_type(Type::String)))
        .example(Some(json!(example)))
        .build()
}

fn query_parameter(name: &str, required: bool, description: &str, schema: Object) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(if required {
            Required::True
        } else {
            Required::False
        })
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

fn header_parameter(name: &str, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(Object::with_type(Type::String)))
        .build()
}

/// The parameters of a listing's page.
fn paging(operation: Operation) -> Operation {
    operation
        .parameter(query_parameter(
            "limit",
            false,
            "Items on the page (default 25).",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .maximum(Some(MAX_PAGE_SIZE as u64))
                .build(),
        ))
        .parameter(query_parameter(
            "cursor",
            false,
            "The `nextCursor` of the previous page.",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .build(),
        ))
}

/// A JSON answer of the `schema` component with an example, and its headers.
fn json(description: &str, schema: &str, example: Value, headers: &[(&str, bool)]) -> Response {
    let mut response = ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(schema)))
            .example(Some(example))
            .build(),
    );
    for (name, always) in headers {
        response = response.header(*name, header(name, *always));
    }
    response.build()
}

/// The headers of an invitation's answer to a `POST`: where it is, and whether it is a replay.
const INVITATION_HEADERS: &[(&str, bool)] = &[("Location", true), ("Idempotent-Replayed", false)];
const REPLAYABLE: &[(&str, bool)] = &[("Idempotent-Replayed", false)];

/// Every route, in the order docs/api.md tells them.
pub fn operations() -> Vec<Operation> {
    let examples = examples::Examples::new();
    let invitation = || examples.invitation.clone();
    // A refused send names the stored invitation, relative to the request's URL.
    let send_failed = |location: String| ApiError::SendFailed {
        invitation_id: examples.invitation_id.clone(),
        location,
    };
    vec![
        Operation::new("GET", "/organization", "getOrganizationProfile", "organization")
            .summary(
                "The organization's profile",
                "The employer every email of the organization names. 404 until the first `PUT`.",
            )
            .answer(
                200,
                json(
                    "The profile, with its `ETag`.",
                    "OrganizationProfile",
                    examples.profile.clone(),
                    &[("ETag", true)],
                ),
            )
            .problem(ApiError::NotFound),
        Operation::new("PUT", "/organization", "saveOrganizationProfile", "organization")
            .summary(
                "Save the organization's profile",
                "Replaces the profile whole. `If-Match` with the `ETag` read saves only over that \
                 version, `If-Match: *` only over some profile, `If-None-Match: *` only when there \
                 is none (else 412).",
            )
            .parameter(header_parameter(
                "If-Match",
                "`*` or the `ETag` of the profile read: save only over it.",
            ))
            .parameter(header_parameter(
                "If-None-Match",
                "`*`: save only when there is no profile yet.",
            ))
            .body("OrganizationProfileForm", examples.profile_form.clone(), true)
            .answer(
                200,
                json(
                    "The profile replaced the organization's earlier one.",
                    "OrganizationProfile",
                    examples.profile.clone(),
                    &[("ETag", true)],
                ),
            )
            .answer(
                201,
                json(
                    "The organization's first profile.",
                    "OrganizationProfile",
                    examples.profile.clone(),
                    &[("ETag", true), ("Location", true)],
                ),
            )
            .problem(examples.invalid_profile())
            .problem(ApiError::PreconditionFailed),
        Operation::new("POST", "/video-interviews", "createVideoInterview", "video-interviews")
            .summary(
                "Create a video interview",
                "A title and up to 30 questions, which every invitation to it asks.",
            )
            .keyed()
            .body("NewVideoInterview", examples.new_video_interview.clone(), true)
            .answer(
                201,
                json(
                    "Created.",
                    "VideoInterview",
                    examples.video_interview.clone(),
                    &[("Location", true), ("Idempotent-Replayed", false)],
                ),
            )
            .problem(examples.invalid_video_interview()),
        paging(
            Operation::new("GET", "/video-interviews", "listVideoInterviews", "video-interviews")
                .summary(
                    "List video interviews",
                    "The organization's video interviews, newest first, without their questions.",
                ),
        )
        .answer(
            200,
            json(
                "A page.",
                "VideoInterviewPage",
                examples.video_interview_page.clone(),
                &[],
            ),
        )
        .problem(examples.invalid_paging()),
        Operation::new("GET", "/video-interviews/{id}", "getVideoInterview", "video-interviews")
            .summary("A video interview", "With its questions.")
            .id("video interview", examples::VIDEO_INTERVIEW_ID)
            .answer(
                200,
                json(
                    "The video interview.",
                    "VideoInterview",
                    examples.video_interview.clone(),
                    &[],
                ),
            ),
        Operation::new("POST", "/invitations", "sendInvitation", "invitations")
            .summary(
                "Send an invitation",
                "Stores the invitation and emails the candidate their personal link (with a copy \
                 to the recruiter when `bccMyself`). 201 when the email service accepted the \
                 email; 202 when it did not confirm it (status `send_unconfirmed`: the email may \
                 be out, and delivery events will tell); 502 when it refused it (the invitation \
                 is stored with status `send_failed`, named in the problem).",
            )
            .keyed()
            .body("NewInvitation", examples.new_invitation.clone(), true)
            .answer(
                201,
                json("Sent.", "Invitation", invitation(), INVITATION_HEADERS),
            )
            .answer(
                202,
                json(
                    "Stored; the email service did not confirm the email.",
                    "Invitation",
                    examples.unconfirmed_invitation.clone(),
                    INVITATION_HEADERS,
                ),
            )
            .problem(examples.invalid_invitation())
            .problem(ApiError::NotFound)
            .problem(ApiError::EmailNotVerified)
            .problem(ApiError::QuotaExhausted {
                retry_after_seconds: 50_400,
            })
            .problem(send_failed(format!("invitations/{}", examples.invitation_id))),
        paging(
            Operation::new("GET", "/invitations", "listInvitations", "invitations").summary(
                "List invitations",
                "The organization's invitations, newest first, each with its status as it is \
                 now (`expired` once an unfinished one's deadline day is over).",
            ),
        )
        .parameter(query_parameter(
            "status",
            false,
            "Only invitations with this status.",
            schemas::invitation_status(),
        ))
        .parameter(query_parameter(
            "videoInterviewId",
            false,
            "Only invitations to this video interview.",
            Object::with_type(Type::String),
        ))
        .answer(
            200,
            json("A page.", "InvitationPage", examples.invitation_page.clone(), &[]),
        )
        .problem(examples.invalid_listing()),
        Operation::new("GET", "/invitations/{id}", "getInvitation", "invitations")
            .summary("An invitation", "As the list shows it.")
            .id("invitation", examples::INVITATION_ID)
            .answer(200, json("The invitation.", "Invitation", invitation(), &[])),
        Operation::new("DELETE", "/invitations/{id}", "eraseInvitation", "candidate-data")
            .summary(
                "Erase an invitation",
                "Erases the invitation and everything stored of its candidate, after announcing \
                 `CandidateDataErased` (docs/events.md). A 503 erased nothing; repeat it.",
            )
            .id("invitation", examples::INVITATION_ID)
            .answer(
                204,
                ResponseBuilder::new()
                    .description("Erased.")
                    .build(),
            ),
        Operation::new(
            "POST",
            "/invitations/{id}/cancellation",
            "cancelInvitation",
            "invitations",
        )
        .summary(
            "Cancel an invitation",
            "The candidate's link answers 410 from now on. A completed invitation is not \
             cancelled (409).",
        )
        .keyed()
        .id("invitation", examples::INVITATION_ID)
        .answer(
            200,
            json(
                "Cancelled (or already cancelled).",
                "Invitation",
                examples.cancelled_invitation.clone(),
                REPLAYABLE,
            ),
        )
        .problem(ApiError::Conflict(
            "The invitation is completed; it is not cancelled",
        ))
        ,
        Operation::new("POST", "/invitations/{id}/resend", "resendInvitation", "invitations")
            .summary(
                "Send an invitation again",
                "Emails the candidate a new personal link (the earlier ones keep working), to a \
                 corrected `email` if given. Only while unopened and before the deadline, at \
                 most 3 times and 10 minutes apart. 202 and 502 as for a send.",
            )
            .keyed()
            .id("invitation", examples::INVITATION_ID)
            .body("Resend", examples.resend.clone(), false)
            .answer(
                200,
                json("Sent again.", "Invitation", invitation(), INVITATION_HEADERS),
            )
            .answer(
                202,
                json(
                    "The email service did not confirm the email.",
                    "Invitation",
                    examples.unconfirmed_invitation.clone(),
                    INVITATION_HEADERS,
                ),
            )
            .problem(examples.invalid_resend())
            .problem(ApiError::Conflict(
                "The candidate has opened this invitation, or it is completed or cancelled; it is not sent again",
            ))
            .problem(ApiError::SendUnconfirmed)
            .problem(ApiError::DeadlinePassed)
            .problem(ApiError::ResendLimitReached)
            .problem(ApiError::ResendTooSoon {
                retry_after_seconds: 420,
            })
            .problem(ApiError::QuotaExhausted {
                retry_after_seconds: 50_400,
            })
            .problem(send_failed(format!("../../invitations/{}", examples.invitation_id))),
        Operation::new(
            "POST",
            "/invitations/{id}/deadline-extension",
            "extendDeadline",
            "invitations",
        )
        .summary(
            "Move an invitation's deadline later",
            "An unfinished invitation's deadline, even an expired one's (which opens again), at \
             most 5 times; the candidate is told unless `notifyCandidate` is false.",
        )
        .keyed()
        .id("invitation", examples::INVITATION_ID)
        .body("DeadlineExtension", examples.deadline_extension.clone(), true)
        .answer(
            200,
            json(
                "The deadline moved.",
                "Invitation",
                examples.extended_invitation.clone(),
                REPLAYABLE,
            ),
        )
        .problem(examples.invalid_extension())
        .problem(ApiError::Conflict(
            "The invitation is completed or cancelled; its deadline is not moved",
        ))
        ,
        Operation::new(
            "POST",
            "/invitation-batches",
            "sendInvitationBatch",
            "invitation-batches",
        )
        .summary(
            "Send invitations in a batch",
            "Invites up to 1,000 candidates to one video interview with one deadline, given as \
             `candidates` or as a spreadsheet's CSV (`candidatesCsv`). Each row gets a verdict: \
             `accepted` (its invitation is `queued`, then sent at the deployment's sending rate), \
             `invalid` (its `errors`), `duplicate` (of an earlier row with the same address) or \
             `already_invited` (the candidate holds an active invitation to the interview). \
             Nothing is stored on a 422 (a body that is no batch, every bad field named) or a 429 \
             (fewer emails left today than rows accepted). `Location` names the batch, whose \
             `GET` tells what became of each email.",
        )
        .keyed()
        .body_limit(MAX_BATCH_BODY_BYTES)
        .body_examples(
            "NewInvitationBatch",
            &[
                ("candidates", &examples.new_batch),
                ("candidatesCsv", &examples.new_batch_csv),
            ],
            true,
        )
        .answer(
            202,
            json(
                "Accepted: every row's verdict; the accepted rows' emails are `pending`.",
                "InvitationBatch",
                examples.accepted_batch.clone(),
                &[("Location", true), ("Idempotent-Replayed", false)],
            ),
        )
        .problem(examples.invalid_batch())
        .problem(ApiError::NotFound)
        .problem(ApiError::EmailNotVerified)
        .problem(ApiError::QuotaExhausted {
            retry_after_seconds: 50_400,
        })
        .problem(ApiError::BatchIncomplete {
            location: format!("invitation-batches/{}", examples::BATCH_ID),
        }),
        paging(
            Operation::new(
                "GET",
                "/invitation-batches",
                "listInvitationBatches",
                "invitation-batches",
            )
            .summary(
                "List invitation batches",
                "The organization's batches, newest first, with their counts of verdicts but not \
                 their rows.",
            ),
        )
        .answer(
            200,
            json(
                "A page.",
                "InvitationBatchPage",
                examples.batch_page.clone(),
                &[],
            ),
        )
        .problem(examples.invalid_paging()),
        Operation::new(
            "GET",
            "/invitation-batches/{id}",
            "getInvitationBatch",
            "invitation-batches",
        )
        .summary(
            "An invitation batch",
            "Every row with its verdict, and what became of each accepted row's email, read from \
             its invitation now (`sending` counts them).",
        )
        .id("invitation batch", examples::BATCH_ID)
        .answer(
            200,
            json("The batch.", "InvitationBatch", examples.batch.clone(), &[]),
        ),
        Operation::new("POST", "/candidate-erasures", "eraseCandidate", "candidate-data")
            .summary(
                "Erase a candidate's data",
                "Erases every invitation of the organization to this address (in any letter \
                 case), after announcing `CandidateDataErased`. A repeat erases nothing more.",
            )
            .keyed()
            .body("CandidateErasure", examples.candidate_erasure.clone(), true)
            .answer(
                200,
                json(
                    "What was erased.",
                    "CandidateErasureResult",
                    examples.erasure.clone(),
                    REPLAYABLE,
                ),
            )
            .problem(examples.invalid_erasure()),
        Operation::new("GET", "/candidate-data", "getCandidateData", "candidate-data")
            .summary(
                "A candidate's data",
                "Everything stored of the organization's invitations to this address, oldest \
                 first, for a candidate's access request.",
            )
            .parameter(
                ParameterBuilder::from(query_parameter(
                    "email",
                    true,
                    "The candidate's address (any letter case).",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1))
                        .build(),
                ))
                .example(Some(json!(examples::CANDIDATE_EMAIL)))
                .build(),
            )
            .answer(
                200,
                json(
                    "The candidate's data.",
                    "CandidateData",
                    examples.candidate_data.clone(),
                    &[],
                ),
            )
            .problem(examples.invalid_candidate_data()),
        Operation::new(
            "POST",
            "/webhook-subscriptions",
            "subscribeWebhooks",
            "webhooks",
        )
        .summary(
            "Subscribe an endpoint to webhooks",
            "Webhooks of the chosen event types go to `url`, signed after the Standard Webhooks \
             specification with the `secret` in the answer: shown this once, it is not kept \
             (rotate it if it is lost). At most 10 subscriptions per organization. No \
             `Idempotency-Key`: its saved answer would keep the secret.",
        )
        .body(
            "NewWebhookSubscription",
            examples.new_webhook_subscription.clone(),
            true,
        )
        .answer(
            201,
            json(
                "Subscribed; the secret is shown this once.",
                "WebhookSubscriptionWithSecret",
                examples.subscribed.clone(),
                &[("Location", true)],
            ),
        )
        .problem(examples.invalid_webhook_subscription())
        .problem(ApiError::Conflict(recruiter_api::WEBHOOK_LIMIT_REACHED)),
        Operation::new(
            "GET",
            "/webhook-subscriptions",
            "listWebhookSubscriptions",
            "webhooks",
        )
        .summary(
            "List webhook subscriptions",
            "Every subscription of the organization, oldest first, without secrets.",
        )
        .answer(
            200,
            json(
                "The subscriptions.",
                "WebhookSubscriptionList",
                examples.webhook_subscriptions.clone(),
                &[],
            ),
        ),
        Operation::new(
            "GET",
            "/webhook-subscriptions/{id}",
            "getWebhookSubscription",
            "webhooks",
        )
        .summary(
            "A webhook subscription",
            "Without its secret; `status` tells whether deliveries were stopped, and why.",
        )
        .id("webhook subscription", examples::WEBHOOK_SUBSCRIPTION_ID)
        .answer(
            200,
            json(
                "The subscription.",
                "WebhookSubscription",
                examples.webhook_subscription.clone(),
                &[],
            ),
        ),
        Operation::new(
            "DELETE",
            "/webhook-subscriptions/{id}",
            "deleteWebhookSubscription",
            "webhooks",
        )
        .summary(
            "Delete a webhook subscription",
            "No webhook is sent to it from now on; a retry already under way may still arrive.",
        )
        .id("webhook subscription", examples::WEBHOOK_SUBSCRIPTION_ID)
        .answer(
            204,
            ResponseBuilder::new().description("Deleted.").build(),
        ),
        Operation::new(
            "POST",
            "/webhook-subscriptions/{id}/secret-rotation",
            "rotateWebhookSecret",
            "webhooks",
        )
        .summary(
            "Rotate a subscription's secret",
            "A new secret, shown this once. The previous one keeps signing for `overlapHours` \
             (default 24, at most 168): meanwhile each webhook carries both signatures, so the \
             receiver can switch without losing any. No `Idempotency-Key`: its saved answer \
             would keep the secret.",
        )
        .id("webhook subscription", examples::WEBHOOK_SUBSCRIPTION_ID)
        .body("SecretRotation", examples.secret_rotation.clone(), false)
        .answer(
            200,
            json(
                "Rotated; the new secret is shown this once.",
                "WebhookSubscriptionWithSecret",
                examples.rotated.clone(),
                &[],
            ),
        )
        .problem(examples.invalid_secret_rotation())
        .problem(ApiError::Conflict(recruiter_api::ROTATED_MEANWHILE)),
        paging(
            Operation::new(
                "GET",
                "/webhook-subscriptions/{id}/deliveries",
                "listWebhookDeliveries",
                "webhooks",
            )
            .summary(
                "A subscription's deliveries",
                "The delivery log: each webhook made for the subscription, newest event first, \
                 with its attempts and the last one's outcome, kept 30 days.",
            )
            .id("webhook subscription", examples::WEBHOOK_SUBSCRIPTION_ID),
        )
        .answer(
            200,
            json(
                "A page.",
                "WebhookDeliveryPage",
                examples.deliveries.clone(),
                &[],
            ),
        )
        .problem(examples.invalid_paging()),
        Operation::new(
            "POST",
            "/webhook-subscriptions/{id}/deliveries/{deliveryId}/redelivery",
            "redeliverWebhook",
            "webhooks",
        )
        .summary(
            "Send a webhook again",
            "One more attempt of a delivery that succeeded or failed, with the same `webhook-id` \
             (a receiver that drops duplicates by it drops this one too). Its failure is not \
             retried and does not disable the subscription, but a 410 does. 409 while the \
             delivery is pending (unless 15 minutes past its due time), and for a disabled \
             subscription.",
        )
        .keyed()
        .id("webhook subscription", examples::WEBHOOK_SUBSCRIPTION_ID)
        .parameter(path_parameter(
            "deliveryId",
            "The delivery's id.",
            &examples::webhook_delivery_id(&examples),
        ))
        .answer(
            202,
            json(
                "Accepted: the delivery is pending its attempt.",
                "WebhookDelivery",
                examples.redelivered.clone(),
                REPLAYABLE,
            ),
        )
        .problem(ApiError::Conflict(recruiter_api::DELIVERY_UNDER_WAY))
        .problem(ApiError::Conflict(recruiter_api::SUBSCRIPTION_DISABLED)),
        Operation::new(
            "GET",
            "/candidate/invitations/{token}",
            "openInvitation",
            "candidate",
        )
        .public()
        .summary(
            "Open an invitation (the interview app)",
            "What the interview app shows the candidate. The first call records `opened`. 404 for \
             an unknown token (nothing more is said, so tokens cannot be probed); 410 once the \
             deadline has passed or the invitation was cancelled.",
        )
        .parameter(token())
        .answer(
            200,
            json(
                "The invitation.",
                "CandidateInvitation",
                examples.candidate_invitation.clone(),
                &[],
            ),
        )
        .problem(ApiError::NotFound)
        .problem(ApiError::Gone(GoneReason::Expired))
        .problem(ApiError::Gone(GoneReason::Cancelled)),
        Operation::new(
            "POST",
            "/candidate/invitations/{token}/completion",
            "completeInvitation",
            "candidate",
        )
        .public()
        .summary(
            "Complete an invitation (the interview app)",
            "The candidate has submitted their answers. Repeating it is harmless. A 503 \
             `completion-not-announced` stored the completion; repeat it to finish.",
        )
        .parameter(token())
        .answer(
            200,
            json(
                "Completed.",
                "CandidateInvitation",
                examples.completed_candidate_invitation.clone(),
                &[],
            ),
        )
        .problem(ApiError::NotFound)
        .problem(ApiError::Gone(GoneReason::Expired))
        .problem(ApiError::Gone(GoneReason::Cancelled))
        .problem(ApiError::CompletionNotAnnounced),
        Operation::new("GET", "/openapi.json", "getOpenApiDocument", "contract")
            .public()
            .without_problems()
            .summary("This document", "The API's OpenAPI 3.1 contract.")
            .answer(
                200,
                ResponseBuilder::new()
                    .description("The OpenAPI document.")
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Object::with_type(Type::Object)))
                            .build(),
                    )
                    .build(),
            ),
    ]
}

/// The candidate's personal token, from the link in their email.
fn token() -> Parameter {
    path_parameter(
        "token",
        "The personal token of the candidate's link (unguessable; only its hash is stored).",
        examples::CANDIDATE_TOKEN,
    )
}
