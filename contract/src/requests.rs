//! The request bodies as the contract documents them. The recruiter API reads bodies field by field
//! (`recruiter_api::requests`, which reports every bad field at once), so these types only describe
//! what those parsers accept: every field they know, which are required, and that any other field
//! is refused (`additionalProperties: false`). An optional field may also be `null`, which the
//! parsers read as absent. The contract's tests parse every example with the real parser.

// Their fields are read only by the schema derive; serde's derive is there for its attributes
// (`rename_all`, and `deny_unknown_fields`, which becomes `additionalProperties: false`).
#![allow(dead_code)]

use serde::Deserialize;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AllOfBuilder, Object, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::{PartialSchema, ToSchema};

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

/// `POST /invitation-batches`: one video interview, one deadline and the same choices for many
/// candidates, given either as `candidates` or as `candidatesCsv` (exactly one of them). A fault
/// of the batch itself (a shared field, CSV text that cannot be read or whose header row is not
/// the candidates', no rows or more than 1,000) refuses it whole; a row that makes no invitation
/// is that row's verdict (`invalid`, with its errors), not a refusal.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewInvitationBatch {
    /// The id of one of the organization's video interviews.
    #[schema(min_length = 1)]
    video_interview_id: String,
    /// Every candidate's last day to answer, inclusive (`YYYY-MM-DD` in `timeZone`): today at the
    /// earliest, a year ahead at most.
    #[schema(format = Date)]
    answer_deadline: String,
    /// The IANA time zone of the deadline's day; absent: the deployment's.
    time_zone: Option<String>,
    #[schema(schema_with = rows_language)]
    language: String,
    /// One copy to the recruiter's verified address: of the first accepted row's invitation, not
    /// one per candidate. Default `false`.
    bcc_myself: Option<bool>,
    /// An email to the recruiter when each candidate completes. Default `false`.
    notify_me: Option<bool>,
    /// Deadline reminders to each candidate while unanswered. Default `true`.
    reminders: Option<bool>,
    /// The candidates, in order (a row's `index` is its position), each read as a
    /// `BatchCandidate`. Any item is taken: one that is no valid `BatchCandidate` (not an object,
    /// a field wrong) is not refused, its row's verdict is `invalid`.
    #[schema(min_items = 1, max_items = 1000)]
    candidates: Option<Vec<serde_json::Value>>,
    /// The candidates as a spreadsheet's CSV export (RFC 4180): a header row naming the columns
    /// `firstName`, `lastName`, `email` and optionally `language` (matched ignoring letter case,
    /// spaces, `_` and `-`: `First name`, `E-mail`), then a record per candidate. UTF-8 with or
    /// without a byte order mark, separated by commas or semicolons (whichever the header row has
    /// more of); an empty cell is an absent field, and empty records are skipped. A row's `line`
    /// is where its record starts (the header is line 1).
    #[schema(min_length = 1)]
    candidates_csv: Option<String>,
}

impl NewInvitationBatch {
    /// The schema as the document names it: the fields, and exactly one of `candidates` and
    /// `candidatesCsv` given (`null` being absent), which the parser requires.
    pub fn exactly_one_list() -> RefOr<Schema> {
        let given = |field: &str, kind: Type| {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property(field, Object::with_type(kind))
                .required(field)
        };
        // The description once, on the whole.
        let mut fields = Self::schema();
        let description = match &mut fields {
            RefOr::T(Schema::Object(object)) => object.description.take(),
            _ => None,
        };
        AllOfBuilder::new()
            .description(description)
            .item(fields)
            .item(
                OneOfBuilder::new()
                    .item(given("candidates", Type::Array))
                    .item(given("candidatesCsv", Type::String)),
            )
            .into()
    }
}

/// One candidate of a batch: a row that makes an invitation.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchCandidate {
    /// As for a single invitation (at most 100 characters).
    #[schema(min_length = 1)]
    first_name: String,
    #[schema(min_length = 1)]
    last_name: String,
    /// A bare address, its domain able to receive mail. Rows with the same address (in any letter
    /// case) after the first are `duplicate`s of it.
    #[schema(min_length = 1)]
    email: String,
    #[schema(schema_with = optional_language)]
    language: Option<String>,
}

/// The batch's `language`: a UI language, for the rows that name none.
fn rows_language() -> Object {
    let mut language = schemas::language();
    language.description =
        Some("The UI language (interface and emails) of the rows that name none.".to_owned());
    language
}

/// A row's own UI language, or `null` (absent).
fn optional_language() -> Object {
    let mut language = schemas::language();
    language.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
    language
        .enum_values
        .get_or_insert_with(Vec::new)
        .push(serde_json::Value::Null);
    language.description =
        Some("The candidate's UI language; absent or `null`: the batch's `language`.".to_owned());
    language
}

#[cfg(test)]
mod tests {
    use invitations::domain::MAX_BATCH_ROWS;

    use super::*;

    /// The batch's bounds are the domain's (a derive's attribute takes only a literal).
    #[test]
    fn a_batch_takes_1_to_max_batch_rows_candidates() {
        let schema = serde_json::to_value(NewInvitationBatch::exactly_one_list()).unwrap();
        let candidates = &schema["allOf"][0]["properties"]["candidates"];
        assert_eq!(candidates["minItems"], 1);
        assert_eq!(candidates["maxItems"], MAX_BATCH_ROWS);
    }
}

/// `POST /webhook-subscriptions`: where webhooks go, and which.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewWebhookSubscription {
    /// An `https` URL of at most 2,000 characters, without user name, password or fragment, whose
    /// host resolves to public addresses only (checked now and at each delivery).
    #[schema(min_length = 1, max_length = 2000)]
    url: String,
    /// The event types to be sent, each once (docs/webhooks.md).
    #[schema(min_items = 1, schema_with = event_types)]
    event_types: Vec<String>,
    /// For people: what the endpoint is, up to 200 characters.
    description: Option<String>,
}

/// The codes a subscription may name: the types the service sends.
fn event_types() -> utoipa::openapi::schema::Array {
    use invitations::domain::webhooks::WebhookEventType;
    let codes: Vec<&str> = WebhookEventType::ALL
        .into_iter()
        .filter(|kind| kind.is_sent())
        .map(WebhookEventType::code)
        .collect();
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::Type::String)
                .enum_values(Some(codes)),
        )
        .min_items(Some(1))
        .unique_items(true)
        .build()
}

/// `POST /webhook-subscriptions/{id}/secret-rotation`: how long the previous secret keeps signing.
/// An empty body takes the default.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretRotation {
    /// Hours, 0 to 168; default 24.
    #[schema(minimum = 0, maximum = 168)]
    overlap_hours: Option<u32>,
}
