//! The claims on an invitation's notices to its recruiter (the notify-me email, the bounce
//! notice), which make each go out once however often its event is delivered.

use std::future::Future;

use jiff::Timestamp;

use super::StoreError;
use crate::domain::{InvitationId, OrganizationId};

/// Which notice to the recruiter a claim is on: each goes out at most once per invitation (the
/// bounce notice once per bounce: a resend to a corrected address starts afresh).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecruiterNotice {
    /// Notify me: the candidate completed.
    Completion,
    /// The candidate's address bounced.
    Bounce,
}

/// A lease on sending one of an invitation's notices (instants compared to the millisecond).
pub trait NotificationClaims: Send + Sync {
    /// Claims the right to send `notice` until `until`: a `Conflict` when it was sent already (or
    /// may have been: unconfirmed), another delivery holds an unexpired claim, or (a bounce
    /// notice) the invitation is not bounced.
    fn claim_recruiter_notification(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        notice: RecruiterNotice,
        now: Timestamp,
        until: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// `notice` went out with this SES message id under the claim taken with `until`; the claim is
    /// done. A `Conflict` when the claim is no longer that one (a resend cleared a bounce
    /// meanwhile: the next bounce is told anew).
    fn record_recruiter_notified(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        notice: RecruiterNotice,
        at: Timestamp,
        message_id: &str,
        until: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// `notice` was handed to SES under the claim taken with `until`, and no answer came back: it
    /// may be out, so the claim becomes final (never taken again) and the invitation says when. A
    /// `Conflict` when the claim is no longer that one.
    fn record_recruiter_notice_unconfirmed(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        notice: RecruiterNotice,
        at: Timestamp,
        until: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Gives up a claim taken with `until` (after a failed send), so that a retry need not wait
    /// for it to expire; a `Conflict` when the claim is no longer that one.
    fn release_recruiter_notification(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        notice: RecruiterNotice,
        until: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
