//! Invitation items. Each transition is recorded as an [`InvitationEvent`] with one conditional
//! UpdateItem whose condition is derived from the lifecycle table (`domain::lifecycle`): DynamoDB
//! accepts it only in a status the event's transition may start from, so two racing events cannot
//! both pass, and no transition rule is written here. Beside it, a send's outcome also passes when
//! it finds itself already written (the SDK retrying after a lost answer), and the completion's
//! publication, which is no transition, needs `completed`.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use jiff::Timestamp;

use super::attributes::{Item, ItemReader, n, questions_attribute, s};
use super::email_quota::email_count_write;
use super::idempotency_records::{
    INVITATION_KEYS, erased_key_write, key_answer_write, key_claim_item, key_claim_write,
    key_entry, read_key_claim,
};
use super::keys::{
    CANDIDATE_INDEX, CANDIDATE_INDEX_PARTITION, INVITATION_PREFIX, REMINDER_QUEUE, REMINDERS,
    VIDEO_INTERVIEW_INDEX, VIDEO_INTERVIEW_INDEX_PARTITION, candidate_partition, email_quota_key,
    idempotency_key, invitation_key, organization_key, video_interview_partition,
};
use super::listing::{ItemFilter, Listing};
use super::notification_claims::notice_attributes;
use super::{ConditionalWrite, DynamoStore};
use crate::domain::{
    AnswerDeadline, Bounce, Candidate, CandidateEmailDigest, CandidateToken, CandidateTokenHash,
    CorrectedEmail, EmailAddress, FollowUp, FollowUpKind, FollowUpOutcome, IanaTimeZone,
    Invitation, InvitationEvent, InvitationId, InvitationStatus, InvitedBy, Language,
    OrganizationId, PersonName, RecruiterId, ReminderKind, ReminderSlot, RetentionPeriod,
    VideoInterviewTitle,
};
use crate::ports::{
    ClaimTicket, DailyEmailQuota, IdempotencyKey, InvitationFilter, Invitations, KeyClaim,
    KeyedAnswer, Page, PageRequest, RecruiterNotice, RequestFingerprint, StoreError,
};

/// A new invitation's item: `sending` with the hash of the token its email carries, or a batch's
/// `queued` one without (its link is made when its turn comes).
pub(super) fn invitation_item(invitation: &Invitation, token: Option<&CandidateTokenHash>) -> Item {
    let mut item = invitation_key(&invitation.organization_id, invitation.id).0;
    let inviter = &invitation.invited_by;
    let mut invited_by = HashMap::from([
        ("id".to_owned(), s(inviter.id.as_str())),
        ("email".to_owned(), s(inviter.email.as_str())),
    ]);
    if let Some(name) = &inviter.name {
        invited_by.insert("name".to_owned(), s(name.as_str()));
    }
    if let Some(name) = &inviter.given_name {
        invited_by.insert("givenName".to_owned(), s(name.as_str()));
    }
    if let Some(language) = inviter.language {
        invited_by.insert("language".to_owned(), s(language.code()));
    }
    if let Some(zone) = &inviter.time_zone {
        invited_by.insert("timeZone".to_owned(), s(zone.name()));
    }
    let deadline = &invitation.deadline;
    item.extend([
        ("entity".to_owned(), s("Invitation")),
        (
            VIDEO_INTERVIEW_INDEX_PARTITION.to_owned(),
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
        // DynamoDB's TTL deletes the item some time after this (epoch seconds).
        ("ttl".to_owned(), n(invitation.retained_until.as_second())),
        (
            "bccMyself".to_owned(),
            AttributeValue::Bool(invitation.bcc_myself),
        ),
        (
            "notifyMe".to_owned(),
            AttributeValue::Bool(invitation.notify_me),
        ),
        (
            "reminders".to_owned(),
            AttributeValue::Bool(invitation.reminders),
        ),
        ("invitedBy".to_owned(), AttributeValue::M(invited_by)),
        ("status".to_owned(), s(invitation.status.code())),
        ("createdAt".to_owned(), s(invitation.created_at.to_string())),
    ]);
    if let Some(token) = token {
        item.insert(
            "tokenHashes".to_owned(),
            AttributeValue::Ss(vec![token.as_str().to_owned()]),
        );
    }
    if let Some(batch) = invitation.batch_id {
        item.insert("batchId".to_owned(), s(batch.to_string()));
    }
    if let Some(slot) = &invitation.next_reminder {
        item.extend(reminder_attributes(slot));
    }
    if let Some(digest) = &invitation.candidate_digest {
        item.insert(
            CANDIDATE_INDEX_PARTITION.to_owned(),
            s(candidate_partition(&invitation.organization_id, digest)),
        );
    }
    // Only a new invitation is ever written whole; later facts arrive by conditional updates.
    debug_assert!(
        matches!(
            invitation.status,
            InvitationStatus::Sending | InvitationStatus::Queued
        ) && invitation.sent_at.is_none()
    );
    item
}

/// The attributes that put an invitation in the reminder index, due at `slot.due` (RFC 3339 in
/// UTC, whole seconds, so that strings sort as instants).
fn reminder_attributes(slot: &ReminderSlot) -> [(String, AttributeValue); 3] {
    [
        (REMINDER_QUEUE.to_owned(), s(REMINDERS)),
        ("reminderDue".to_owned(), s(slot.due.to_string())),
        ("reminderKind".to_owned(), s(slot.kind.code())),
    ]
}

/// The attributes that put an invitation in the reminder index.
const REMINDER_ATTRIBUTES: &str = "reminderQueue, reminderDue, reminderKind";

/// An UpdateExpression built clause by clause: DynamoDB takes each of SET, REMOVE and ADD once,
/// with its actions separated by commas.
#[derive(Default)]
pub(super) struct Update {
    sets: Vec<String>,
    removes: Vec<String>,
    adds: Vec<String>,
}

impl Update {
    pub(super) fn set(&mut self, action: impl Into<String>) -> &mut Self {
        self.sets.push(action.into());
        self
    }

    pub(super) fn remove(&mut self, names: impl Into<String>) -> &mut Self {
        self.removes.push(names.into());
        self
    }

    pub(super) fn add(&mut self, action: impl Into<String>) -> &mut Self {
        self.adds.push(action.into());
        self
    }

    /// Plans `next` (in the reminder index), or takes the invitation out of it; the values go to
    /// `value`.
    pub(super) fn plan_reminder(
        &mut self,
        next: Option<&ReminderSlot>,
        value: &mut impl FnMut(&str, AttributeValue),
    ) -> &mut Self {
        match next {
            Some(slot) => {
                let placeholders = [":queue", ":reminder_due", ":reminder_kind"];
                for ((name, attribute), placeholder) in
                    reminder_attributes(slot).into_iter().zip(placeholders)
                {
                    value(placeholder, attribute);
                    self.set(format!("{name} = {placeholder}"));
                }
                self
            }
            None => self.remove(REMINDER_ATTRIBUTES),
        }
    }

    pub(super) fn expression(&self) -> String {
        [
            ("SET", &self.sets),
            ("REMOVE", &self.removes),
            ("ADD", &self.adds),
        ]
        .into_iter()
        .filter(|(_, actions)| !actions.is_empty())
        .map(|(clause, actions)| format!("{clause} {}", actions.join(", ")))
        .collect::<Vec<_>>()
        .join(" ")
    }
}

fn has_token(item: &Item, token: &CandidateTokenHash) -> bool {
    matches!(item.get("tokenHashes"), Some(AttributeValue::Ss(hashes)) if hashes.iter().any(|hash| hash == token.as_str()))
}

pub(super) fn read_invitation(item: &Item) -> Result<Invitation, StoreError> {
    let reader = ItemReader(item);
    let inviter = reader.map("invitedBy")?;
    let time_zone = reader.parsed("timeZone", IanaTimeZone::parse)?;
    let date = reader.parsed("answerDeadline", AnswerDeadline::parse_date)?;
    let deadline = AnswerDeadline::new(date, time_zone)
        .map_err(|error| StoreError::Corrupt(format!("answerDeadline: {error}")))?;
    // Invitations stored before retention existed have no `ttl`: they get the default period.
    let retained_until = match reader.optional_number::<i64>("ttl")? {
        Some(seconds) => Timestamp::from_second(seconds)
            .map_err(|error| StoreError::Corrupt(format!("ttl: {error}")))?,
        None => RetentionPeriod::default().retained_until(&deadline),
    };
    Ok(Invitation {
        id: reader.parsed("id", str::parse)?,
        organization_id: reader.parsed("organizationId", OrganizationId::parse)?,
        video_interview_id: reader.parsed("videoInterviewId", str::parse)?,
        video_interview_title: VideoInterviewTitle::from_stored(
            reader.string("videoInterviewTitle")?,
        ),
        questions: reader.questions()?,
        candidate: Candidate {
            first_name: PersonName::from_stored(reader.string("firstName")?),
            last_name: PersonName::from_stored(reader.string("lastName")?),
            email: EmailAddress::from_stored(reader.string("email")?),
        },
        language: reader.parsed("language", str::parse::<Language>)?,
        deadline,
        bcc_myself: reader.bool("bccMyself")?,
        notify_me: reader.bool("notifyMe")?,
        // Invitations from before the choice existed are reminded, as new ones are by default.
        reminders: match item.get("reminders") {
            None => true,
            Some(_) => reader.bool("reminders")?,
        },
        next_reminder: read_reminder(&reader)?,
        invited_by: InvitedBy {
            id: inviter.parsed("id", RecruiterId::parse)?,
            email: EmailAddress::from_stored(inviter.string("email")?),
            name: inviter
                .optional_string("name")?
                .map(PersonName::from_stored),
            given_name: inviter
                .optional_string("givenName")?
                .map(PersonName::from_stored),
            language: inviter.optional_parsed("language", str::parse::<Language>)?,
            // Only what the notice is written in: a zone a later tzdb no longer knows leaves the
            // deployment's default, never an unreadable invitation.
            time_zone: inviter
                .optional_string("timeZone")?
                .and_then(|zone| IanaTimeZone::parse(zone).ok()),
        },
        status: reader.parsed("status", str::parse::<InvitationStatus>)?,
        created_at: reader.parsed("createdAt", str::parse::<Timestamp>)?,
        sent_at: reader.optional_timestamp("sentAt")?,
        send_failure: reader.optional_string("sendFailure")?.map(str::to_owned),
        opened_at: reader.optional_timestamp("openedAt")?,
        completed_at: reader.optional_timestamp("completedAt")?,
        completion_published: reader.optional_bool("completionPublished")?,
        recruiter_notified_at: reader.optional_timestamp("recruiterNotifiedAt")?,
        recruiter_notice_unconfirmed_at: reader
            .optional_timestamp("recruiterNoticeUnconfirmedAt")?,
        resend_count: reader.optional_number::<u32>("resendCount")?.unwrap_or(0),
        last_resent_at: reader.optional_timestamp("lastResentAt")?,
        deadline_extension_count: reader
            .optional_number::<u32>("deadlineExtensionCount")?
            .unwrap_or(0),
        deadline_extended_at: reader.optional_timestamp("deadlineExtendedAt")?,
        last_follow_up: reader
            .optional_map("lastFollowUp")?
            .map(|follow_up| read_follow_up(&follow_up))
            .transpose()?,
        email_message_ids: message_ids(item),
        delivered_at: reader.optional_timestamp("deliveredAt")?,
        bounce: reader
            .optional_map("bounce")?
            .map(|bounce| {
                Ok::<_, StoreError>(Bounce {
                    at: bounce.parsed("at", str::parse::<Timestamp>)?,
                    bounce_type: bounce.string("type")?.to_owned(),
                    diagnostic: bounce.optional_string("diagnostic")?.map(str::to_owned),
                    recruiter_notified_at: reader.optional_timestamp("bounceNoticeSentAt")?,
                    recruiter_notice_unconfirmed_at: reader
                        .optional_timestamp("bounceNoticeUnconfirmedAt")?,
                })
            })
            .transpose()?,
        complained_at: reader.optional_timestamp("complainedAt")?,
        link_generation: reader.optional_number("linkGeneration")?.unwrap_or(0),
        retained_until,
        candidate_digest: reader
            .optional_string(CANDIDATE_INDEX_PARTITION)?
            .and_then(|key| key.rsplit_once("#EMAIL#"))
            .map(|(_, digest)| CandidateEmailDigest::from_stored(digest.to_owned())),
        batch_id: reader
            .optional_string("batchId")?
            .map(str::parse)
            .transpose()
            .map_err(|error| StoreError::Corrupt(format!("batchId: {error}")))?,
        dispatched_at: reader.optional_timestamp("dispatchedAt")?,
    })
}

/// The SES message ids of an invitation's emails: `sesMessageIds`, and `sesMessageId` (the last
/// invitation email's, the only one invitations from before the set kept).
fn message_ids(item: &Item) -> Vec<String> {
    let mut ids: Vec<String> = match item.get("sesMessageIds") {
        Some(AttributeValue::Ss(ids)) => ids.clone(),
        _ => Vec::new(),
    };
    if let Some(AttributeValue::S(id)) = item.get("sesMessageId")
        && !ids.contains(id)
    {
        ids.push(id.clone());
    }
    ids
}

/// `bounce`: `{at, type, diagnostic?}`.
fn bounce_attribute(bounce: &Bounce) -> AttributeValue {
    let mut map = HashMap::from([
        ("at".to_owned(), s(bounce.at.to_string())),
        ("type".to_owned(), s(&bounce.bounce_type)),
    ]);
    if let Some(diagnostic) = &bounce.diagnostic {
        map.insert("diagnostic".to_owned(), s(diagnostic));
    }
    AttributeValue::M(map)
}

fn read_reminder(reader: &ItemReader<'_>) -> Result<Option<ReminderSlot>, StoreError> {
    let Some(due) = reader.optional_timestamp("reminderDue")? else {
        return Ok(None);
    };
    let kind = reader.parsed("reminderKind", |code| {
        ReminderKind::parse(code).ok_or_else(|| format!("unknown kind {code}"))
    })?;
    Ok(Some(ReminderSlot { kind, due }))
}

/// `lastFollowUp`: `{kind, at, outcome, messageId | reason}`.
fn follow_up_attribute(follow_up: &FollowUp) -> AttributeValue {
    let mut map = HashMap::from([
        ("kind".to_owned(), s(follow_up.kind.code())),
        ("at".to_owned(), s(follow_up.at.to_string())),
        ("outcome".to_owned(), s(follow_up.outcome.code())),
    ]);
    match &follow_up.outcome {
        FollowUpOutcome::Sent { message_id } => map.insert("messageId".to_owned(), s(message_id)),
        FollowUpOutcome::Failed { reason } | FollowUpOutcome::Unconfirmed { reason } => {
            map.insert("reason".to_owned(), s(reason))
        }
    };
    AttributeValue::M(map)
}

fn read_follow_up(follow_up: &ItemReader<'_>) -> Result<FollowUp, StoreError> {
    let reason = || follow_up.string("reason").map(str::to_owned);
    let outcome = match follow_up.string("outcome")? {
        "sent" => FollowUpOutcome::Sent {
            message_id: follow_up.string("messageId")?.to_owned(),
        },
        "send_failed" => FollowUpOutcome::Failed { reason: reason()? },
        "send_unconfirmed" => FollowUpOutcome::Unconfirmed { reason: reason()? },
        other => {
            return Err(StoreError::Corrupt(format!(
                "lastFollowUp.outcome: {other}"
            )));
        }
    };
    Ok(FollowUp {
        kind: follow_up.parsed("kind", |code| {
            FollowUpKind::parse(code).ok_or_else(|| format!("unknown kind {code}"))
        })?,
        at: follow_up.parsed("at", str::parse::<Timestamp>)?,
        outcome,
    })
}

/// The placeholder of a status in the expressions: `:sent`, `:send_failed`, ...
pub(super) fn status_value(status: InvitationStatus) -> String {
    format!(":{}", status.code())
}

/// The filter of the invitations kept at `at` (`ttl` later than `at`'s second; those stored
/// before retention existed have none) that read `status` at `at`, if given. `expired` is derived (see
/// `domain::lifecycle`): an expiring status stored, and `expiresAt` at or before `at`; an expiring
/// status reads as itself only before that. `expiresAt` is stored as RFC 3339 in UTC with whole
/// seconds (a deadline day ends on a second), so strings compare as instants when `at` is written
/// the same way, floored to its second: `floor(at) >= expiresAt` exactly when `at >= expiresAt`.
fn listing_filter(status: Option<InvitationStatus>, at: Timestamp) -> ItemFilter {
    let kept = "(attribute_not_exists(#ttl) OR #ttl > :now_s)";
    let mut names = HashMap::from([("#ttl".to_owned(), "ttl".to_owned())]);
    let mut values = HashMap::from([(":now_s".to_owned(), n(at.as_second()))]);
    let Some(status) = status else {
        return ItemFilter {
            expression: kept.to_owned(),
            names,
            values,
        };
    };
    let expiring = InvitationStatus::EXPIRING;
    // The statuses compared, and how `expiresAt` must compare with `:now` (none: not at all).
    let (statuses, deadline) = if status == InvitationStatus::Expired {
        (expiring, Some("<="))
    } else if expiring.contains(&status) {
        (std::slice::from_ref(&status), Some(">"))
    } else {
        (std::slice::from_ref(&status), None)
    };
    values.extend(
        statuses
            .iter()
            .map(|status| (status_value(*status), s(status.code()))),
    );
    let list = statuses.iter().map(|status| status_value(*status));
    let mut expression = format!(
        "{kept} AND #status IN ({})",
        list.collect::<Vec<_>>().join(", ")
    );
    if let Some(comparison) = deadline {
        let second = Timestamp::from_second(at.as_second()).unwrap_or(at);
        values.insert(":now".to_owned(), s(second.to_string()));
        expression.push_str(&format!(" AND expiresAt {comparison} :now"));
    }
    names.insert("#status".to_owned(), "status".to_owned());
    ItemFilter {
        expression,
        names,
        values,
    }
}

/// A compare-and-set on the count in `attribute` (absent before the first), so that two racing
/// writes allowed on the same count cannot both pass: the condition, with `:before` and `:count`
/// (the count after) given to `value`.
fn counted(attribute: &str, before: u32, value: &mut impl FnMut(&str, AttributeValue)) -> String {
    value(":count", n(before + 1));
    if before == 0 {
        format!("attribute_not_exists({attribute})")
    } else {
        value(":before", n(before));
        format!("{attribute} = :before")
    }
}

/// The conditional UpdateItem that records `event`, derived from the lifecycle table: the stored
/// status must be one the event's transition may start from, and becomes the one it leads to,
/// with the facts the event records.
fn event_write(organization: &OrganizationId, event: &InvitationEvent) -> ConditionalWrite {
    let transition = event.transition();
    // Only the transitions that change the status use it (see the arms below).
    let to = transition.to().map(status_value).unwrap_or_default();
    let mut values: HashMap<String, AttributeValue> = transition
        .from_stored()
        .chain(transition.to())
        .map(|status| (status_value(status), s(status.code())))
        .collect();
    let mut value = |name: &str, attribute: AttributeValue| {
        values.insert(name.to_owned(), attribute);
    };
    // What the event records beside the status (`update`), what else must hold for it beside the
    // status (`guard`), and how a retry of this very write (the SDK repeating it after its answer
    // was lost) finds it done, where the transition itself would refuse it.
    let mut update = Update::default();
    if let Some(to) = transition.to() {
        update.set(format!("#status = {}", status_value(to)));
    }
    let mut guard: Option<String> = None;
    let mut names = HashMap::from([("#status".to_owned(), "status".to_owned())]);
    let done_already = match event {
        // The link's hash is added in the claim itself, so that the email's link works once sent;
        // its own retry finds the hash there.
        InvitationEvent::Dispatched {
            token,
            at,
            next_reminder,
        } => {
            value(
                ":token",
                AttributeValue::Ss(vec![token.as_str().to_owned()]),
            );
            value(":hash", s(token.as_str()));
            value(":at", s(at.to_string()));
            update
                .set("dispatchedAt = :at")
                .add("tokenHashes :token")
                .plan_reminder(next_reminder.as_ref(), &mut value);
            Some(format!("#status = {to} AND contains(tokenHashes, :hash)"))
        }
        InvitationEvent::Requeued => {
            update.remove(REMINDER_ATTRIBUTES);
            None
        }
        InvitationEvent::Sent { at, message_id }
        | InvitationEvent::SendConfirmed { at, message_id } => {
            value(":at", s(at.to_string()));
            value(":message", s(message_id));
            value(":messages", AttributeValue::Ss(vec![message_id.clone()]));
            update
                .set("sentAt = :at")
                .set("sesMessageId = :message")
                .add("sesMessageIds :messages")
                .remove("sendFailure");
            // The status too: after an open, the retried write must not set `sent` again.
            Some(format!("#status = {to} AND sesMessageId = :message"))
        }
        // Only while it is still the candidate's address (a correction meanwhile wins); nothing
        // is left to remind of.
        InvitationEvent::Bounced { bounce, address } => {
            value(":bounce", bounce_attribute(bounce));
            value(":address", s(address.as_str()));
            guard = Some("email = :address".to_owned());
            update.set("bounce = :bounce").remove(REMINDER_ATTRIBUTES);
            None
        }
        InvitationEvent::SendFailed { reason } | InvitationEvent::SendUnconfirmed { reason } => {
            value(":reason", s(reason));
            update.set("sendFailure = :reason");
            Some(format!("#status = {to} AND sendFailure = :reason"))
        }
        // Counted with a compare-and-set on the count it was allowed on, so that two racing
        // resends cannot both pass the limit; its own retry finds its token added. A corrected
        // address replaces the links (the old ones went to the wrong address), starts the next
        // follow-up link and forgets what SES said of the old address. The invitation leaves
        // `bounced` (a new bounce is told anew), and its reminders are planned again.
        InvitationEvent::Resent {
            token,
            at,
            resends_before,
            corrected_email,
            next_reminder,
        } => {
            value(
                ":token",
                AttributeValue::Ss(vec![token.as_str().to_owned()]),
            );
            guard = Some(counted("resendCount", *resends_before, &mut value));
            value(":hash", s(token.as_str()));
            value(":at", s(at.to_string()));
            update.set("lastResentAt = :at").set("resendCount = :count");
            match corrected_email {
                Some(CorrectedEmail { email, digest }) => {
                    value(":email", s(email.as_str()));
                    value(":zero", n(0));
                    value(":one", n(1));
                    value(":candidate", s(candidate_partition(organization, digest)));
                    update
                        .set("email = :email")
                        .set(format!("{CANDIDATE_INDEX_PARTITION} = :candidate"))
                        .set("tokenHashes = :token")
                        .set("linkGeneration = if_not_exists(linkGeneration, :zero) + :one")
                        .remove("deliveredAt, complainedAt");
                }
                None => {
                    update.add("tokenHashes :token");
                }
            }
            let (sent, message, unconfirmed, claimed) = notice_attributes(RecruiterNotice::Bounce);
            update
                .remove(format!(
                    "sendFailure, bounce, {sent}, {message}, {unconfirmed}, {claimed}"
                ))
                .plan_reminder(next_reminder.as_ref(), &mut value);
            // All of it: after a cancellation, the retry must not set `sending` again.
            Some(format!(
                "#status = {to} AND resendCount = :count AND contains(tokenHashes, :hash)"
            ))
        }
        // Counted like resends, and only for the follow-up link it derived (a correction
        // meanwhile retires it); its own retry finds its count, deadline and instant written.
        InvitationEvent::DeadlineExtended {
            deadline,
            at,
            extensions_before,
            follow_up_link,
            link_generation,
            next_reminder,
            retained_until,
        } => {
            let counted = counted("deadlineExtensionCount", *extensions_before, &mut value);
            let generation = if *link_generation == 0 {
                "attribute_not_exists(linkGeneration)".to_owned()
            } else {
                value(":generation", n(*link_generation));
                "linkGeneration = :generation".to_owned()
            };
            guard = Some(format!("{counted} AND {generation}"));
            value(":date", s(deadline.date().to_string()));
            value(":zone", s(deadline.time_zone().name()));
            value(":expires", s(deadline.expires_at().to_string()));
            value(":at", s(at.to_string()));
            value(":ttl", n(retained_until.as_second()));
            // ZONE is one of DynamoDB's reserved words, and `timeZone` is read as it.
            names.insert("#zone".to_owned(), "timeZone".to_owned());
            names.insert("#ttl".to_owned(), "ttl".to_owned());
            update
                .set("#ttl = :ttl")
                .set("answerDeadline = :date")
                .set("#zone = :zone")
                .set("expiresAt = :expires")
                .set("deadlineExtendedAt = :at")
                .set("deadlineExtensionCount = :count")
                // Planned anew for the new deadline, in the same write.
                .plan_reminder(next_reminder.as_ref(), &mut value);
            if let Some(link) = follow_up_link {
                value(":link", AttributeValue::Ss(vec![link.as_str().to_owned()]));
                update.add("tokenHashes :link");
            }
            Some(
                "deadlineExtensionCount = :count AND expiresAt = :expires \
                 AND deadlineExtendedAt = :at"
                    .to_owned(),
            )
        }
        InvitationEvent::Opened { at } => {
            value(":at", s(at.to_string()));
            update.set("openedAt = :at");
            None
        }
        // Nothing is left to remind of: out of the reminder index.
        InvitationEvent::Completed { at } => {
            value(":at", s(at.to_string()));
            update.set("completedAt = :at").remove(REMINDER_ATTRIBUTES);
            None
        }
        InvitationEvent::Cancelled => {
            update.remove(REMINDER_ATTRIBUTES);
            None
        }
    };
    let allowed = transition
        .from_stored()
        .map(status_value)
        .collect::<Vec<_>>()
        .join(", ");
    let allowed = match guard {
        Some(guard) => format!("#status IN ({allowed}) AND {guard}"),
        None => format!("#status IN ({allowed})"),
    };
    let condition = match done_already {
        Some(done) => format!("{allowed} OR ({done})"),
        None => allowed,
    };
    ConditionalWrite {
        names,
        ..ConditionalWrite::on_existing(&condition, update.expression(), values)
    }
}

impl DynamoStore {
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
}

impl DynamoStore {
    /// The two items of a new invitation's transaction: the invitation (its id must be new; with
    /// the digest of the Idempotency-Key whose answer will be about it) and one more email on its
    /// organization's count of the day (which must not be used up).
    fn invitation_counting_its_email(
        &self,
        invitation: &Invitation,
        token: &CandidateTokenHash,
        quota: DailyEmailQuota,
        key: Option<(&IdempotencyKey, &ClaimTicket)>,
    ) -> Result<[TransactWriteItem; 2], StoreError> {
        let mut item = invitation_item(invitation, Some(token));
        if let Some((key, ticket)) = key {
            item.insert(
                INVITATION_KEYS.to_owned(),
                AttributeValue::Ss(vec![key_entry(key, ticket)]),
            );
        }
        Ok([
            self.transact_put(item, ConditionalWrite::new_item())?,
            self.transact_update(
                email_quota_key(&invitation.organization_id, quota.day),
                email_count_write(quota, 1)?,
            )?,
        ])
    }
}

impl Invitations for DynamoStore {
    async fn insert_invitation(
        &self,
        invitation: &Invitation,
        token: &CandidateTokenHash,
        quota: DailyEmailQuota,
    ) -> Result<(), StoreError> {
        let organization = &invitation.organization_id;
        let items = self.invitation_counting_its_email(invitation, token, quota, None)?;
        match self.transact_naming_failures(items.to_vec()).await {
            Ok(()) => Ok(()),
            // The id is new: only this very write, retried by the SDK after its answer was lost,
            // can have stored it.
            Err(failure)
                if failure.condition_failed(0)
                    && self.holds_token(organization, invitation.id, token).await? =>
            {
                Ok(())
            }
            Err(failure) if failure.condition_failed(1) => Err(StoreError::QuotaExhausted),
            Err(failure) => Err(failure.error),
        }
    }

    async fn insert_invitation_claiming_key(
        &self,
        invitation: &Invitation,
        token: &CandidateTokenHash,
        quota: DailyEmailQuota,
        key: &IdempotencyKey,
        fingerprint: &RequestFingerprint,
        now: Timestamp,
    ) -> Result<KeyClaim, StoreError> {
        let organization = &invitation.organization_id;
        let ticket = ClaimTicket::new();
        let mut items = vec![self.transact_put(
            key_claim_item(organization, key, fingerprint, &ticket, now),
            key_claim_write(now),
        )?];
        items.extend(self.invitation_counting_its_email(
            invitation,
            token,
            quota,
            Some((key, &ticket)),
        )?);
        match self.transact_naming_failures(items).await {
            Ok(()) => Ok(KeyClaim::Claimed(ticket)),
            // The invitation's id is new, so it is the key that is held: by another request (a
            // replay takes no email), or by this very transaction when the SDK retried it after
            // its answer was lost (then the ticket is ours, and the invitation was written with
            // it).
            Err(failure) if failure.condition_failed(0) => {
                let held = self
                    .get_item(idempotency_key(organization, key))
                    .await?
                    // Released or expired in between: the client's retry may claim it.
                    .ok_or_else(|| {
                        StoreError::Unavailable("the idempotency key changed meanwhile".into())
                    })?;
                read_key_claim(&held, &ticket)
            }
            Err(failure) if failure.condition_failed(2) => Err(StoreError::QuotaExhausted),
            Err(failure) => Err(failure.error),
        }
    }

    async fn record_invitation_event(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        event: &InvitationEvent,
        answer: Option<KeyedAnswer<'_>>,
    ) -> Result<(), StoreError> {
        let event_write = event_write(organization, event);
        let Some(answer) = answer else {
            return self
                .update(invitation_key(organization, id), event_write)
                .await;
        };
        let key = || idempotency_key(organization, answer.key);
        let answer_write = || key_answer_write(answer.ticket, answer.response);
        // Both conditions also hold for this very write retried, so a lost answer is harmless.
        let together = self
            .transact(vec![
                self.transact_update(invitation_key(organization, id), event_write.clone())?,
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
            .update(invitation_key(organization, id), event_write)
            .await;
        saved.and(recorded)
    }

    async fn record_completion_published(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
    ) -> Result<(), StoreError> {
        let completed = InvitationStatus::Completed;
        let write = ConditionalWrite {
            names: HashMap::from([("#status".to_owned(), "status".to_owned())]),
            ..ConditionalWrite::on_existing(
                "#status = :completed",
                "SET completionPublished = :true",
                [
                    (":completed", s(completed.code())),
                    (":true", AttributeValue::Bool(true)),
                ],
            )
        };
        self.update(invitation_key(organization, id), write).await
    }

    async fn record_follow_up(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        follow_up: &FollowUp,
    ) -> Result<(), StoreError> {
        let mut values = vec![(":follow_up", follow_up_attribute(follow_up))];
        let mut update = "SET lastFollowUp = :follow_up".to_owned();
        if let FollowUpOutcome::Sent { message_id } = &follow_up.outcome {
            values.push((":message", AttributeValue::Ss(vec![message_id.clone()])));
            update.push_str(" ADD sesMessageIds :message");
        }
        // Kept even after a cancellation meanwhile: it says what went out.
        let write = ConditionalWrite::on_existing("attribute_exists(sk)", update, values);
        self.update(invitation_key(organization, id), write).await
    }

    async fn record_delivery(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        at: Timestamp,
        address: &EmailAddress,
    ) -> Result<(), StoreError> {
        let write = ConditionalWrite::on_existing(
            "attribute_not_exists(deliveredAt) AND email = :address",
            "SET deliveredAt = :at",
            [
                (":at", s(at.to_string())),
                (":address", s(address.as_str())),
            ],
        );
        self.update(invitation_key(organization, id), write).await
    }

    async fn record_complaint(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        at: Timestamp,
        address: &EmailAddress,
    ) -> Result<(), StoreError> {
        let write = ConditionalWrite::on_existing(
            "attribute_not_exists(complainedAt) AND email = :address",
            format!("SET complainedAt = :at REMOVE {REMINDER_ATTRIBUTES}"),
            [
                (":at", s(at.to_string())),
                (":address", s(address.as_str())),
            ],
        );
        self.update(invitation_key(organization, id), write).await
    }

    async fn get_invitation(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
    ) -> Result<Option<Invitation>, StoreError> {
        self.get_read(invitation_key(organization, id), read_invitation)
            .await
    }

    async fn list_invitations(
        &self,
        organization: &OrganizationId,
        filter: &InvitationFilter,
        page: &PageRequest,
    ) -> Result<Page<Invitation>, StoreError> {
        let listing = match filter.video_interview_id {
            Some(video_interview) => Listing {
                partition_attribute: VIDEO_INTERVIEW_INDEX_PARTITION,
                partition: video_interview_partition(organization, video_interview),
                index: Some(VIDEO_INTERVIEW_INDEX),
                prefix: INVITATION_PREFIX,
                filter: Some(listing_filter(filter.status, filter.at)),
                organization,
            },
            None => Listing {
                partition_attribute: "pk",
                partition: organization_key(organization),
                index: None,
                prefix: INVITATION_PREFIX,
                filter: Some(listing_filter(filter.status, filter.at)),
                organization,
            },
        };
        self.list(listing, page, read_invitation).await
    }

    async fn invitations_of_candidate(
        &self,
        organization: &OrganizationId,
        digest: &CandidateEmailDigest,
    ) -> Result<Vec<InvitationId>, StoreError> {
        let query = || {
            self.client
                .query()
                .table_name(&self.table)
                .index_name(CANDIDATE_INDEX)
                .key_condition_expression("#candidate = :candidate")
                .expression_attribute_names("#candidate", CANDIDATE_INDEX_PARTITION)
                .expression_attribute_values(
                    ":candidate",
                    s(candidate_partition(organization, digest)),
                )
        };
        let invitation_id = |item: &Item| {
            ItemReader(item)
                .string("sk")?
                .strip_prefix(INVITATION_PREFIX)
                .and_then(|id| id.parse().ok())
                .ok_or_else(|| StoreError::Corrupt("a candidate's item is no invitation".into()))
        };
        self.query_all(query, None, invitation_id).await
    }

    async fn erase_invitation(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        // The saved answers are marked erased first, each while it still is its claim's; then the
        // invitation goes, on condition that no answer was recorded on it since (the set only
        // grows): one recorded in between makes the delete fail, and the next round marks it too.
        const ROUNDS: usize = 3;
        for _ in 0..ROUNDS {
            let Some(item) = self.get_item(invitation_key(organization, id)).await? else {
                return Ok(false);
            };
            let entries = match item.get(INVITATION_KEYS) {
                Some(AttributeValue::Ss(entries)) => entries.clone(),
                _ => Vec::new(),
            };
            for (marker, write) in entries
                .iter()
                .filter_map(|entry| erased_key_write(organization, entry, now))
            {
                match self.update(marker, write).await {
                    // Expired, or claimed since by another request: not this invitation's.
                    Ok(()) | Err(StoreError::Conflict) => {}
                    Err(error) => return Err(error),
                }
            }
            let mut values = HashMap::new();
            let unchanged = if entries.is_empty() {
                format!("attribute_not_exists({INVITATION_KEYS})")
            } else {
                values.insert(":keys".to_owned(), n(entries.len()));
                format!("size({INVITATION_KEYS}) = :keys")
            };
            let write = ConditionalWrite {
                condition: format!("attribute_exists(pk) AND {unchanged}"),
                update: None,
                names: HashMap::new(),
                values,
            };
            match self.delete(invitation_key(organization, id), write).await {
                Ok(()) => return Ok(true),
                Err(StoreError::Conflict) => continue,
                Err(error) => return Err(error),
            }
        }
        Err(StoreError::Unavailable(
            "the invitation kept changing while it was erased".to_owned(),
        ))
    }

    async fn find_invitation_by_token(
        &self,
        token: &CandidateToken,
        at: Timestamp,
    ) -> Result<Option<Invitation>, StoreError> {
        let (organization, id) = token.invitation();
        match self.get_item(invitation_key(organization, id)).await? {
            Some(item) if has_token(&item, &token.hash()) => Ok(read_invitation(&item)
                .map(Some)?
                .filter(|invitation| invitation.is_retained_at(at))),
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::domain::Transition;

    fn one_event_of_each_transition() -> Vec<InvitationEvent> {
        let at = Timestamp::UNIX_EPOCH;
        let events = vec![
            InvitationEvent::Dispatched {
                token: CandidateTokenHash::from_stored("h-0".into()),
                at,
                next_reminder: None,
            },
            InvitationEvent::Requeued,
            InvitationEvent::Sent {
                at,
                message_id: "m-1".into(),
            },
            InvitationEvent::SendFailed {
                reason: "refused".into(),
            },
            InvitationEvent::SendUnconfirmed {
                reason: "no answer".into(),
            },
            InvitationEvent::Resent {
                token: CandidateTokenHash::from_stored("ab".into()),
                at,
                resends_before: 0,
                corrected_email: None,
                next_reminder: None,
            },
            InvitationEvent::Resent {
                token: CandidateTokenHash::from_stored("cd".into()),
                at,
                resends_before: 2,
                corrected_email: Some(CorrectedEmail {
                    email: EmailAddress::parse("anna@example.fi").unwrap(),
                    digest: CandidateEmailDigest::from_stored("ab".repeat(32)),
                }),
                next_reminder: Some(ReminderSlot {
                    kind: ReminderKind::BeforeDeadline,
                    due: at,
                }),
            },
            InvitationEvent::SendConfirmed {
                at,
                message_id: "m-2".into(),
            },
            InvitationEvent::Bounced {
                bounce: Bounce {
                    at,
                    bounce_type: "Permanent/NoEmail".into(),
                    diagnostic: Some("smtp; 550 5.1.1 user unknown".into()),
                    recruiter_notified_at: None,
                    recruiter_notice_unconfirmed_at: None,
                },
                address: EmailAddress::parse("anna@example.fi").unwrap(),
            },
            InvitationEvent::Opened { at },
            InvitationEvent::Completed { at },
            InvitationEvent::Cancelled,
            InvitationEvent::DeadlineExtended {
                deadline: crate::domain::fixtures::invitation().deadline,
                at,
                extensions_before: 1,
                follow_up_link: Some(CandidateTokenHash::from_stored("ef".into())),
                link_generation: 2,
                next_reminder: Some(ReminderSlot {
                    kind: ReminderKind::LastDay,
                    due: at,
                }),
                retained_until: at,
            },
        ];
        let covered: BTreeSet<_> = events
            .iter()
            .map(|event| event.transition().code())
            .collect();
        assert_eq!(
            covered.len(),
            Transition::ALL.len(),
            "one event per transition"
        );
        events
    }

    /// The `:values` and `#names` an expression uses.
    fn placeholders(expression: &str) -> BTreeSet<String> {
        expression
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == '#'))
            .filter(|token| token.starts_with([':', '#']))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn each_event_write_is_conditioned_on_the_statuses_its_transition_starts_from() {
        for event in one_event_of_each_transition() {
            let transition = event.transition();
            let write = event_write(&OrganizationId::parse("acme").unwrap(), &event);
            let list = write
                .condition
                .split_once("#status IN (")
                .and_then(|(_, rest)| rest.split_once(')'))
                .map(|(list, _)| list.split(", ").map(str::to_owned).collect::<BTreeSet<_>>())
                .unwrap_or_else(|| panic!("{:?}: {}", transition, write.condition));
            let from: BTreeSet<_> = transition.from_stored().map(status_value).collect();
            assert_eq!(list, from, "{transition:?}");
            assert!(write.condition.starts_with("attribute_exists(pk) AND ("));
            let update = write.update.clone().unwrap();
            match transition.to() {
                Some(to) => {
                    assert!(
                        update.starts_with(&format!("SET #status = {}", status_value(to))),
                        "{update}"
                    );
                    assert_eq!(write.values[&status_value(to)], s(to.code()));
                }
                None => assert!(!update.contains("#status"), "{update}"),
            }
            // DynamoDB refuses undefined and unused placeholders alike.
            let used = &placeholders(&write.condition) | &placeholders(&update);
            let defined: BTreeSet<_> = write
                .values
                .keys()
                .chain(write.names.keys())
                .cloned()
                .collect();
            assert_eq!(used, defined, "{transition:?}");
        }
    }

    #[test]
    fn a_listing_filter_keeps_only_retained_invitations_reads_expired_from_the_deadline_and_uses_every_placeholder_it_defines()
     {
        let at: Timestamp = "2026-12-15T22:00:00.999Z".parse().unwrap();
        let statuses = InvitationStatus::ALL.into_iter().map(Some);
        for status in statuses.chain([None]) {
            let filter = listing_filter(status, at);
            let used = placeholders(&filter.expression);
            let defined: BTreeSet<_> = filter
                .values
                .keys()
                .chain(filter.names.keys())
                .cloned()
                .collect();
            assert_eq!(used, defined, "{status:?}");
            assert!(
                filter
                    .expression
                    .starts_with("(attribute_not_exists(#ttl) OR #ttl > :now_s)"),
                "{status:?}"
            );
            assert_eq!(filter.values[":now_s"], n(at.as_second()), "{status:?}");
            let derived = status.is_some_and(|status| {
                InvitationStatus::EXPIRING.contains(&status) || status == InvitationStatus::Expired
            });
            assert_eq!(
                filter.values.get(":now"),
                derived.then(|| s("2026-12-15T22:00:00Z")).as_ref(),
                "{status:?}: compared with the instant floored to its second"
            );
        }
        assert_eq!(
            listing_filter(Some(InvitationStatus::Expired), at).expression,
            "(attribute_not_exists(#ttl) OR #ttl > :now_s) AND \
             #status IN (:sending, :sent, :send_failed, :send_unconfirmed, :opened) \
             AND expiresAt <= :now"
        );
    }
}
