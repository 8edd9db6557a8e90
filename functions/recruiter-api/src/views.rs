//! The JSON shapes of the recruiter API (camelCase), built from domain records.

use std::collections::HashMap;

use invitations::app::webhooks::Subscribed;
use invitations::domain::WebhookDescription;
use invitations::domain::webhook_delivery::{AttemptOutcome, WebhookDelivery};
use invitations::domain::webhooks::WebhookSubscription;
use invitations::domain::{
    Bounce, FollowUp, HttpsUrl, Invitation, InvitationBatch, InvitationId, Language,
    OrganizationProfile, RowCounts, RowOutcome, SendOutcome, VideoInterview,
};
use invitations::http::QuestionView;
use invitations::http::validation::FieldError;
use invitations::ports::Page;
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use invitations::http::schemas;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = VideoInterview)]
pub struct VideoInterviewView<'a> {
    #[schema(schema_with = schemas::ulid)]
    id: String,
    title: &'a str,
    questions: Vec<QuestionView<'a>>,
    created_by: &'a str,
    #[schema(format = DateTime)]
    created_at: String,
}

impl<'a> From<&'a VideoInterview> for VideoInterviewView<'a> {
    fn from(interview: &'a VideoInterview) -> Self {
        Self {
            id: interview.id.to_string(),
            title: interview.title.as_str(),
            questions: interview.questions.iter().map(QuestionView::from).collect(),
            created_by: interview.created_by.as_str(),
            created_at: interview.created_at.to_string(),
        }
    }
}

/// A video interview in a list: without its questions (`questionCount` instead), so that a page
/// of the largest interviews stays far below Lambda's 6 MB response limit (a page of 100 with
/// their questions could reach 12 MB). `GET /video-interviews/{id}` has the questions.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = VideoInterviewSummary)]
pub struct VideoInterviewSummaryView<'a> {
    #[schema(schema_with = schemas::ulid)]
    id: String,
    title: &'a str,
    question_count: usize,
    created_by: &'a str,
    #[schema(format = DateTime)]
    created_at: String,
}

impl<'a> From<&'a VideoInterview> for VideoInterviewSummaryView<'a> {
    fn from(interview: &'a VideoInterview) -> Self {
        Self {
            id: interview.id.to_string(),
            title: interview.title.as_str(),
            question_count: interview.questions.len(),
            created_by: interview.created_by.as_str(),
            created_at: interview.created_at.to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = InvitedBy)]
pub struct InvitedByView<'a> {
    id: &'a str,
    email: &'a str,
    #[schema(required = true)]
    name: Option<&'a str>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Invitation)]
pub struct InvitationView<'a> {
    #[schema(schema_with = schemas::ulid)]
    id: String,
    first_name: &'a str,
    last_name: &'a str,
    email: &'a str,
    #[schema(schema_with = schemas::language)]
    language: Language,
    #[schema(schema_with = schemas::ulid)]
    video_interview_id: String,
    video_interview_title: &'a str,
    /// The last day to answer, inclusive, in `timeZone`.
    #[schema(format = Date)]
    answer_deadline: String,
    time_zone: &'a str,
    #[schema(format = DateTime)]
    expires_at: String,
    bcc_myself: bool,
    notify_me: bool,
    reminders: bool,
    #[schema(format = DateTime, required = true)]
    next_reminder_at: Option<String>,
    #[schema(schema_with = schemas::invitation_status)]
    status: invitations::domain::InvitationStatus,
    invited_by: InvitedByView<'a>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime, required = true)]
    sent_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    send_failure: Option<&'a str>,
    #[schema(format = DateTime, required = true)]
    opened_at: Option<String>,
    #[schema(format = DateTime, required = true)]
    completed_at: Option<String>,
    #[schema(format = DateTime, required = true)]
    deadline_extended_at: Option<String>,
    #[schema(required = true)]
    last_follow_up: Option<FollowUpView<'a>>,
    #[schema(format = DateTime, required = true)]
    delivered_at: Option<String>,
    #[schema(required = true)]
    bounce: Option<BounceView<'a>>,
    #[schema(format = DateTime, required = true)]
    complained_at: Option<String>,
    #[schema(format = DateTime, required = true)]
    recruiter_notified_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    recruiter_notice_unconfirmed_at: Option<String>,
    /// The batch it was sent with (`POST /invitation-batches`), if any.
    #[schema(schema_with = schemas::optional_ulid, required = true)]
    batch_id: Option<String>,
}

impl<'a> InvitationView<'a> {
    /// The invitation as it reads at `now`: `expired` once an unfinished one's deadline day is
    /// over.
    pub fn at(invitation: &'a Invitation, now: Timestamp) -> Self {
        let deadline = &invitation.deadline;
        Self {
            id: invitation.id.to_string(),
            first_name: invitation.candidate.first_name.as_str(),
            last_name: invitation.candidate.last_name.as_str(),
            email: invitation.candidate.email.as_str(),
            language: invitation.language,
            video_interview_id: invitation.video_interview_id.to_string(),
            video_interview_title: invitation.video_interview_title.as_str(),
            answer_deadline: deadline.date().to_string(),
            time_zone: deadline.time_zone().name(),
            expires_at: deadline.expires_at().to_string(),
            bcc_myself: invitation.bcc_myself,
            notify_me: invitation.notify_me,
            reminders: invitation.reminders,
            next_reminder_at: invitation.next_reminder.map(|slot| slot.due.to_string()),
            status: invitation.status_at(now),
            invited_by: InvitedByView {
                id: invitation.invited_by.id.as_str(),
                email: invitation.invited_by.email.as_str(),
                name: invitation
                    .invited_by
                    .name
                    .as_ref()
                    .map(|name| name.as_str()),
            },
            created_at: invitation.created_at.to_string(),
            sent_at: invitation.sent_at.map(|at| at.to_string()),
            send_failure: invitation.send_failure.as_deref(),
            opened_at: invitation.opened_at.map(|at| at.to_string()),
            completed_at: invitation.completed_at.map(|at| at.to_string()),
            deadline_extended_at: invitation.deadline_extended_at.map(|at| at.to_string()),
            last_follow_up: invitation.last_follow_up.as_ref().map(FollowUpView::from),
            delivered_at: invitation.delivered_at.map(|at| at.to_string()),
            bounce: invitation.bounce.as_ref().map(BounceView::from),
            complained_at: invitation.complained_at.map(|at| at.to_string()),
            recruiter_notified_at: invitation.recruiter_notified_at.map(|at| at.to_string()),
            recruiter_notice_unconfirmed_at: invitation
                .recruiter_notice_unconfirmed_at
                .map(|at| at.to_string()),
            batch_id: invitation.batch_id.map(|id| id.to_string()),
        }
    }
}

/// How many of a batch's rows had each verdict when it was accepted.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = InvitationBatchCounts)]
pub struct RowCountsView {
    rows: usize,
    accepted: usize,
    invalid: usize,
    duplicate: usize,
    already_invited: usize,
}

impl From<&RowCounts> for RowCountsView {
    fn from(counts: &RowCounts) -> Self {
        Self {
            rows: counts.accepted + counts.invalid + counts.duplicate + counts.already_invited,
            accepted: counts.accepted,
            invalid: counts.invalid,
            duplicate: counts.duplicate,
            already_invited: counts.already_invited,
        }
    }
}

/// What became of the accepted rows' emails, as their invitations read now.
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
#[schema(as = InvitationBatchSending)]
pub struct SendCountsView {
    /// Waiting for their turn at the deployment's sending rate, or being sent.
    pending: usize,
    sent: usize,
    /// Nothing went out; the recruiter may send them again (`POST /invitations/{id}/resend`).
    failed: usize,
    /// They may have gone out; SES's events will tell.
    unconfirmed: usize,
    cancelled: usize,
    /// Not there: erased on the candidate's request, past their retention time, or never stored
    /// (the batch's request failed half-way).
    missing: usize,
}

/// One row of a batch: where it was, its verdict, and for an accepted row its invitation and what
/// became of its email.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = InvitationBatchRow)]
pub struct BatchRowView {
    /// Its position among the candidates, from 0.
    index: usize,
    /// For CSV, the line its record starts on (the header is line 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    /// `accepted` (invited), `invalid` (see `errors`), `duplicate` (of the row `duplicateOf`) or
    /// `already_invited` (the candidate holds the active invitation `invitationId`).
    #[schema(pattern = "^(accepted|invalid|duplicate|already_invited)$")]
    verdict: &'static str,
    /// The invitation the row made (accepted) or found (already invited).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = schemas::ulid)]
    invitation_id: Option<String>,
    /// An accepted row's email: `pending`, `sent`, `failed`, `unconfirmed`, `cancelled` or
    /// `missing`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^(pending|sent|failed|unconfirmed|cancelled|missing)$")]
    outcome: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duplicate_of: Option<usize>,
    /// What is wrong with an invalid row, as for a single invitation, the JSON Pointers relative
    /// to the row (`/email`; `""` for the row itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<Vec<FieldError>>,
}

/// An invitation batch: its choices, its counts and every row.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = InvitationBatch)]
pub struct InvitationBatchView<'a> {
    #[schema(schema_with = schemas::ulid)]
    id: String,
    #[schema(schema_with = schemas::ulid)]
    video_interview_id: String,
    #[schema(format = Date)]
    answer_deadline: String,
    time_zone: &'a str,
    created_by: &'a str,
    #[schema(format = DateTime)]
    created_at: String,
    counts: RowCountsView,
    sending: SendCountsView,
    rows: Vec<BatchRowView>,
}

impl<'a> InvitationBatchView<'a> {
    /// The batch with each accepted row's outcome read from `outcomes` (by invitation; one not
    /// there is `missing`).
    pub fn new(batch: &'a InvitationBatch, outcomes: &HashMap<InvitationId, SendOutcome>) -> Self {
        let mut sending = SendCountsView::default();
        let rows = batch
            .rows
            .iter()
            .map(|row| {
                let mut view = BatchRowView {
                    index: row.index,
                    line: row.line,
                    verdict: "accepted",
                    invitation_id: None,
                    outcome: None,
                    duplicate_of: None,
                    errors: None,
                };
                match &row.outcome {
                    RowOutcome::Accepted { invitation } => {
                        let outcome = outcomes
                            .get(invitation)
                            .copied()
                            .unwrap_or(SendOutcome::Missing);
                        *match outcome {
                            SendOutcome::Pending => &mut sending.pending,
                            SendOutcome::Sent => &mut sending.sent,
                            SendOutcome::Failed => &mut sending.failed,
                            SendOutcome::Unconfirmed => &mut sending.unconfirmed,
                            SendOutcome::Cancelled => &mut sending.cancelled,
                            SendOutcome::Missing => &mut sending.missing,
                        } += 1;
                        view.invitation_id = Some(invitation.to_string());
                        view.outcome = Some(outcome.code());
                    }
                    RowOutcome::Invalid { errors } => {
                        view.verdict = "invalid";
                        view.errors = Some(
                            errors
                                .iter()
                                .map(|problem| FieldError::body(&problem.pointer, &problem.detail))
                                .collect(),
                        );
                    }
                    RowOutcome::Duplicate { of } => {
                        view.verdict = "duplicate";
                        view.duplicate_of = Some(*of);
                    }
                    RowOutcome::AlreadyInvited { invitation } => {
                        view.verdict = "already_invited";
                        view.invitation_id = Some(invitation.to_string());
                    }
                }
                view
            })
            .collect();
        Self {
            id: batch.id.to_string(),
            video_interview_id: batch.video_interview_id.to_string(),
            answer_deadline: batch.deadline.date().to_string(),
            time_zone: batch.deadline.time_zone().name(),
            created_by: batch.created_by.as_str(),
            created_at: batch.created_at.to_string(),
            counts: RowCountsView::from(&batch.counts),
            sending,
            rows,
        }
    }
}

/// A batch in a list: its counts of verdicts, not its rows (`GET /invitation-batches/{id}` has
/// them, and what became of each email).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = InvitationBatchSummary)]
pub struct InvitationBatchSummaryView<'a> {
    #[schema(schema_with = schemas::ulid)]
    id: String,
    #[schema(schema_with = schemas::ulid)]
    video_interview_id: String,
    #[schema(format = Date)]
    answer_deadline: String,
    time_zone: &'a str,
    created_by: &'a str,
    #[schema(format = DateTime)]
    created_at: String,
    counts: RowCountsView,
}

impl<'a> From<&'a InvitationBatch> for InvitationBatchSummaryView<'a> {
    fn from(batch: &'a InvitationBatch) -> Self {
        Self {
            id: batch.id.to_string(),
            video_interview_id: batch.video_interview_id.to_string(),
            answer_deadline: batch.deadline.date().to_string(),
            time_zone: batch.deadline.time_zone().name(),
            created_by: batch.created_by.as_str(),
            created_at: batch.created_at.to_string(),
            counts: RowCountsView::from(&batch.counts),
        }
    }
}

/// `POST /candidate-erasures`' answer: how many invitations were erased, and which.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CandidateErasureResult)]
pub struct ErasureView {
    erased: usize,
    #[schema(schema_with = erased_ids)]
    invitation_ids: Vec<String>,
}

/// The erased invitations' ids: ULIDs.
fn erased_ids() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::Array::new(schemas::ulid())
}

impl From<&[InvitationId]> for ErasureView {
    fn from(ids: &[InvitationId]) -> Self {
        Self {
            erased: ids.len(),
            invitation_ids: ids.iter().map(ToString::to_string).collect(),
        }
    }
}

/// `GET /candidate-data`' answer (GDPR article 15): every invitation held for the address, with
/// everything stored of it, oldest first.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CandidateData)]
pub struct CandidateDataView<'a> {
    invitations: Vec<HeldInvitationView<'a>>,
}

impl<'a> CandidateDataView<'a> {
    pub fn at(invitations: &'a [Invitation], now: Timestamp) -> Self {
        Self {
            invitations: invitations
                .iter()
                .map(|invitation| HeldInvitationView::at(invitation, now))
                .collect(),
        }
    }
}

/// One invitation as an access request shows it: the recruiter's view, and what else is stored
/// (the questions asked, the counts, the SES ids of the emails, until when it is kept), with its
/// history as events in time order. The hashes of the candidate's links are credentials, not data
/// about them, and are left out.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = HeldInvitation)]
pub struct HeldInvitationView<'a> {
    #[serde(flatten)]
    invitation: InvitationView<'a>,
    questions: Vec<QuestionView<'a>>,
    resend_count: u32,
    deadline_extension_count: u32,
    email_message_ids: &'a [String],
    #[schema(format = DateTime)]
    retained_until: String,
    history: Vec<HistoryEventView>,
}

/// One thing that happened to the invitation, and when.
#[derive(Serialize, ToSchema)]
#[schema(as = HistoryEvent)]
pub struct HistoryEventView {
    event: &'static str,
    #[schema(format = DateTime)]
    at: String,
}

impl<'a> HeldInvitationView<'a> {
    fn at(invitation: &'a Invitation, now: Timestamp) -> Self {
        let bounce = invitation.bounce.as_ref();
        let mut history: Vec<(&'static str, Timestamp)> = [
            ("invited", Some(invitation.created_at)),
            ("sent", invitation.sent_at),
            ("delivered", invitation.delivered_at),
            ("bounced", bounce.map(|bounce| bounce.at)),
            ("complained", invitation.complained_at),
            ("resent", invitation.last_resent_at),
            ("deadline_extended", invitation.deadline_extended_at),
            (
                "follow_up_sent",
                invitation
                    .last_follow_up
                    .as_ref()
                    .map(|follow_up| follow_up.at),
            ),
            ("opened", invitation.opened_at),
            ("completed", invitation.completed_at),
            ("recruiter_notified", invitation.recruiter_notified_at),
        ]
        .into_iter()
        .filter_map(|(event, at)| Some((event, at?)))
        .collect();
        history.sort_by_key(|(_, at)| *at);
        Self {
            invitation: InvitationView::at(invitation, now),
            questions: invitation
                .questions
                .iter()
                .map(QuestionView::from)
                .collect(),
            resend_count: invitation.resend_count,
            deadline_extension_count: invitation.deadline_extension_count,
            email_message_ids: &invitation.email_message_ids,
            retained_until: invitation.retained_until.to_string(),
            history: history
                .into_iter()
                .map(|(event, at)| HistoryEventView {
                    event,
                    at: at.to_string(),
                })
                .collect(),
        }
    }
}

/// Why the candidate's address bounced (status `bounced`): SES's type, the receiving server's
/// words, and when the recruiter was told.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Bounce)]
pub struct BounceView<'a> {
    #[schema(format = DateTime)]
    at: String,
    #[serde(rename = "type")]
    bounce_type: &'a str,
    #[schema(required = true)]
    diagnostic: Option<&'a str>,
    #[schema(format = DateTime, required = true)]
    recruiter_notified_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    recruiter_notice_unconfirmed_at: Option<String>,
}

impl<'a> From<&'a Bounce> for BounceView<'a> {
    fn from(bounce: &'a Bounce) -> Self {
        Self {
            at: bounce.at.to_string(),
            bounce_type: &bounce.bounce_type,
            diagnostic: bounce.diagnostic.as_deref(),
            recruiter_notified_at: bounce.recruiter_notified_at.map(|at| at.to_string()),
            recruiter_notice_unconfirmed_at: bounce
                .recruiter_notice_unconfirmed_at
                .map(|at| at.to_string()),
        }
    }
}

/// The last follow-up email to the candidate (an extension notice, a reminder) and how it went:
/// `status` is `sent`, `send_failed` or `send_unconfirmed`, `failure` says why it did not go out.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = FollowUp)]
pub struct FollowUpView<'a> {
    kind: &'static str,
    #[schema(format = DateTime)]
    at: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure: Option<&'a str>,
}

impl<'a> From<&'a FollowUp> for FollowUpView<'a> {
    fn from(follow_up: &'a FollowUp) -> Self {
        Self {
            kind: follow_up.kind.code(),
            at: follow_up.at.to_string(),
            status: follow_up.outcome.code(),
            failure: follow_up.outcome.reason(),
        }
    }
}

/// The organization profile (`GET/PUT /organization`): absent optional fields are `null`, so that
/// the view can be sent back as the next `PUT`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OrganizationProfile)]
pub struct OrganizationProfileView<'a> {
    organization_id: &'a str,
    display_name: &'a str,
    #[schema(required = true)]
    logo_url: Option<&'a str>,
    #[schema(required = true)]
    accent_color: Option<String>,
    #[schema(required = true)]
    careers_site_url: Option<&'a str>,
    privacy_notice_url: &'a str,
    updated_by: &'a str,
    #[schema(format = DateTime)]
    updated_at: String,
}

impl<'a> From<&'a OrganizationProfile> for OrganizationProfileView<'a> {
    fn from(profile: &'a OrganizationProfile) -> Self {
        let form = &profile.form;
        Self {
            organization_id: profile.organization_id.as_str(),
            display_name: form.display_name.as_str(),
            logo_url: form.logo_url.as_ref().map(HttpsUrl::as_str),
            accent_color: form.accent_color.map(|color| color.to_string()),
            careers_site_url: form.careers_site_url.as_ref().map(HttpsUrl::as_str),
            privacy_notice_url: form.privacy_notice_url.as_str(),
            updated_by: profile.updated_by.as_str(),
            updated_at: profile.updated_at.to_string(),
        }
    }
}

/// A webhook subscription (`/webhook-subscriptions`), without its secret.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = WebhookSubscription)]
pub struct WebhookSubscriptionView<'a> {
    #[schema(schema_with = schemas::ulid)]
    id: String,
    /// Where its webhooks go.
    url: &'a str,
    /// The event types it is sent, by code (`invitation.completed`, ...).
    event_types: Vec<&'static str>,
    #[schema(required = true)]
    description: Option<&'a str>,
    #[schema(format = DateTime)]
    created_at: String,
    /// `enabled`, or `disabled` (deliveries stopped: after a `410 Gone`, or when every retry of
    /// a webhook failed).
    #[schema(pattern = "^(enabled|disabled)$")]
    status: &'static str,
    /// Why it was disabled: `gone` (the endpoint answered 410) or `persistent_failure`.
    #[schema(required = true, pattern = "^(gone|persistent_failure)$")]
    disabled_because: Option<&'static str>,
    #[schema(required = true, format = DateTime)]
    disabled_at: Option<String>,
    /// Until when the secret before the last rotation signs too (each webhook then carries both
    /// signatures); `null` when only the current one signs.
    #[schema(required = true, format = DateTime)]
    previous_secret_valid_until: Option<String>,
}

impl<'a> WebhookSubscriptionView<'a> {
    /// The subscription as it stands at `now` (an overlap that ended is not shown).
    pub fn at(subscription: &'a WebhookSubscription, now: jiff::Timestamp) -> Self {
        let disabled = subscription.disabled.as_ref();
        Self {
            id: subscription.id.to_string(),
            url: subscription.url.as_str(),
            event_types: subscription
                .event_types
                .iter()
                .map(|kind| kind.code())
                .collect(),
            description: subscription
                .description
                .as_ref()
                .map(WebhookDescription::as_str),
            created_at: subscription.created_at.to_string(),
            status: if disabled.is_some() {
                "disabled"
            } else {
                "enabled"
            },
            disabled_because: disabled.map(|(_, because)| because.code()),
            disabled_at: disabled.map(|(at, _)| at.to_string()),
            previous_secret_valid_until: subscription
                .previous_secret_until
                .filter(|until| now < *until)
                .map(|until| until.to_string()),
        }
    }
}

/// A subscription with its current signing secret (`whsec_` and 32 bytes in base64), the answer to
/// subscribing and to a rotation: the only time the secret is shown, as it is not stored.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = WebhookSubscriptionWithSecret)]
pub struct WebhookSubscriptionSecretView<'a> {
    #[serde(flatten)]
    subscription: WebhookSubscriptionView<'a>,
    /// The signing secret, shown only in this answer: keep it where your receiver reads it.
    #[schema(pattern = "^whsec_[A-Za-z0-9+/]{43}=$")]
    secret: String,
}

impl<'a> WebhookSubscriptionSecretView<'a> {
    pub fn at(subscribed: &'a Subscribed, now: jiff::Timestamp) -> Self {
        Self {
            subscription: WebhookSubscriptionView::at(&subscribed.subscription, now),
            secret: subscribed.secret.expose(),
        }
    }
}

/// Every subscription of the organization (at most 10, so not paged).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = WebhookSubscriptionList)]
pub struct WebhookSubscriptionListView<'a> {
    items: Vec<WebhookSubscriptionView<'a>>,
}

impl<'a> WebhookSubscriptionListView<'a> {
    pub fn at(subscriptions: &'a [WebhookSubscription], now: jiff::Timestamp) -> Self {
        Self {
            items: subscriptions
                .iter()
                .map(|subscription| WebhookSubscriptionView::at(subscription, now))
                .collect(),
        }
    }
}

/// One webhook's delivery to a subscription, as its log shows it
/// (`GET /webhook-subscriptions/{id}/deliveries`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = WebhookDelivery)]
pub struct WebhookDeliveryView<'a> {
    #[schema(schema_with = schemas::ulid)]
    id: String,
    /// The `webhook-id` header: the same on every attempt and redelivery.
    message_id: &'a str,
    event_type: &'static str,
    /// `pending` (its next attempt at `nextAttemptAt`), `succeeded` or `failed`.
    #[schema(pattern = "^(pending|succeeded|failed)$")]
    status: &'static str,
    /// Attempts made, redeliveries included.
    attempts: u32,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(required = true, format = DateTime)]
    next_attempt_at: Option<String>,
    #[schema(required = true, format = DateTime)]
    last_attempt_at: Option<String>,
    /// The HTTP status the endpoint answered the last attempt with; `null` without an answer.
    #[schema(required = true)]
    last_response_status: Option<u16>,
    /// Why the last attempt got no answer (`timeout`, `connection failed`, `target refused: ...`).
    #[schema(required = true)]
    last_error: Option<&'a str>,
    /// The body sent, as the endpoint got it.
    #[schema(value_type = Object)]
    payload: serde_json::Value,
}

impl<'a> From<&'a WebhookDelivery> for WebhookDeliveryView<'a> {
    fn from(delivery: &'a WebhookDelivery) -> Self {
        let last = delivery.last_attempt.as_ref();
        let outcome = last.map(|last| &last.outcome);
        Self {
            id: delivery.id.to_string(),
            message_id: &delivery.message_id,
            event_type: delivery.kind.code(),
            status: delivery.status.code(),
            attempts: delivery.attempts,
            created_at: delivery.created_at.to_string(),
            next_attempt_at: delivery.next_attempt_at.map(|at| at.to_string()),
            last_attempt_at: last.map(|last| last.at.to_string()),
            last_response_status: match outcome {
                Some(AttemptOutcome::Answered(status)) => Some(*status),
                _ => None,
            },
            last_error: match outcome {
                Some(AttemptOutcome::NoAnswer(why)) => Some(why.as_str()),
                _ => None,
            },
            payload: serde_json::from_str(&delivery.body).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// One page of a listing, newest first, with the cursor of the next page when there is one.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Page)]
pub struct ListView<V> {
    items: Vec<V>,
    #[schema(required = true)]
    next_cursor: Option<String>,
}

impl<V> ListView<V> {
    pub fn new<'a, T>(page: &'a Page<T>, view: impl Fn(&'a T) -> V) -> Self {
        Self {
            items: page.items.iter().map(view).collect(),
            next_cursor: page.next.as_ref().map(|cursor| cursor.encode()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use invitations::domain::{Question, QuestionText, VideoInterviewTitle, fixtures};

    /// Lambda's limit on a synchronous response (its payload, before API Gateway).
    const LAMBDA_RESPONSE_LIMIT: usize = 6 * 1024 * 1024;

    #[test]
    fn a_page_of_the_largest_video_interviews_fits_in_a_lambda_response() {
        // Every text at its longest, in four-byte characters: the most bytes a page can hold.
        let mut interview = fixtures::video_interview(&fixtures::recruiter());
        interview.title =
            VideoInterviewTitle::from_stored(&"😀".repeat(VideoInterviewTitle::MAX_CHARS));
        interview.questions = vec![
            Question {
                text: QuestionText::from_stored(&"😀".repeat(QuestionText::MAX_CHARS)),
                think_time_seconds: Some(600),
                answer_time_seconds: Some(600),
            };
            Question::MAX_PER_INTERVIEW
        ];
        let page = Page {
            items: vec![interview; crate::requests::MAX_PAGE_SIZE],
            next: None,
        };
        let listed = serde_json::to_vec(&ListView::new(&page, VideoInterviewSummaryView::from));
        let listed = listed.unwrap().len();
        assert!(listed < LAMBDA_RESPONSE_LIMIT / 20, "{listed} bytes");
        // With their questions, the same page could not be answered at all.
        let whole = serde_json::to_vec(&ListView::new(&page, VideoInterviewView::from));
        assert!(whole.unwrap().len() > LAMBDA_RESPONSE_LIMIT);
    }
}
