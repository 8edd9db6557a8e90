//! The document's examples, made by the code they illustrate: each request example is read by the
//! recruiter API's own parser, each answer is a view of the records those requests make (the
//! domain's fixtures, with fixed ids and instants), and each 422 is what the parser says of a
//! faulty body. So an example cannot show a shape the API does not have.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};

use candidate_api::CandidateInvitationView;
use invitations::app::webhooks::Subscribed;
use invitations::domain::webhook_delivery::{AttemptOutcome, WebhookDelivery};
use invitations::domain::webhooks::{
    SigningSecret, TargetRule, WebhookEvent, WebhookKey, WebhookSubscription,
};
use invitations::domain::{
    BatchRow, FollowUp, FollowUpKind, FollowUpOutcome, IanaTimeZone, Invitation, InvitationBatch,
    InvitationId, InvitationStatus, OrganizationProfile, RecruiterId, RetentionPeriod, RowOutcome,
    RowProblem, RowVerdict, SendOutcome, VideoInterview, fixtures,
};
use invitations::http::problem::ApiError;
use invitations::http::validation::{FieldError, FieldErrors};
use invitations::ports::{Page, PageCursor};
use recruiter_api::requests::webhooks::{parse_new_webhook_subscription, parse_secret_rotation};
use recruiter_api::requests::{
    NewInvitationBatch, candidate_data_request, invitation_listing, parse_candidate_erasure,
    parse_deadline_extension, parse_new_invitation, parse_new_invitation_batch,
    parse_new_video_interview, parse_organization_profile, parse_resend, video_interview_listing,
};
use recruiter_api::views::{
    CandidateDataView, ErasureView, InvitationBatchSummaryView, InvitationBatchView,
    InvitationView, ListView, OrganizationProfileView, VideoInterviewSummaryView,
    VideoInterviewView, WebhookDeliveryView, WebhookSubscriptionListView,
    WebhookSubscriptionSecretView, WebhookSubscriptionView,
};

/// The example invitation's id.
pub const INVITATION_ID: &str = "01KAWXK4D2T6Y9B3C5E7G8H1J2";
/// The example video interview's id.
pub const VIDEO_INTERVIEW_ID: &str = "01KAWXJ0V8G5Q8ZK3N2M4P6R7S";
/// The example candidate's address, as an access request may give it.
pub const CANDIDATE_EMAIL: &str = "Anna.Virtanen@example.fi";
/// The example invitation batch's id.
pub const BATCH_ID: &str = "01KAWY3H8R2C6V9N4D7F1G5J0K";
/// The invitations of the example batch's accepted rows, in row order.
const BATCH_INVITATION_IDS: [&str; 2] =
    ["01KAWY3H8S0A1B2C3D4E5F6G7H", "01KAWY3H8S0A1B2C3D4E5F6G7J"];
/// A candidate token of the right shape (70 base64url characters) that no invitation has.
pub const CANDIDATE_TOKEN: &str =
    "CzBVep_E6Q4zWH2ix-wRNluApcrvFDleg6jN8hc8YYar0PUaP2SJrtP4HUJnjLHW-yBFag";
/// The example webhook delivery's id (derived from its event, as the dispatcher derives it).
pub fn webhook_delivery_id(examples: &Examples) -> String {
    examples.deliveries["items"][0]["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

/// The example webhook subscription's id.
pub const WEBHOOK_SUBSCRIPTION_ID: &str = "01KAWZ8M3Q6T9W2Y5A8C1E4G7J";
/// The deadline the request examples ask for: within a year of when the document was written.
const ANSWER_DEADLINE: &str = "2027-03-31";

/// Every example of the document.
pub struct Examples {
    pub invitation_id: String,
    pub profile_form: Value,
    pub profile: Value,
    pub new_video_interview: Value,
    pub video_interview: Value,
    pub video_interview_page: Value,
    pub new_invitation: Value,
    pub invitation: Value,
    pub unconfirmed_invitation: Value,
    pub cancelled_invitation: Value,
    pub extended_invitation: Value,
    pub invitation_page: Value,
    pub resend: Value,
    pub deadline_extension: Value,
    pub candidate_erasure: Value,
    pub erasure: Value,
    pub candidate_data: Value,
    pub candidate_invitation: Value,
    pub completed_candidate_invitation: Value,
    /// `POST /invitation-batches`' bodies: the candidates as JSON, and as a spreadsheet's CSV.
    pub new_batch: Value,
    pub new_batch_csv: Value,
    /// The CSV batch as accepted (every accepted row `pending`), and as read later.
    pub accepted_batch: Value,
    pub batch: Value,
    pub batch_page: Value,
    /// `POST /webhook-subscriptions`' body, and its answer with the secret.
    pub new_webhook_subscription: Value,
    pub subscribed: Value,
    /// The subscription as read, and listed.
    pub webhook_subscription: Value,
    pub webhook_subscriptions: Value,
    /// `POST /webhook-subscriptions/{id}/secret-rotation`'s body, and its answer.
    pub secret_rotation: Value,
    pub rotated: Value,
    /// A page of the subscription's deliveries, and one redelivered.
    pub deliveries: Value,
    pub redelivered: Value,
}

/// When the example records were made (the fixtures' instant).
fn now() -> Timestamp {
    fixtures::now()
}

fn later(seconds: i64) -> Timestamp {
    now() + SignedDuration::from_secs(seconds)
}

fn object(value: &Value) -> Map<String, Value> {
    value.as_object().expect("examples are objects").clone()
}

fn view(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).expect("views serialize")
}

fn helsinki() -> IanaTimeZone {
    IanaTimeZone::parse("Europe/Helsinki").expect("a zone")
}

impl Examples {
    pub fn new() -> Self {
        let recruiter = fixtures::recruiter();
        let profile_form = json!({
            "displayName": "Acme Oy",
            "logoUrl": "https://acme.example/logo.png",
            "accentColor": "#0B5FFF",
            "careersSiteUrl": "https://acme.example/careers",
            "privacyNoticeUrl": "https://acme.example/privacy"
        });
        let profile = OrganizationProfile {
            organization_id: recruiter.organization_id.clone(),
            form: parse_organization_profile(object(&profile_form)).expect("the example parses"),
            updated_by: recruiter.id.clone(),
            updated_at: now(),
        };

        let new_video_interview = json!({
            "title": "Sales Lead, Helsinki",
            "questions": [
                {"text": "Why do you want to work with us?", "thinkTimeSeconds": 30, "answerTimeSeconds": 120},
                {"text": "Tell us about a deal you lost, and what you learned.", "answerTimeSeconds": 180}
            ]
        });
        let new =
            parse_new_video_interview(object(&new_video_interview)).expect("the example parses");
        let interview = VideoInterview {
            id: VIDEO_INTERVIEW_ID.parse().expect("an id"),
            organization_id: recruiter.organization_id.clone(),
            title: new.title,
            questions: new.questions,
            created_by: RecruiterId::parse("user-1").expect("an id"),
            created_at: now(),
        };

        let new_invitation = json!({
            "firstName": "Anna",
            "lastName": "Virtanen",
            "email": "anna.virtanen@example.fi",
            "language": "fi",
            "videoInterviewId": VIDEO_INTERVIEW_ID,
            "answerDeadline": ANSWER_DEADLINE,
            "timeZone": "Europe/Helsinki",
            "bccMyself": true,
            "notifyMe": true
        });
        let parsed = parse_new_invitation(object(&new_invitation), &helsinki(), now())
            .expect("the example parses");
        let mut sent = Invitation::new(parsed, &interview, &recruiter, &Default::default(), now());
        sent.id = INVITATION_ID.parse().expect("an id");
        sent.status = InvitationStatus::Sent;
        sent.sent_at = Some(later(1));
        sent.email_message_ids =
            vec!["0102019c2f3a4b5c-6d7e8f90-1a2b-3c4d-5e6f-7a8b9c0d1e2f-000000".to_owned()];
        let mut delivered = sent.clone();
        delivered.delivered_at = Some(later(4));

        let mut unconfirmed = sent.clone();
        unconfirmed.status = InvitationStatus::SendUnconfirmed;
        unconfirmed.sent_at = None;
        unconfirmed.send_failure =
            Some("The email service did not answer in time; the email may be out.".to_owned());
        unconfirmed.email_message_ids.clear();

        let mut cancelled = delivered.clone();
        cancelled.status = InvitationStatus::Cancelled;

        let deadline_extension = json!({
            "answerDeadline": "2027-04-15",
            "notifyCandidate": true
        });
        let extension =
            parse_deadline_extension(object(&deadline_extension)).expect("the example parses");
        let mut extended = delivered.clone();
        extended.deadline = invitations::domain::AnswerDeadline::new(
            extension.date,
            extended.deadline.time_zone().clone(),
        )
        .expect("a deadline");
        extended.deadline_extension_count = 1;
        extended.deadline_extended_at = Some(later(3_600));
        extended.last_follow_up = Some(FollowUp {
            kind: FollowUpKind::DeadlineExtension,
            at: later(3_601),
            outcome: FollowUpOutcome::Sent {
                message_id: "0102019c2f3a4b5c-6d7e8f90-1a2b-3c4d-5e6f-7a8b9c0d1e2f-000001"
                    .to_owned(),
            },
        });

        let mut completed = delivered.clone();
        completed.status = InvitationStatus::Completed;
        completed.opened_at = Some(later(7_200));
        completed.completed_at = Some(later(9_000));

        let invitations = Page {
            items: vec![delivered.clone()],
            next: Some(PageCursor::after(INVITATION_ID)),
        };
        let invitation_page = view(ListView::new(&invitations, |invitation| {
            InvitationView::at(invitation, now())
        }));
        let interviews = Page {
            items: vec![interview.clone()],
            next: None,
        };
        let interview_page = view(ListView::new(&interviews, VideoInterviewSummaryView::from));
        let ids: Vec<InvitationId> = vec![sent.id];

        // A batch to the same video interview, a few minutes later, that names Anna again.
        let new_batch = json!({
            "videoInterviewId": VIDEO_INTERVIEW_ID,
            "answerDeadline": ANSWER_DEADLINE,
            "timeZone": "Europe/Helsinki",
            "language": "fi",
            "bccMyself": true,
            "notifyMe": true,
            "candidates": [
                {"firstName": "Aino", "lastName": "Lahti", "email": "aino.lahti@example.fi"},
                {"firstName": "Åsa", "lastName": "Öberg", "email": "asa.oberg@example.se", "language": "sv"}
            ]
        });
        parse_new_invitation_batch(object(&new_batch), &helsinki(), later(600))
            .expect("the example parses");
        let new_batch_csv = json!({
            "videoInterviewId": VIDEO_INTERVIEW_ID,
            "answerDeadline": ANSWER_DEADLINE,
            "language": "fi",
            "bccMyself": true,
            "notifyMe": true,
            "candidatesCsv": "First name;Last name;E-mail;Language\r\n\
                              Aino;Lahti;aino.lahti@example.fi;\r\n\
                              Eino;Leino;eino.leino(at)example.fi;de\r\n\
                              AINO;LAHTI;Aino.Lahti@example.fi;\r\n\
                              Anna;Virtanen;anna.virtanen@example.fi;\r\n\
                              Åsa;Öberg;asa.oberg@example.se;sv\r\n"
        });
        let batch = accepted_batch(
            &new_batch_csv,
            &interview,
            &recruiter.id,
            sent.id,
            later(600),
        );
        let pending: HashMap<InvitationId, SendOutcome> = batch
            .invitation_ids()
            .map(|id| (id, SendOutcome::Pending))
            .collect();
        // Read later: the first accepted row's email went out, the other's was refused.
        let read_later: HashMap<InvitationId, SendOutcome> = batch
            .invitation_ids()
            .zip([InvitationStatus::Sent, InvitationStatus::SendFailed])
            .map(|(id, status)| (id, SendOutcome::of(Some(status))))
            .collect();
        // A listing reads each batch's summary, not its rows.
        let batches = Page {
            items: vec![InvitationBatch {
                rows: Vec::new(),
                ..batch.clone()
            }],
            next: None,
        };

        let new_webhook_subscription = json!({
            "url": "https://ats.example/hooks/video-interviews",
            "eventTypes": ["invitation.sent", "invitation.bounced", "invitation.completed"],
            "description": "Our ATS, production"
        });
        let form = parse_new_webhook_subscription(
            object(&new_webhook_subscription),
            TargetRule::default(),
        )
        .expect("the example parses");
        let mut subscription = WebhookSubscription::new(
            recruiter.organization_id.clone(),
            form.url,
            form.event_types,
            form.description,
            later(86_400),
        );
        subscription.id = WEBHOOK_SUBSCRIPTION_ID.parse().expect("an id");
        // Not the deployment's key: the example's secret is no one's.
        let key =
            WebhookKey::new("the contract's example webhook key, no deployment's").expect("a key");
        let with_secret = |subscription: &WebhookSubscription, at| {
            let subscribed = Subscribed {
                subscription: subscription.clone(),
                secret: SigningSecret::derive(
                    &key,
                    subscription.id,
                    subscription.secret_generation,
                ),
            };
            view(WebhookSubscriptionSecretView::at(&subscribed, at))
        };
        let subscribed = with_secret(&subscription, later(86_400));
        let secret_rotation = json!({"overlapHours": 48});
        let mut rotated = subscription.clone();
        rotated
            .rotate_secret(
                later(172_800),
                parse_secret_rotation(Some(object(&secret_rotation))).expect("the example parses"),
            )
            .expect("within the most overlap");

        // The invitation's `invitation.sent`, delivered at the second attempt.
        let mut unsent = sent.clone();
        unsent.sent_at = None;
        let event = WebhookEvent::of_change(&unsent, &sent, later(1))
            .pop()
            .expect("a sent event");
        let mut delivery = WebhookDelivery::new(&event, subscription.id, later(2));
        delivery.start_attempt(later(2));
        delivery.finish_attempt(AttemptOutcome::NoAnswer("timeout".to_owned()), later(12));
        delivery.start_attempt(later(17));
        delivery.finish_attempt(AttemptOutcome::Answered(204), later(17));
        let deliveries = view(ListView::new(
            &Page {
                items: vec![delivery.clone()],
                next: None,
            },
            WebhookDeliveryView::from,
        ));
        delivery
            .redeliver(later(86_400))
            .expect("a settled delivery");
        let redelivered = view(WebhookDeliveryView::from(&delivery));

        Self {
            deliveries,
            redelivered,
            webhook_subscription: view(WebhookSubscriptionView::at(&subscription, later(90_000))),
            webhook_subscriptions: view(WebhookSubscriptionListView::at(
                std::slice::from_ref(&subscription),
                later(90_000),
            )),
            rotated: with_secret(&rotated, later(172_800)),
            subscribed,
            new_webhook_subscription,
            secret_rotation,
            invitation_id: INVITATION_ID.to_owned(),
            profile: view(OrganizationProfileView::from(&profile)),
            profile_form,
            video_interview: view(VideoInterviewView::from(&interview)),
            video_interview_page: interview_page,
            new_video_interview,
            invitation: view(InvitationView::at(&sent, now())),
            unconfirmed_invitation: view(InvitationView::at(&unconfirmed, now())),
            cancelled_invitation: view(InvitationView::at(&cancelled, later(60))),
            extended_invitation: view(InvitationView::at(&extended, later(3_601))),
            invitation_page,
            new_invitation,
            resend: json!({"email": "anna.virtanen@example.com"}),
            deadline_extension,
            candidate_erasure: json!({"email": CANDIDATE_EMAIL}),
            erasure: view(ErasureView::from(ids.as_slice())),
            candidate_data: view(CandidateDataView::at(
                std::slice::from_ref(&completed),
                later(9_000),
            )),
            candidate_invitation: view(CandidateInvitationView::from(&delivered)),
            completed_candidate_invitation: view(CandidateInvitationView::from(&completed)),
            accepted_batch: view(InvitationBatchView::new(&batch, &pending)),
            batch: view(InvitationBatchView::new(&batch, &read_later)),
            batch_page: view(ListView::new(&batches, InvitationBatchSummaryView::from)),
            new_batch,
            new_batch_csv,
        }
    }

    /// What the parser says of a profile without a name, with an `http` logo.
    pub fn invalid_profile(&self) -> ApiError {
        invalid(parse_organization_profile(object(&json!({
            "displayName": " ",
            "logoUrl": "http://acme.example/logo.png",
            "privacyNoticeUrl": "https://acme.example/privacy"
        }))))
    }

    pub fn invalid_video_interview(&self) -> ApiError {
        invalid(parse_new_video_interview(object(&json!({
            "title": "Sales Lead",
            "questions": [{"text": "Why us?", "answerTimeSeconds": 5}]
        }))))
    }

    pub fn invalid_invitation(&self) -> ApiError {
        invalid(parse_new_invitation(
            object(&json!({
                "firstName": "",
                "lastName": "Virtanen",
                "email": "Anna <anna@example.fi>",
                "language": "de",
                "videoInterviewId": VIDEO_INTERVIEW_ID,
                "answerDeadline": "2027-02-30",
                "notifyme": true
            })),
            &helsinki(),
            now(),
        ))
    }

    /// What the parser says of a batch in an unsupported language whose CSV's header row names
    /// no candidates' columns: refused whole.
    pub fn invalid_batch(&self) -> ApiError {
        invalid(parse_new_invitation_batch(
            object(&json!({
                "videoInterviewId": VIDEO_INTERVIEW_ID,
                "answerDeadline": ANSWER_DEADLINE,
                "language": "de",
                "candidatesCsv": "Name,Email\nAnna Virtanen,anna.virtanen@example.fi\n"
            })),
            &helsinki(),
            now(),
        ))
    }

    pub fn invalid_resend(&self) -> ApiError {
        invalid(parse_resend(Some(object(
            &json!({"acceptDuplicate": "yes"}),
        ))))
    }

    pub fn invalid_extension(&self) -> ApiError {
        invalid(parse_deadline_extension(object(
            &json!({"answerDeadline": "next week"}),
        )))
    }

    pub fn invalid_erasure(&self) -> ApiError {
        invalid(parse_candidate_erasure(object(&json!({"email": "anna"}))))
    }

    pub fn invalid_candidate_data(&self) -> ApiError {
        invalid(candidate_data_request(
            HashMap::new(),
            FieldErrors::default(),
        ))
    }

    /// What the parser says of a subscription to a private address, with an unknown event type.
    pub fn invalid_webhook_subscription(&self) -> ApiError {
        invalid(parse_new_webhook_subscription(
            object(&json!({
                "url": "https://10.0.0.8/hooks",
                "eventTypes": ["invitation.sent", "invitation.finished"]
            })),
            TargetRule::default(),
        ))
    }

    pub fn invalid_secret_rotation(&self) -> ApiError {
        invalid(parse_secret_rotation(Some(object(
            &json!({"overlapHours": 720}),
        ))))
    }

    pub fn invalid_paging(&self) -> ApiError {
        invalid(video_interview_listing(
            HashMap::from([("limit".to_owned(), "500".to_owned())]),
            FieldErrors::default(),
        ))
    }

    pub fn invalid_listing(&self) -> ApiError {
        invalid(invitation_listing(
            HashMap::from([("status".to_owned(), "done".to_owned())]),
            FieldErrors::default(),
            now(),
        ))
    }
}

/// The batch `body` makes at `at`, as `POST /invitation-batches` stores it: the rows as the
/// parser judged them, the one whose candidate holds `held` (an active invitation to `interview`)
/// already invited, each accepted row's invitation one of [`BATCH_INVITATION_IDS`].
fn accepted_batch(
    body: &Value,
    interview: &VideoInterview,
    created_by: &RecruiterId,
    held: InvitationId,
    at: Timestamp,
) -> InvitationBatch {
    let NewInvitationBatch { choices, rows } =
        parse_new_invitation_batch(object(body), &helsinki(), at).expect("the example parses");
    let mut rows = rows.map_invalid(|errors| {
        errors
            .into_iter()
            .map(|error| RowProblem {
                pointer: error.pointer.unwrap_or_default(),
                detail: error.detail,
            })
            .collect::<Vec<_>>()
    });
    let anna = rows
        .accepted()
        .find(|(_, row)| row.candidate.first_name.as_str() == "Anna")
        .map(|(index, _)| index)
        .expect("Anna's row is accepted");
    rows.already_invited(anna, held);
    let counts = rows.counts();
    let mut invitation_ids = BATCH_INVITATION_IDS
        .iter()
        .map(|id| id.parse::<InvitationId>().expect("an id"));
    let rows = rows
        .into_rows()
        .into_iter()
        .map(|(position, verdict)| BatchRow {
            index: position.index,
            line: position.line,
            outcome: match verdict {
                RowVerdict::Accepted(_) => RowOutcome::Accepted {
                    invitation: invitation_ids.next().expect("an id per accepted row"),
                },
                RowVerdict::Invalid(errors) => RowOutcome::Invalid { errors },
                RowVerdict::Duplicate { of } => RowOutcome::Duplicate { of },
                RowVerdict::AlreadyInvited { invitation } => {
                    RowOutcome::AlreadyInvited { invitation }
                }
            },
        })
        .collect();
    assert!(invitation_ids.next().is_none(), "an accepted row per id");
    InvitationBatch {
        id: BATCH_ID.parse().expect("an id"),
        organization_id: interview.organization_id.clone(),
        video_interview_id: interview.id,
        retained_until: RetentionPeriod::default().retained_until(&choices.deadline),
        deadline: choices.deadline,
        created_by: created_by.clone(),
        created_at: at,
        counts,
        rows,
    }
}

/// The 422 of a parser's refusal.
fn invalid<T>(parsed: Result<T, Vec<FieldError>>) -> ApiError {
    match parsed {
        Err(errors) => ApiError::Validation(errors),
        Ok(_) => panic!("the faulty example was accepted"),
    }
}
