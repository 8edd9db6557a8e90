//! The claim on an invitation's notify-me email, which makes it go out once however often the
//! completion event is delivered.

use std::future::Future;

use jiff::Timestamp;

use super::StoreError;
use crate::domain::{InvitationId, OrganizationId};

/// A lease on sending one invitation's notify-me email (instants compared to the millisecond).
pub trait NotificationClaims: Send + Sync {
    /// Claims the right to send until `until`: a `Conflict` when it was sent already (or may have
    /// been: unconfirmed) or another delivery holds an unexpired claim.
    fn claim_recruiter_notification(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        now: Timestamp,
        until: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The notify-me email went out with this SES message id; the claim is done.
    fn record_recruiter_notified(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        at: Timestamp,
        message_id: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The notify-me email was handed to SES under the claim taken with `until`, and no answer
    /// came back: it may be out, so the claim becomes final (never taken again) and the invitation
    /// says when. A `Conflict` when the claim is no longer that one.
    fn record_recruiter_notice_unconfirmed(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        at: Timestamp,
        until: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Gives up a claim taken with `until` (after a failed send), so that a retry need not wait
    /// for it to expire; a `Conflict` when the claim is no longer that one.
    fn release_recruiter_notification(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        until: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
