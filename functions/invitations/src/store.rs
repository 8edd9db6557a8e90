//! The store port and its DynamoDB adapter.
//!
//! One table, keyed by tenant: every item of an organization lives under partition `ORG#<id>`, and
//! the partition is always built from the caller's verified claims, never from anything the caller
//! sends (ids and cursors only ever name a sort key inside that partition). That is what makes
//! tenant isolation hold by construction.
//!
//! | item              | pk            | sk              | gsi1pk (index `by-video-interview`) |
//! |-------------------|---------------|-----------------|-------------------------------------|
//! | video interview   | `ORG#<org>`   | `VI#<ulid>`     |                                     |
//! | invitation        | `ORG#<org>`   | `INV#<ulid>`    | `ORG#<org>#VI#<ulid>`               |
//!
//! An invitation holds the hashes of its candidate tokens (`tokenHashes`); a token names its
//! invitation (crate::token), so the candidate's read is one GetItem.

use std::collections::HashMap;
use std::future::Future;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;

use crate::domain::{
    AnswerDeadline, Candidate, DeadlineTimeZone, EmailAddress, Invitation, InvitationId,
    InvitationStatus, InvitedBy, Language, OrganizationId, PersonName, Question, QuestionText,
    RecruiterId, VideoInterview, VideoInterviewId, VideoInterviewTitle,
};
use crate::idempotency::{
    ClaimTicket, IdempotencyKey, KeyClaim, RequestFingerprint, SavedResponse, claim_times,
};
use crate::token::{CandidateToken, CandidateTokenHash};

pub const VIDEO_INTERVIEW_INDEX: &str = "by-video-interview";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// DynamoDB could not be reached, timed out, throttled or failed: worth retrying later.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// A write's condition did not hold (the item exists already, or changed under us).
    #[error("the write conflicted with the stored state")]
    Conflict,
    /// A stored item does not read back as a valid record: a bug or a manual edit.
    #[error("a stored item is unreadable: {0}")]
    Corrupt(String),
}

/// Where a listing goes on from. Opaque to callers (base64url), and it only names an id: the
/// partition it is applied to comes from the caller's claims, so a forged cursor cannot reach
/// another organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCursor(String);

impl PageCursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.0)
    }

    pub fn decode(raw: &str) -> Result<Self, String> {
        URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .filter(|id| id.parse::<ulid::Ulid>().is_ok())
            .map(Self)
            .ok_or_else(|| "is not a cursor returned by this API".to_owned())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    pub limit: usize,
    pub cursor: Option<PageCursor>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Present when there may be more items.
    pub next: Option<PageCursor>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct InvitationFilter {
    pub status: Option<InvitationStatus>,
    pub video_interview_id: Option<VideoInterviewId>,
}

/// How an attempt to send the invitation email ended.
#[derive(Debug, Clone, PartialEq)]
pub enum SendOutcome {
    Sent { at: Timestamp, message_id: String },
    Failed { reason: String },
}

/// The persistence port. Every read and write is scoped to an organization.
pub trait Store: Send + Sync {
    fn put_video_interview(
        &self,
        interview: &VideoInterview,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn get_video_interview(
        &self,
        organization: &OrganizationId,
        id: VideoInterviewId,
    ) -> impl Future<Output = Result<Option<VideoInterview>, StoreError>> + Send;

    fn list_video_interviews(
        &self,
        organization: &OrganizationId,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<VideoInterview>, StoreError>> + Send;

    /// Stores a new invitation with the hash of its candidate token.
    fn insert_invitation(
        &self,
        invitation: &Invitation,
        token: &CandidateTokenHash,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// `insert_invitation` for a request with an Idempotency-Key, which it claims in the same
    /// transaction: `Claimed` when both are written, else what holds the key (nothing written).
    fn insert_invitation_claiming_key(
        &self,
        invitation: &Invitation,
        token: &CandidateTokenHash,
        key: &IdempotencyKey,
        fingerprint: &RequestFingerprint,
        now: Timestamp,
    ) -> impl Future<Output = Result<KeyClaim, StoreError>> + Send;

    /// Readies an unopened invitation to be sent again with a new token (the old link keeps
    /// working): back to `sending`; a `Conflict` when it was opened since.
    fn begin_resend(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        token: &CandidateTokenHash,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Moves an invitation out of `sending`; a `Conflict` when it was not in `sending`. With
    /// `answer`, saves the answer on the claimed key in the same transaction.
    fn record_send_outcome(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        outcome: &SendOutcome,
        answer: Option<KeyedAnswer<'_>>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn get_invitation(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
    ) -> impl Future<Output = Result<Option<Invitation>, StoreError>> + Send;

    fn list_invitations(
        &self,
        organization: &OrganizationId,
        filter: &InvitationFilter,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Invitation>, StoreError>> + Send;

    /// The invitation a candidate token opens: the one it names, if that holds the token's hash.
    fn find_invitation_by_token(
        &self,
        token: &CandidateToken,
    ) -> impl Future<Output = Result<Option<Invitation>, StoreError>> + Send;

    /// The candidate's first open: `opened`; a `Conflict` unless it was still unopened.
    fn record_opened(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        at: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// `completed` at `at`; a `Conflict` when it was completed or cancelled already.
    fn record_completion(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        at: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The completion event is on the bus.
    fn record_completion_published(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// `cancelled`; a `Conflict` when it was completed or cancelled already.
    fn cancel_invitation(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Claims the right to send the notify-me email until `until`: a `Conflict` when it was sent
    /// already or another delivery holds an unexpired claim.
    fn claim_recruiter_notification(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        now: Timestamp,
        until: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The notify-me email went out; the claim is done.
    fn record_recruiter_notified(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        at: Timestamp,
        message_id: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Gives up a claim taken with `until` (after a failed send), so that a retry need not wait for
    /// it to expire; a `Conflict` when the claim is no longer that one.
    fn release_recruiter_notification(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        until: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Claims an idempotency key for a request, or tells what holds it.
    fn claim_idempotency_key(
        &self,
        organization: &OrganizationId,
        key: &IdempotencyKey,
        fingerprint: &RequestFingerprint,
        now: Timestamp,
    ) -> impl Future<Output = Result<KeyClaim, StoreError>> + Send;

    /// Keeps the finished answer of the request that claimed the key, for its retries.
    fn save_idempotent_response(
        &self,
        organization: &OrganizationId,
        key: &IdempotencyKey,
        ticket: &ClaimTicket,
        response: &SavedResponse,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Frees a claimed key at once (the request changed nothing), so that a retry may go ahead.
    fn release_idempotency_key(
        &self,
        organization: &OrganizationId,
        key: &IdempotencyKey,
        ticket: &ClaimTicket,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The answer to a request with an Idempotency-Key, saved on the key it claimed.
pub struct KeyedAnswer<'a> {
    pub key: &'a IdempotencyKey,
    pub ticket: &'a ClaimTicket,
    pub response: &'a SavedResponse,
}

pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

fn organization_key(organization: &OrganizationId) -> String {
    format!("ORG#{}", organization.as_str())
}

const VIDEO_INTERVIEW_PREFIX: &str = "VI#";
const INVITATION_PREFIX: &str = "INV#";

fn video_interview_key(organization: &OrganizationId, id: VideoInterviewId) -> Key {
    Key::new(
        organization_key(organization),
        format!("{VIDEO_INTERVIEW_PREFIX}{id}"),
    )
}

fn invitation_key(organization: &OrganizationId, id: InvitationId) -> Key {
    Key::new(
        organization_key(organization),
        format!("{INVITATION_PREFIX}{id}"),
    )
}

fn video_interview_partition(organization: &OrganizationId, id: VideoInterviewId) -> String {
    format!("{}#VI#{id}", organization_key(organization))
}

fn idempotency_key(organization: &OrganizationId, key: &IdempotencyKey) -> Key {
    Key::new(
        organization_key(organization),
        format!("IDEM#{}", key.digest()),
    )
}

/// The `status` of an idempotency record.
const KEY_IN_PROGRESS: &str = "in_progress";
const KEY_COMPLETED: &str = "completed";

/// The claim a conditional put found; `ours` when it holds our own ticket (the SDK retried a put
/// whose answer was lost).
/// A key's record while its request runs.
fn key_claim_item(
    organization: &OrganizationId,
    key: &IdempotencyKey,
    fingerprint: &RequestFingerprint,
    ticket: &ClaimTicket,
    now: Timestamp,
) -> HashMap<String, AttributeValue> {
    let (lease_until, expires_at) = claim_times(now);
    let mut item = idempotency_key(organization, key).0;
    item.extend([
        ("entity".to_owned(), s("IdempotencyRecord")),
        ("status".to_owned(), s(KEY_IN_PROGRESS)),
        ("fingerprint".to_owned(), s(fingerprint.as_str())),
        ("ticket".to_owned(), s(ticket.as_str())),
        (
            "inProgressUntil".to_owned(),
            n(lease_until.as_millisecond()),
        ),
        // DynamoDB's TTL deletes the record some time after this (epoch seconds).
        ("ttl".to_owned(), n(expires_at.as_second())),
    ]);
    item
}

fn read_key_claim(
    item: &HashMap<String, AttributeValue>,
    ours: &ClaimTicket,
) -> Result<KeyClaim, StoreError> {
    let reader = ItemReader(item);
    let fingerprint = RequestFingerprint::from_stored(reader.string("fingerprint")?.to_owned());
    let ticket = ClaimTicket::from_stored(reader.string("ticket")?.to_owned());
    match reader.string("status")? {
        KEY_IN_PROGRESS if ticket == *ours => Ok(KeyClaim::Claimed(ticket)),
        KEY_IN_PROGRESS => Ok(KeyClaim::InProgress { fingerprint }),
        KEY_COMPLETED => Ok(KeyClaim::Completed {
            fingerprint,
            response: SavedResponse {
                status: reader
                    .optional_u32("responseStatus")?
                    .and_then(|status| u16::try_from(status).ok())
                    .ok_or_else(|| StoreError::Corrupt("responseStatus".to_owned()))?,
                content_type: reader.string("responseContentType")?.to_owned(),
                location: reader
                    .optional_string("responseLocation")?
                    .map(str::to_owned),
                body: reader.string("responseBody")?.to_owned(),
            },
        }),
        other => Err(StoreError::Corrupt(format!(
            "idempotency record status {other}"
        ))),
    }
}

struct Key(HashMap<String, AttributeValue>);

impl Key {
    fn new(pk: String, sk: String) -> Self {
        Self(HashMap::from([
            ("pk".to_owned(), AttributeValue::S(pk)),
            ("sk".to_owned(), AttributeValue::S(sk)),
        ]))
    }
}

fn unavailable<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    // Only the error's kind and code: request parameters (which hold personal data) stay out.
    let code = match &error {
        SdkError::ServiceError(service) => service.err().code().unwrap_or("unknown").to_owned(),
        SdkError::TimeoutError(_) => "timeout".to_owned(),
        SdkError::DispatchFailure(_) => "dispatch failure".to_owned(),
        SdkError::ResponseError(_) => "unreadable response".to_owned(),
        SdkError::ConstructionFailure(_) => "request construction".to_owned(),
        _ => "unknown".to_owned(),
    };
    StoreError::Unavailable(code)
}

/// A failed conditional write: `Conflict` when the condition did not hold, else `Unavailable`.
fn conditional_write_error<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match &error {
        SdkError::ServiceError(service)
            if service.err().code() == Some("ConditionalCheckFailedException") =>
        {
            StoreError::Conflict
        }
        _ => unavailable(error),
    }
}

/// A failed transaction: `Conflict` when a condition did not hold or another transaction held an
/// item, else `Unavailable`.
fn transaction_error<R>(
    error: SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError, R>,
) -> StoreError
where
    R: std::fmt::Debug,
{
    match &error {
        SdkError::ServiceError(service)
            if service.err().code() == Some("TransactionCanceledException")
                && service.err().message().is_some_and(|message| {
                    // Another transaction on the same item at the same moment: as for a failed
                    // condition, the caller reads what holds.
                    message.contains("ConditionalCheckFailed")
                        || message.contains("TransactionConflict")
                }) =>
        {
            StoreError::Conflict
        }
        _ => unavailable(error),
    }
}

// ---- item building ---------------------------------------------------------------------------

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn questions_attribute(questions: &[Question]) -> AttributeValue {
    AttributeValue::L(
        questions
            .iter()
            .map(|question| {
                let mut map = HashMap::from([("text".to_owned(), s(question.text.as_str()))]);
                if let Some(seconds) = question.think_time_seconds {
                    map.insert("thinkTimeSeconds".to_owned(), n(seconds));
                }
                if let Some(seconds) = question.answer_time_seconds {
                    map.insert("answerTimeSeconds".to_owned(), n(seconds));
                }
                AttributeValue::M(map)
            })
            .collect(),
    )
}

fn video_interview_item(interview: &VideoInterview) -> HashMap<String, AttributeValue> {
    let mut item = video_interview_key(&interview.organization_id, interview.id).0;
    item.extend([
        ("entity".to_owned(), s("VideoInterview")),
        ("id".to_owned(), s(interview.id.to_string())),
        (
            "organizationId".to_owned(),
            s(interview.organization_id.as_str()),
        ),
        ("title".to_owned(), s(interview.title.as_str())),
        (
            "questions".to_owned(),
            questions_attribute(&interview.questions),
        ),
        ("createdBy".to_owned(), s(interview.created_by.as_str())),
        ("createdAt".to_owned(), s(interview.created_at.to_string())),
    ]);
    item
}

fn invitation_item(
    invitation: &Invitation,
    token: &CandidateTokenHash,
) -> HashMap<String, AttributeValue> {
    let mut item = invitation_key(&invitation.organization_id, invitation.id).0;
    let inviter = &invitation.invited_by;
    let mut invited_by = HashMap::from([
        ("id".to_owned(), s(inviter.id.as_str())),
        ("email".to_owned(), s(inviter.email.as_str())),
    ]);
    if let Some(name) = &inviter.name {
        invited_by.insert("name".to_owned(), s(name.as_str()));
    }
    if let Some(language) = inviter.language {
        invited_by.insert("language".to_owned(), s(language.code()));
    }
    let deadline = &invitation.deadline;
    item.extend([
        ("entity".to_owned(), s("Invitation")),
        (
            "gsi1pk".to_owned(),
            s(video_interview_partition(
                &invitation.organization_id,
                invitation.video_interview_id,
            )),
        ),
        ("id".to_owned(), s(invitation.id.to_string())),
        (
            "organizationId".to_owned(),
            s(invitation.organization_id.as_str()),
        ),
        (
            "videoInterviewId".to_owned(),
            s(invitation.video_interview_id.to_string()),
        ),
        (
            "videoInterviewTitle".to_owned(),
            s(invitation.video_interview_title.as_str()),
        ),
        (
            "questions".to_owned(),
            questions_attribute(&invitation.questions),
        ),
        (
            "firstName".to_owned(),
            s(invitation.candidate.first_name.as_str()),
        ),
        (
            "lastName".to_owned(),
            s(invitation.candidate.last_name.as_str()),
        ),
        ("email".to_owned(), s(invitation.candidate.email.as_str())),
        ("language".to_owned(), s(invitation.language.code())),
        ("answerDeadline".to_owned(), s(deadline.date().to_string())),
        ("timeZone".to_owned(), s(deadline.time_zone().name())),
        ("expiresAt".to_owned(), s(deadline.expires_at().to_string())),
        (
            "bccMyself".to_owned(),
            AttributeValue::Bool(invitation.bcc_myself),
        ),
        (
            "notifyMe".to_owned(),
            AttributeValue::Bool(invitation.notify_me),
        ),
        ("invitedBy".to_owned(), AttributeValue::M(invited_by)),
        ("status".to_owned(), s(invitation.status.code())),
        ("createdAt".to_owned(), s(invitation.created_at.to_string())),
        (
            "tokenHashes".to_owned(),
            AttributeValue::Ss(vec![token.as_str().to_owned()]),
        ),
    ]);
    // Only a new invitation is ever written whole; later facts arrive by conditional updates.
    debug_assert!(invitation.status == InvitationStatus::Sending && invitation.sent_at.is_none());
    item
}

// ---- item reading ----------------------------------------------------------------------------

/// Reads attributes of a stored item, turning anything unexpected into `StoreError::Corrupt`.
struct ItemReader<'a>(&'a HashMap<String, AttributeValue>);

impl<'a> ItemReader<'a> {
    fn string(&self, name: &str) -> Result<&'a str, StoreError> {
        self.optional_string(name)?
            .ok_or_else(|| StoreError::Corrupt(format!("missing attribute {name}")))
    }

    fn optional_string(&self, name: &str) -> Result<Option<&'a str>, StoreError> {
        match self.0.get(name) {
            None | Some(AttributeValue::Null(_)) => Ok(None),
            Some(AttributeValue::S(value)) => Ok(Some(value)),
            Some(_) => Err(StoreError::Corrupt(format!(
                "attribute {name} is not a string"
            ))),
        }
    }

    fn parsed<T, E: std::fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, StoreError> {
        parse(self.string(name)?).map_err(|error| StoreError::Corrupt(format!("{name}: {error}")))
    }

    fn optional_parsed<T, E: std::fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, StoreError> {
        self.optional_string(name)?
            .map(|raw| parse(raw).map_err(|error| StoreError::Corrupt(format!("{name}: {error}"))))
            .transpose()
    }

    fn bool(&self, name: &str) -> Result<bool, StoreError> {
        match self.0.get(name) {
            Some(AttributeValue::Bool(value)) => Ok(*value),
            _ => Err(StoreError::Corrupt(format!(
                "attribute {name} is not a boolean"
            ))),
        }
    }

    fn optional_u32(&self, name: &str) -> Result<Option<u32>, StoreError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(AttributeValue::N(value)) => value
                .parse()
                .map(Some)
                .map_err(|_| StoreError::Corrupt(format!("attribute {name} is not a u32"))),
            Some(_) => Err(StoreError::Corrupt(format!(
                "attribute {name} is not a number"
            ))),
        }
    }

    fn map(&self, name: &str) -> Result<ItemReader<'a>, StoreError> {
        match self.0.get(name) {
            Some(AttributeValue::M(map)) => Ok(ItemReader(map)),
            _ => Err(StoreError::Corrupt(format!(
                "attribute {name} is not a map"
            ))),
        }
    }

    fn optional_bool(&self, name: &str) -> Result<bool, StoreError> {
        match self.0.get(name) {
            None => Ok(false),
            Some(_) => self.bool(name),
        }
    }

    fn optional_timestamp(&self, name: &str) -> Result<Option<Timestamp>, StoreError> {
        self.optional_parsed(name, str::parse::<Timestamp>)
    }

    fn questions(&self) -> Result<Vec<Question>, StoreError> {
        let Some(AttributeValue::L(list)) = self.0.get("questions") else {
            return Err(StoreError::Corrupt(
                "attribute questions is not a list".to_owned(),
            ));
        };
        list.iter()
            .map(|question| match question {
                AttributeValue::M(map) => {
                    let question = ItemReader(map);
                    Ok(Question {
                        text: question.parsed("text", QuestionText::parse)?,
                        think_time_seconds: question.optional_u32("thinkTimeSeconds")?,
                        answer_time_seconds: question.optional_u32("answerTimeSeconds")?,
                    })
                }
                _ => Err(StoreError::Corrupt("a question is not a map".to_owned())),
            })
            .collect()
    }
}

fn read_video_interview(
    item: &HashMap<String, AttributeValue>,
) -> Result<VideoInterview, StoreError> {
    let reader = ItemReader(item);
    Ok(VideoInterview {
        id: reader.parsed("id", str::parse)?,
        organization_id: reader.parsed("organizationId", OrganizationId::parse)?,
        title: reader.parsed("title", VideoInterviewTitle::parse)?,
        questions: reader.questions()?,
        created_by: reader.parsed("createdBy", RecruiterId::parse)?,
        created_at: reader.parsed("createdAt", str::parse::<Timestamp>)?,
    })
}

fn has_token(item: &HashMap<String, AttributeValue>, token: &CandidateTokenHash) -> bool {
    matches!(item.get("tokenHashes"), Some(AttributeValue::Ss(hashes)) if hashes.iter().any(|hash| hash == token.as_str()))
}

fn read_invitation(item: &HashMap<String, AttributeValue>) -> Result<Invitation, StoreError> {
    let reader = ItemReader(item);
    let inviter = reader.map("invitedBy")?;
    let time_zone = reader.parsed("timeZone", DeadlineTimeZone::parse)?;
    let date = reader.parsed("answerDeadline", AnswerDeadline::parse_date)?;
    let deadline = AnswerDeadline::new(date, time_zone)
        .map_err(|error| StoreError::Corrupt(format!("answerDeadline: {error}")))?;
    Ok(Invitation {
        id: reader.parsed("id", str::parse)?,
        organization_id: reader.parsed("organizationId", OrganizationId::parse)?,
        video_interview_id: reader.parsed("videoInterviewId", str::parse)?,
        video_interview_title: reader.parsed("videoInterviewTitle", VideoInterviewTitle::parse)?,
        questions: reader.questions()?,
        candidate: Candidate {
            first_name: reader.parsed("firstName", PersonName::parse)?,
            last_name: reader.parsed("lastName", PersonName::parse)?,
            email: reader.parsed("email", EmailAddress::parse)?,
        },
        language: reader.parsed("language", str::parse::<Language>)?,
        deadline,
        bcc_myself: reader.bool("bccMyself")?,
        notify_me: reader.bool("notifyMe")?,
        invited_by: InvitedBy {
            id: inviter.parsed("id", RecruiterId::parse)?,
            email: inviter.parsed("email", EmailAddress::parse)?,
            name: inviter.optional_parsed("name", PersonName::parse)?,
            language: inviter.optional_parsed("language", str::parse::<Language>)?,
        },
        status: reader.parsed("status", str::parse::<InvitationStatus>)?,
        created_at: reader.parsed("createdAt", str::parse::<Timestamp>)?,
        sent_at: reader.optional_timestamp("sentAt")?,
        send_failure: reader.optional_string("sendFailure")?.map(str::to_owned),
        opened_at: reader.optional_timestamp("openedAt")?,
        completed_at: reader.optional_timestamp("completedAt")?,
        completion_published: reader.optional_bool("completionPublished")?,
        recruiter_notified_at: reader.optional_timestamp("recruiterNotifiedAt")?,
    })
}

// ---- the adapter -----------------------------------------------------------------------------

/// The expressions of one conditional write, for a request of its own or an item of a transaction.
#[derive(Clone)]
struct ConditionalWrite {
    condition: String,
    update: Option<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

/// An expression attribute map as the SDK takes it: DynamoDB refuses an empty one.
fn non_empty<V>(map: HashMap<String, V>) -> Option<HashMap<String, V>> {
    (!map.is_empty()).then_some(map)
}

/// The condition under which a request may claim an idempotency key: the key is new, expired
/// (TTL deletion lags), or left in progress by a request that died.
fn key_claim_write(now: Timestamp) -> ConditionalWrite {
    ConditionalWrite {
        condition: "attribute_not_exists(pk) OR #ttl < :now_s \
                    OR (#status = :in_progress AND inProgressUntil < :now_ms)"
            .to_owned(),
        update: None,
        names: HashMap::from([
            ("#ttl".to_owned(), "ttl".to_owned()),
            ("#status".to_owned(), "status".to_owned()),
        ]),
        values: HashMap::from([
            (":now_s".to_owned(), n(now.as_second())),
            (":now_ms".to_owned(), n(now.as_millisecond())),
            (":in_progress".to_owned(), s(KEY_IN_PROGRESS)),
        ]),
    }
}

/// Saves the finished answer on a claimed key. Only the claimant saves; a retried save of its
/// own finds its ticket again.
fn key_answer_write(ticket: &ClaimTicket, response: &SavedResponse) -> ConditionalWrite {
    let mut update = "SET #status = :completed, responseStatus = :status, \
                      responseContentType = :content_type, responseBody = :body"
        .to_owned();
    let mut values = HashMap::from([
        (":ticket".to_owned(), s(ticket.as_str())),
        (":completed".to_owned(), s(KEY_COMPLETED)),
        (":status".to_owned(), n(response.status)),
        (":content_type".to_owned(), s(&response.content_type)),
        (":body".to_owned(), s(&response.body)),
    ]);
    if let Some(location) = &response.location {
        update.push_str(", responseLocation = :location");
        values.insert(":location".to_owned(), s(location));
    }
    update.push_str(" REMOVE inProgressUntil");
    ConditionalWrite {
        condition: "ticket = :ticket".to_owned(),
        update: Some(update),
        names: HashMap::from([("#status".to_owned(), "status".to_owned())]),
        values,
    }
}

/// A conditional update of an existing invitation. `#status` stands for the status attribute, and
/// `:<status code>` (such as `:sending`) for that status, wherever the expressions use them.
struct InvitationUpdate {
    condition: &'static str,
    expression: &'static str,
    values: Vec<(&'static str, AttributeValue)>,
}

impl InvitationUpdate {
    fn when(condition: &'static str) -> Self {
        Self {
            condition,
            expression: "",
            values: Vec::new(),
        }
    }

    /// The placeholders the expressions use (DynamoDB refuses unused ones).
    fn placeholders(&self) -> impl Iterator<Item = &'static str> {
        [self.condition, self.expression]
            .into_iter()
            .flat_map(|expression| {
                expression
                    .split(|c: char| {
                        !(c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == '#')
                    })
                    .filter(|token| token.starts_with([':', '#']))
            })
    }

    /// The write, with `#status` and the status placeholders filled in; it also requires the
    /// invitation to exist.
    fn write(self) -> ConditionalWrite {
        let mut names = HashMap::new();
        let mut values = HashMap::new();
        for placeholder in self.placeholders() {
            if placeholder == "#status" {
                names.insert("#status".to_owned(), "status".to_owned());
            } else if let Some(status) = InvitationStatus::ALL
                .into_iter()
                .find(|status| placeholder.strip_prefix(':') == Some(status.code()))
            {
                values.insert(placeholder.to_owned(), s(status.code()));
            }
        }
        values.extend(
            self.values
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value)),
        );
        ConditionalWrite {
            condition: format!("attribute_exists(pk) AND ({})", self.condition),
            update: Some(self.expression.to_owned()),
            names,
            values,
        }
    }
}

/// One partition (or index partition) of an organization, listed newest first.
struct Listing<'a> {
    partition_attribute: &'static str,
    partition: String,
    index: Option<&'static str>,
    prefix: &'static str,
    status: Option<InvitationStatus>,
    organization: &'a OrganizationId,
}

impl DynamoStore {
    /// Reads items newest first until the page is full. A status filter is applied by DynamoDB
    /// after reading, so a page may need several queries; the cursor then names the last item
    /// returned (not DynamoDB's last evaluated key), so nothing is skipped or repeated.
    async fn list_items(
        &self,
        listing: Listing<'_>,
        page: &PageRequest,
    ) -> Result<Page<HashMap<String, AttributeValue>>, StoreError> {
        // Bounds the work of one request when a filter matches rarely: the caller gets a cursor
        // and fewer items instead of a timeout.
        const MAX_QUERIES: usize = 10;
        let mut items = Vec::new();
        let mut start = page
            .cursor
            .as_ref()
            .map(|cursor| self.start_key(&listing, &cursor.0));
        for _ in 0..MAX_QUERIES {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(listing.index.map(str::to_owned))
                .key_condition_expression("#pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_names("#pk", listing.partition_attribute)
                .expression_attribute_values(":pk", s(&listing.partition))
                .expression_attribute_values(":prefix", s(listing.prefix))
                .scan_index_forward(false)
                .limit(i32::try_from(page.limit + 1 - items.len()).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start.take());
            if let Some(status) = listing.status {
                query = query
                    .filter_expression("#status = :status")
                    .expression_attribute_names("#status", "status")
                    .expression_attribute_values(":status", s(status.code()));
            }
            let output = query.send().await.map_err(unavailable)?;
            items.extend(output.items.unwrap_or_default());
            if items.len() > page.limit {
                // One more than asked for was found: there is a next page, starting after the last
                // item that this page returns.
                items.truncate(page.limit);
                return Ok(Page {
                    next: items.last().map(|item| self.cursor_of(item)).transpose()?,
                    items,
                });
            }
            match output.last_evaluated_key {
                Some(key) => start = Some(key),
                None => return Ok(Page { items, next: None }),
            }
        }
        let next = start.as_ref().map(|key| self.cursor_of(key)).transpose()?;
        Ok(Page { items, next })
    }

    /// A strongly consistent read: a recruiter reads what they just wrote.
    async fn get_item(
        &self,
        key: Key,
    ) -> Result<Option<HashMap<String, AttributeValue>>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key.0))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(output.item)
    }

    /// Whether the stored invitation holds `token`: after a write's condition failed, that means
    /// the write itself went through (its answer was lost and the SDK retried), since the id is
    /// new or ours and the token random, so nothing else can have written it.
    async fn holds_token(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        token: &CandidateTokenHash,
    ) -> Result<bool, StoreError> {
        let stored = self.get_item(invitation_key(organization, id)).await?;
        Ok(stored.as_ref().is_some_and(|item| has_token(item, token)))
    }

    async fn update_invitation(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        update: InvitationUpdate,
    ) -> Result<(), StoreError> {
        self.update(invitation_key(organization, id), update.write())
            .await
    }

    /// One conditional UpdateItem.
    async fn update(&self, key: Key, write: ConditionalWrite) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key.0))
            .set_expression_attribute_names(non_empty(write.names))
            .condition_expression(write.condition)
            .set_update_expression(write.update)
            .set_expression_attribute_values(non_empty(write.values))
            .send()
            .await
            .map_err(conditional_write_error)?;
        Ok(())
    }

    /// Writes `items` all or nothing; `Conflict` when a condition did not hold.
    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), StoreError> {
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
            .map_err(transaction_error)?;
        Ok(())
    }

    fn transact_put(
        &self,
        item: HashMap<String, AttributeValue>,
        write: ConditionalWrite,
    ) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_expression_attribute_names(non_empty(write.names))
            .condition_expression(write.condition)
            .set_expression_attribute_values(non_empty(write.values))
            .build()
            .map_err(|error| StoreError::Unavailable(error.to_string()))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn transact_update(
        &self,
        key: Key,
        write: ConditionalWrite,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key.0))
            .set_expression_attribute_names(non_empty(write.names))
            .condition_expression(write.condition)
            .set_update_expression(write.update)
            .set_expression_attribute_values(non_empty(write.values))
            .build()
            .map_err(|error| StoreError::Unavailable(error.to_string()))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    fn start_key(&self, listing: &Listing<'_>, id: &str) -> HashMap<String, AttributeValue> {
        let mut key = Key::new(
            organization_key(listing.organization),
            format!("{}{id}", listing.prefix),
        )
        .0;
        if listing.index.is_some() {
            key.insert(
                listing.partition_attribute.to_owned(),
                s(&listing.partition),
            );
        }
        key
    }

    fn cursor_of(&self, item: &HashMap<String, AttributeValue>) -> Result<PageCursor, StoreError> {
        let sort_key = ItemReader(item).string("sk")?;
        let id = sort_key
            .split_once('#')
            .map(|(_, id)| id)
            .ok_or_else(|| StoreError::Corrupt("sort key without an id".to_owned()))?;
        Ok(PageCursor(id.to_owned()))
    }
}

impl Store for DynamoStore {
    async fn put_video_interview(&self, interview: &VideoInterview) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(video_interview_item(interview)))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(conditional_write_error)?;
        Ok(())
    }

    async fn get_video_interview(
        &self,
        organization: &OrganizationId,
        id: VideoInterviewId,
    ) -> Result<Option<VideoInterview>, StoreError> {
        self.get_item(video_interview_key(organization, id))
            .await?
            .as_ref()
            .map(read_video_interview)
            .transpose()
    }

    async fn list_video_interviews(
        &self,
        organization: &OrganizationId,
        page: &PageRequest,
    ) -> Result<Page<VideoInterview>, StoreError> {
        let listing = Listing {
            partition_attribute: "pk",
            partition: organization_key(organization),
            index: None,
            prefix: VIDEO_INTERVIEW_PREFIX,
            status: None,
            organization,
        };
        let page = self.list_items(listing, page).await?;
        Ok(Page {
            items: page
                .items
                .iter()
                .map(read_video_interview)
                .collect::<Result<_, _>>()?,
            next: page.next,
        })
    }

    async fn insert_invitation(
        &self,
        invitation: &Invitation,
        token: &CandidateTokenHash,
    ) -> Result<(), StoreError> {
        let written = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(invitation_item(invitation, token)))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(conditional_write_error);
        match written {
            Err(StoreError::Conflict)
                if self
                    .holds_token(&invitation.organization_id, invitation.id, token)
                    .await? =>
            {
                Ok(())
            }
            other => other.map(|_| ()),
        }
    }

    async fn insert_invitation_claiming_key(
        &self,
        invitation: &Invitation,
        token: &CandidateTokenHash,
        key: &IdempotencyKey,
        fingerprint: &RequestFingerprint,
        now: Timestamp,
    ) -> Result<KeyClaim, StoreError> {
        let organization = &invitation.organization_id;
        let ticket = ClaimTicket::new();
        let new_invitation = ConditionalWrite {
            condition: "attribute_not_exists(pk)".to_owned(),
            update: None,
            names: HashMap::new(),
            values: HashMap::new(),
        };
        let items = vec![
            self.transact_put(
                key_claim_item(organization, key, fingerprint, &ticket, now),
                key_claim_write(now),
            )?,
            self.transact_put(invitation_item(invitation, token), new_invitation)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(KeyClaim::Claimed(ticket)),
            // The invitation's id is new, so it is the key that is held: by another request, or
            // by this very transaction when the SDK retried it after its answer was lost (then
            // the ticket is ours, and the invitation was written with it).
            Err(StoreError::Conflict) => {
                let held = self
                    .get_item(idempotency_key(organization, key))
                    .await?
                    // Released or expired in between: the client's retry may claim it.
                    .ok_or_else(|| {
                        StoreError::Unavailable("the idempotency key changed meanwhile".into())
                    })?;
                read_key_claim(&held, &ticket)
            }
            Err(error) => Err(error),
        }
    }

    async fn begin_resend(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        token: &CandidateTokenHash,
    ) -> Result<(), StoreError> {
        // Adding to a set is idempotent, and `sending` is unopened: a retried write holds.
        let update = InvitationUpdate {
            expression: "SET #status = :sending ADD tokenHashes :token REMOVE sendFailure",
            values: vec![(
                ":token",
                AttributeValue::Ss(vec![token.as_str().to_owned()]),
            )],
            ..InvitationUpdate::when("#status IN (:sending, :sent, :send_failed)")
        };
        self.update_invitation(organization, id, update).await
    }

    async fn record_send_outcome(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        outcome: &SendOutcome,
        answer: Option<KeyedAnswer<'_>>,
    ) -> Result<(), StoreError> {
        let update = match outcome {
            SendOutcome::Sent { at, message_id } => InvitationUpdate {
                expression: "SET #status = :status, sentAt = :at, sesMessageId = :message",
                values: vec![
                    (":status", s(InvitationStatus::Sent.code())),
                    (":at", s(at.to_string())),
                    (":message", s(message_id)),
                ],
                // Or already recorded by this very write, retried after its answer was lost.
                ..InvitationUpdate::when("#status = :sending OR sesMessageId = :message")
            },
            SendOutcome::Failed { reason } => InvitationUpdate {
                expression: "SET #status = :status, sendFailure = :reason",
                values: vec![
                    (":status", s(InvitationStatus::SendFailed.code())),
                    (":reason", s(reason)),
                ],
                ..InvitationUpdate::when(
                    "#status = :sending OR (#status = :send_failed AND sendFailure = :reason)",
                )
            },
        };
        let Some(answer) = answer else {
            return self.update_invitation(organization, id, update).await;
        };
        let key = || idempotency_key(organization, answer.key);
        let answer_write = || key_answer_write(answer.ticket, answer.response);
        let outcome_write = update.write();
        // Both conditions also hold for this very write retried, so a lost answer is harmless.
        let together = self
            .transact(vec![
                self.transact_update(invitation_key(organization, id), outcome_write.clone())?,
                self.transact_update(key(), answer_write())?,
            ])
            .await;
        if together.is_ok() {
            return together;
        }
        // The invitation changed meanwhile (cancelled while sending) or the transaction collided
        // with another write. The answer is still this request's, and it must be kept, or the
        // key's next claim would send a second email: each is written on its own.
        let saved = self.update(key(), answer_write()).await;
        let recorded = self
            .update(invitation_key(organization, id), outcome_write)
            .await;
        saved.and(recorded)
    }

    async fn get_invitation(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
    ) -> Result<Option<Invitation>, StoreError> {
        self.get_item(invitation_key(organization, id))
            .await?
            .as_ref()
            .map(read_invitation)
            .transpose()
    }

    async fn list_invitations(
        &self,
        organization: &OrganizationId,
        filter: &InvitationFilter,
        page: &PageRequest,
    ) -> Result<Page<Invitation>, StoreError> {
        let listing = match filter.video_interview_id {
            Some(video_interview) => Listing {
                partition_attribute: "gsi1pk",
                partition: video_interview_partition(organization, video_interview),
                index: Some(VIDEO_INTERVIEW_INDEX),
                prefix: INVITATION_PREFIX,
                status: filter.status,
                organization,
            },
            None => Listing {
                partition_attribute: "pk",
                partition: organization_key(organization),
                index: None,
                prefix: INVITATION_PREFIX,
                status: filter.status,
                organization,
            },
        };
        let page = self.list_items(listing, page).await?;
        Ok(Page {
            items: page
                .items
                .iter()
                .map(read_invitation)
                .collect::<Result<_, _>>()?,
            next: page.next,
        })
    }

    async fn find_invitation_by_token(
        &self,
        token: &CandidateToken,
    ) -> Result<Option<Invitation>, StoreError> {
        let (organization, id) = token.invitation();
        match self.get_item(invitation_key(organization, id)).await? {
            Some(item) if has_token(&item, &token.hash()) => read_invitation(&item).map(Some),
            _ => Ok(None),
        }
    }

    async fn record_opened(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let update = InvitationUpdate {
            expression: "SET #status = :opened, openedAt = :at",
            values: vec![
                (":opened", s(InvitationStatus::Opened.code())),
                (":at", s(at.to_string())),
            ],
            ..InvitationUpdate::when("#status IN (:sending, :sent, :send_failed)")
        };
        self.update_invitation(organization, id, update).await
    }

    async fn record_completion(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let update = InvitationUpdate {
            expression: "SET #status = :completed, completedAt = :at",
            values: vec![(":at", s(at.to_string()))],
            ..InvitationUpdate::when("NOT #status IN (:completed, :cancelled)")
        };
        self.update_invitation(organization, id, update).await
    }

    async fn record_completion_published(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
    ) -> Result<(), StoreError> {
        let update = InvitationUpdate {
            expression: "SET completionPublished = :true",
            values: vec![(":true", AttributeValue::Bool(true))],
            ..InvitationUpdate::when("#status = :completed")
        };
        self.update_invitation(organization, id, update).await
    }

    async fn cancel_invitation(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
    ) -> Result<(), StoreError> {
        let update = InvitationUpdate {
            expression: "SET #status = :cancelled",
            ..InvitationUpdate::when("NOT #status IN (:completed, :cancelled)")
        };
        self.update_invitation(organization, id, update).await
    }

    async fn claim_recruiter_notification(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<(), StoreError> {
        // Epoch milliseconds, so that DynamoDB compares instants as numbers.
        let update = InvitationUpdate {
            expression: "SET notificationClaimedUntil = :until",
            values: vec![
                (":now", n(now.as_millisecond())),
                (":until", n(until.as_millisecond())),
            ],
            ..InvitationUpdate::when(
                "attribute_not_exists(recruiterNotifiedAt) AND \
                 (attribute_not_exists(notificationClaimedUntil) OR notificationClaimedUntil < :now)",
            )
        };
        self.update_invitation(organization, id, update).await
    }

    async fn record_recruiter_notified(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        at: Timestamp,
        message_id: &str,
    ) -> Result<(), StoreError> {
        let update = InvitationUpdate {
            expression: "SET recruiterNotifiedAt = :at, notificationMessageId = :message \
                         REMOVE notificationClaimedUntil",
            values: vec![(":at", s(at.to_string())), (":message", s(message_id))],
            ..InvitationUpdate::when("attribute_not_exists(recruiterNotifiedAt)")
        };
        self.update_invitation(organization, id, update).await
    }

    async fn release_recruiter_notification(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        until: Timestamp,
    ) -> Result<(), StoreError> {
        let update = InvitationUpdate {
            expression: "REMOVE notificationClaimedUntil",
            values: vec![(":until", n(until.as_millisecond()))],
            ..InvitationUpdate::when("notificationClaimedUntil = :until")
        };
        self.update_invitation(organization, id, update).await
    }

    async fn claim_idempotency_key(
        &self,
        organization: &OrganizationId,
        key: &IdempotencyKey,
        fingerprint: &RequestFingerprint,
        now: Timestamp,
    ) -> Result<KeyClaim, StoreError> {
        let ticket = ClaimTicket::new();
        let write = key_claim_write(now);
        let claimed = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(key_claim_item(
                organization,
                key,
                fingerprint,
                &ticket,
                now,
            )))
            .set_expression_attribute_names(non_empty(write.names))
            .condition_expression(write.condition)
            .set_expression_attribute_values(non_empty(write.values))
            .return_values_on_condition_check_failure(
                aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld,
            )
            .send()
            .await;
        match claimed {
            Ok(_) => Ok(KeyClaim::Claimed(ticket)),
            Err(SdkError::ServiceError(service)) => match service.into_err() {
                PutItemError::ConditionalCheckFailedException(held) => read_key_claim(
                    held.item()
                        .ok_or_else(|| StoreError::Corrupt("no held idempotency record".into()))?,
                    &ticket,
                ),
                other => Err(StoreError::Unavailable(
                    other.code().unwrap_or("unknown").to_owned(),
                )),
            },
            Err(error) => Err(unavailable(error)),
        }
    }

    async fn save_idempotent_response(
        &self,
        organization: &OrganizationId,
        key: &IdempotencyKey,
        ticket: &ClaimTicket,
        response: &SavedResponse,
    ) -> Result<(), StoreError> {
        self.update(
            idempotency_key(organization, key),
            key_answer_write(ticket, response),
        )
        .await
    }

    async fn release_idempotency_key(
        &self,
        organization: &OrganizationId,
        key: &IdempotencyKey,
        ticket: &ClaimTicket,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(idempotency_key(organization, key).0))
            .condition_expression("ticket = :ticket AND #status = :in_progress")
            .update_expression("SET inProgressUntil = :expired")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":ticket", s(ticket.as_str()))
            .expression_attribute_values(":in_progress", s(KEY_IN_PROGRESS))
            .expression_attribute_values(":expired", n(0))
            .send()
            .await
            .map_err(conditional_write_error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_anything_else() {
        let cursor = PageCursor("01JDQ5B3V5Z9K3W8Y4T1M2N6PQ".to_owned());
        assert_eq!(PageCursor::decode(&cursor.encode()), Ok(cursor));
        for forged in ["", "xyz", &URL_SAFE_NO_PAD.encode("ORG#other")] {
            assert!(PageCursor::decode(forged).is_err(), "{forged:?}");
        }
    }
}
