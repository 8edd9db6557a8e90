//! The HTTP API's contract: the OpenAPI 3.1 document of the recruiter and candidate APIs
//! (`docs/openapi.json`), assembled here from the types the functions answer with
//! (`recruiter_api::views`, `candidate_api::CandidateInvitationView`, `invitations::http::problem`),
//! the bodies their parsers read (`requests`), and each route's problems, whose examples are the
//! answers `ApiError` itself writes. The candidate API serves the committed document at
//! `GET /openapi.json`; a test fails when it and [`document`] differ.
//!
//! The routes are listed once, in [`operations`], and a test checks them against
//! `infra/template.yaml` and both functions' routers.

mod examples;
mod operations;
pub mod requests;

use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, RefOr, ServerBuilder,
    Tag,
};
use utoipa::{PartialSchema, ToSchema};

pub use operations::{Operation, operations};

/// The security scheme's name: API Gateway's JWT authorizer (`RecruiterJwt` in the template).
pub const RECRUITER_JWT: &str = "recruiterJwt";

/// The document's path in the repository, which `GET /openapi.json` serves.
pub const DOCUMENT_PATH: &str = "docs/openapi.json";

/// The whole contract.
pub fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    for operation in operations() {
        paths = paths.path(operation.path, operation.path_item());
    }
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Video interview invitations")
                .version("1")
                .description(Some(DESCRIPTION))
                .build(),
        )
        .servers(Some([ServerBuilder::new()
            .url("/")
            .description(Some(
                "The API's base URL: the stack's `ApiUrl` output, or the local HTTP API (`scripts/serve`)",
            ))
            .build()]))
        .tags(Some([
            tag("organization", "The employer every email names"),
            tag("video-interviews", "What candidates answer"),
            tag("invitations", "Inviting candidates and following their invitations"),
            tag(
                "invitation-batches",
                "Inviting many candidates at once, from a list or a spreadsheet's CSV",
            ),
            tag(
                "candidate-data",
                "A candidate's data: access and erasure (GDPR articles 15 and 17)",
            ),
            tag(
                "candidate",
                "The interview app's calls, authorized by the personal link's token",
            ),
            tag(
                "webhooks",
                "Signed webhooks to an integrator's endpoint (Standard Webhooks), docs/webhooks.md",
            ),
            tag("contract", "This document"),
        ]))
        .paths(paths.build())
        .components(Some(
            ComponentsBuilder::new()
                .schemas_from_iter(schemas())
                .security_scheme(
                    RECRUITER_JWT,
                    SecurityScheme::Http(
                        HttpBuilder::new()
                            .scheme(HttpAuthScheme::Bearer)
                            .bearer_format("JWT")
                            .description(Some(
                                "An ID token of the stack's user pool (or of `JwtIssuer`), checked by \
                                 API Gateway's JWT authorizer: issuer, audience, expiry. The \
                                 organization is its `custom:organization_id` claim.",
                            ))
                            .build(),
                    ),
                )
                .build(),
        ))
        .build()
}

/// The document as committed: pretty JSON in the order the code declares things, with the
/// headers' `required` that utoipa's `Header` cannot hold (OpenAPI 3.1 §4.8.21 allows it), and a
/// final newline.
pub fn document_json() -> String {
    let text = serde_json::to_string_pretty(&document()).expect("an OpenAPI document serializes");
    let mut text = operations::with_required_headers(&text);
    text.push('\n');
    text
}

/// Every named schema: the answers', the request bodies' and the problem's, each with the schemas
/// it refers to.
fn schemas() -> Vec<(String, RefOr<Schema>)> {
    use candidate_api::CandidateInvitationView;
    use recruiter_api::views::{
        CandidateDataView, ErasureView, InvitationBatchSummaryView, InvitationBatchView,
        InvitationView, OrganizationProfileView, VideoInterviewSummaryView, VideoInterviewView,
        WebhookDeliveryView, WebhookSubscriptionListView, WebhookSubscriptionSecretView,
        WebhookSubscriptionView,
    };
    let mut schemas = Vec::new();
    named::<OrganizationProfileView>(&mut schemas);
    named::<VideoInterviewView>(&mut schemas);
    named::<VideoInterviewSummaryView>(&mut schemas);
    schemas.push((
        "VideoInterviewPage".to_owned(),
        page::<VideoInterviewSummaryView>(),
    ));
    named::<InvitationView>(&mut schemas);
    schemas.push(("InvitationPage".to_owned(), page::<InvitationView>()));
    named::<InvitationBatchView>(&mut schemas);
    named::<InvitationBatchSummaryView>(&mut schemas);
    schemas.push((
        "InvitationBatchPage".to_owned(),
        page::<InvitationBatchSummaryView>(),
    ));
    named::<CandidateDataView>(&mut schemas);
    named::<ErasureView>(&mut schemas);
    named::<CandidateInvitationView>(&mut schemas);
    named::<WebhookSubscriptionView>(&mut schemas);
    named::<WebhookSubscriptionSecretView>(&mut schemas);
    named::<WebhookSubscriptionListView>(&mut schemas);
    named::<WebhookDeliveryView>(&mut schemas);
    schemas.push((
        "WebhookDeliveryPage".to_owned(),
        page::<WebhookDeliveryView>(),
    ));
    named::<invitations::http::problem::Problem>(&mut schemas);
    named::<requests::OrganizationProfileForm>(&mut schemas);
    named::<requests::NewVideoInterview>(&mut schemas);
    named::<requests::NewInvitation>(&mut schemas);
    // Its fields, and which one of its two lists it gives.
    schemas.push((
        requests::NewInvitationBatch::name().into_owned(),
        requests::NewInvitationBatch::exactly_one_list(),
    ));
    // Named on its own: the rows are taken as any value (an invalid one is a row's verdict).
    named::<requests::BatchCandidate>(&mut schemas);
    named::<requests::Resend>(&mut schemas);
    named::<requests::DeadlineExtension>(&mut schemas);
    named::<requests::CandidateErasure>(&mut schemas);
    named::<requests::NewWebhookSubscription>(&mut schemas);
    named::<requests::SecretRotation>(&mut schemas);
    schemas
}

/// `T`'s schema under its name, and the schemas it refers to.
fn named<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) {
    schemas.push((T::name().into_owned(), T::schema()));
    T::schemas(schemas);
}

fn tag(name: &str, description: &str) -> Tag {
    let mut tag = Tag::new(name);
    tag.description = Some(description.to_owned());
    tag
}

/// A page of a listing (`recruiter_api::views::ListView`) of `T`s.
fn page<T: ToSchema>() -> RefOr<Schema> {
    recruiter_api::views::ListView::<T>::schema()
}

const DESCRIPTION: &str = "The invitations service for one-way video interviews: a recruiter \
invites a candidate to answer a video interview before a deadline, follows the invitation, and \
hears back when the candidate completes.\n\n\
The rules (the invitation's lifecycle, idempotency, quotas, retention) are in docs/api.md; this \
document gives the shapes. Every error is `application/problem+json` (RFC 9457) whose `type` is \
one of the `/problems/...` URIs listed with each answer; a `422` names every invalid field in \
`errors`. A `POST` may carry an `Idempotency-Key`: its retries get the first answer again, marked \
`Idempotent-Replayed: true`.";
