//! The reminders due: found through the sparse index on the next reminder's due instant, and
//! claimed one invitation at a time with a conditional write, so that a reminder goes out at most
//! once whatever sweeps overlap or retry.

use std::future::Future;

use jiff::Timestamp;

use super::StoreError;
use crate::domain::{
    AnswerDeadline, CandidateTokenHash, Invitation, InvitationId, OrganizationId, ReminderSlot,
};

/// A reminder found due: its invitation, the instant it was due, and what planning the next one
/// needs (the deadline and the invitation's creation, as the index holds them).
#[derive(Debug, Clone, PartialEq)]
pub struct DueReminder {
    pub organization: OrganizationId,
    pub invitation: InvitationId,
    pub due: Timestamp,
    pub deadline: AnswerDeadline,
    pub created_at: Timestamp,
    /// The invitation's current follow-up link (`Invitation::link_generation`).
    pub link_generation: u32,
}

/// What claiming a due reminder found.
#[derive(Debug, Clone, PartialEq)]
pub enum ReminderClaim {
    /// This sweep holds the reminder: the invitation as the claim left it.
    Claimed(Box<Invitation>),
    /// Not this sweep's (nothing written): another sweep or a retry claimed it, the deadline or
    /// the reminder moved, the invitation may no longer be reminded, or it is gone.
    Gone,
}

pub trait Reminders: Send + Sync {
    /// At most `limit` reminders due at or before `now`, earliest first. Reads the index only:
    /// the cost grows with the reminders due, not with the table.
    fn due_reminders(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<DueReminder>, StoreError>> + Send;

    /// Moves the invitation's reminder on from `reminder` to `next` (none: out of the index),
    /// only if it still is due at `reminder.due` with the same deadline and follow-up link, and no
    /// complaint was received; with `sending` (the hash
    /// of the follow-up link the reminder carries, stored in the same write so that the link works
    /// when the email arrives), also only while the invitation may be reminded (its status one of
    /// `InvitationStatus::REMINDED`). One conditional write: of two sweeps, one claims and the
    /// other finds it `Gone`.
    fn claim_reminder(
        &self,
        reminder: &DueReminder,
        next: Option<&ReminderSlot>,
        sending: Option<&CandidateTokenHash>,
    ) -> impl Future<Output = Result<ReminderClaim, StoreError>> + Send;
}
