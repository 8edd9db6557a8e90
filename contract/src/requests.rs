//! The request bodies as the contract documents them. The recruiter API reads bodies field by field
//! (`recruiter_api::requests`, which reports every bad field at once), so these types only describe
//! what those parsers accept: every field they know, which are required, and that any other field
//! is refused (`additionalProperties: false`). An optional field may also be `null`, which the
//! parsers read as absent. The contract's tests parse every example with the real parser.

// Their fields are read only by the schema derive; serde's derive is there for its attributes
// (`rename_all`, and `deny_unknown_fields`, which becomes `additionalProperties: false`).
#![allow(dead_code)]

use serde::Deserialize;
use utoipa::ToSchema;

use invitations::http::schemas;

/// `PUT /organization`: the organization profile, whole. Optional fields may be left out or
/// `null`, and are then unset.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganizationProfileForm {
    /// The employer's name as candidates see it in every email (at most 100 characters).
    #[schema(min_length = 1)]
    display_name: String,
    /// An `https` URL of the logo shown in the emails' header.
    logo_url: Option<String>,
    /// The emails' accent colour, `#RRGGBB`.
    accent_color: Option<String>,
    /// An `https` URL of the careers site, linked from the emails' footer.
    careers_site_url: Option<String>,
    /// An `https` URL of the privacy notice every email links to.
    #[schema(min_length = 1)]
    privacy_notice_url: String,
}

/// `POST /video-interviews`: a title and its questions.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewVideoInterview {
    /// At most 200 characters once normalized (PRECIS, RFC 8266).
    #[schema(min_length = 1)]
    title: String,
    /// In the order the candidate answers them.
    #[schema(min_items = 1, max_items = 30)]
    questions: Vec<NewQuestion>,
}

/// One question of a new video interview.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewQuestion {
    /// At most 500 characters once normalized.
    #[schema(min_length = 1)]
    text: String,
    /// Seconds to think before recording starts; absent or `null`: the app's default.
    #[schema(minimum = 0, maximum = 600)]
    think_time_seconds: Option<u32>,
    /// Seconds to record the answer; absent or `null`: the app's default.
    #[schema(minimum = 10, maximum = 1800)]
    answer_time_seconds: Option<u32>,
}

/// `POST /invitations`: whom to invite to which video interview, until when.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewInvitation {
    /// The candidate's first name (PRECIS Nickname profile, RFC 8266; at most 100 characters).
    #[schema(min_length = 1)]
    first_name: String,
    #[schema(min_length = 1)]
    last_name: String,
    /// The candidate's address: a bare address (no display name), its domain able to receive
    /// mail.
    #[schema(min_length = 1)]
    email: String,
    #[schema(schema_with = schemas::language)]
    language: String,
    /// The id of one of the organization's video interviews.
    #[schema(min_length = 1)]
    video_interview_id: String,
    /// The last day to answer, inclusive (`YYYY-MM-DD` in `timeZone`): today at the earliest, a
    /// year ahead at most.
    #[schema(format = Date)]
    answer_deadline: String,
    /// The IANA time zone of the deadline's day; absent: the recruiter's, else the deployment's.
    time_zone: Option<String>,
    /// A copy of the invitation to the recruiter's verified address. Default `false`.
    bcc_myself: Option<bool>,
    /// An email to the recruiter when the candidate completes. Default `false`.
    notify_me: Option<bool>,
    /// Deadline reminders to the candidate while unanswered. Default `true`.
    reminders: Option<bool>,
}

/// `POST /invitations/{id}/resend`: all optional; no body at all is the usual resend.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Resend {
    /// Send even though the last email may have reached the candidate (status
    /// `send_unconfirmed`). Default `false`.
    accept_duplicate: Option<bool>,
    /// The candidate's corrected address (after a bounce or a typo).
    email: Option<String>,
}

/// `POST /invitations/{id}/deadline-extension`: the new deadline day.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeadlineExtension {
    /// The new last day, inclusive: later than the current one, a year ahead at most.
    #[schema(format = Date)]
    answer_deadline: String,
    /// Whose day it is; absent: the current deadline's zone.
    time_zone: Option<String>,
    /// Email the candidate the new deadline. Default `true`.
    notify_candidate: Option<bool>,
}

/// `POST /candidate-erasures`: the address whose invitations are erased.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CandidateErasure {
    /// Compared without regard to letter case.
    #[schema(min_length = 1)]
    email: String,
}
