//! The store of invitation batches, and the queue their invitations wait in.

use std::future::Future;

use serde::{Deserialize, Serialize};

use super::{DailyEmailQuota, Page, PageRequest, StoreError};
use crate::domain::{Invitation, InvitationBatch, InvitationBatchId, InvitationId, OrganizationId};

/// Invitation batches, each in its organization, beside the invitations they made.
pub trait InvitationBatches: Send + Sync {
    /// Stores `batch` (its id must be new) and takes `emails` of its organization's `quota` in
    /// the same write: `QuotaExhausted` (nothing written) when fewer are left for the day. A
    /// write retried after its answer was lost succeeds.
    fn insert_batch(
        &self,
        batch: &InvitationBatch,
        quota: DailyEmailQuota,
        emails: u32,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stores a batch's `queued` invitations (their ids new), in as many writes as it takes;
    /// writing one twice is harmless. Errors when some could not be written (the others may
    /// have been).
    fn insert_queued_invitations(
        &self,
        invitations: &[Invitation],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The batch as stored, or `None` (never stored, another organization's, or gone).
    fn get_batch(
        &self,
        organization: &OrganizationId,
        id: InvitationBatchId,
    ) -> impl Future<Output = Result<Option<InvitationBatch>, StoreError>> + Send;

    /// The organization's batches, newest first.
    fn list_batches(
        &self,
        organization: &OrganizationId,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<InvitationBatch>, StoreError>> + Send;

    /// Those of the invitations `ids` of `organization` that are stored, in no particular order
    /// (as many reads as it takes: a batch has up to a thousand).
    fn get_invitations(
        &self,
        organization: &OrganizationId,
        ids: &[InvitationId],
    ) -> impl Future<Output = Result<Vec<Invitation>, StoreError>> + Send;
}

/// A queued invitation to send, as its queue message names it (JSON, `organizationId` and
/// `invitationId`): the message holds no personal data, the invitation does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuedInvitation {
    pub organization_id: OrganizationId,
    pub invitation_id: InvitationId,
}

/// The queue the sender (`invitation-sender`) takes queued invitations from, at the deployment's
/// sending rate. Delivery is at least once: the sender's conditional claim makes a second
/// delivery harmless.
pub trait SendQueue: Send + Sync {
    /// Puts every one of `invitations` on the queue, or errors (`Unavailable`: some may be on it).
    fn enqueue(
        &self,
        invitations: &[QueuedInvitation],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
