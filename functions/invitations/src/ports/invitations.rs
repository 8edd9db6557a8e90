//! The store of invitations.

use std::future::Future;

use jiff::Timestamp;

use super::{
    ClaimTicket, DailyEmailQuota, IdempotencyKey, KeyClaim, Page, PageRequest, RequestFingerprint,
    SavedResponse, StoreError,
};
use crate::domain::{
    CandidateEmailDigest, CandidateToken, CandidateTokenHash, EmailAddress, FollowUp, Invitation,
    InvitationEvent, InvitationId, InvitationStatus, OrganizationId, VideoInterviewId,
};

/// Which invitations a listing shows.
#[derive(Debug, Clone, PartialEq)]
pub struct InvitationFilter {
    /// The status the invitations read at `at` (`expired` is derived from the deadline, see
    /// `domain::lifecycle`).
    pub status: Option<InvitationStatus>,
    pub video_interview_id: Option<VideoInterviewId>,
    /// The instant statuses are read at: the request's.
    pub at: Timestamp,
}

impl InvitationFilter {
    /// Every invitation, statuses read at `at`.
    pub fn all(at: Timestamp) -> Self {
        Self {
            status: None,
            video_interview_id: None,
            at,
        }
    }
}

/// The answer to a request with an Idempotency-Key, saved on the key it claimed.
pub struct KeyedAnswer<'a> {
    pub key: &'a IdempotencyKey,
    pub ticket: &'a ClaimTicket,
    pub response: &'a SavedResponse,
}

/// Invitations, each in its organization, with the hashes of their candidate tokens. Every change
/// of status is an [`InvitationEvent`], stored only when the lifecycle table (`domain::lifecycle`)
/// allows it in the stored status, as one conditional write: two racing events cannot both pass.
pub trait Invitations: Send + Sync {
    /// Stores a new invitation (`sending`) with the hash of its candidate token, taking one email
    /// of its organization's `quota` in the same write: `QuotaExhausted` (nothing written) when
    /// the day's are used up. A write retried after its answer was lost succeeds.
    fn insert_invitation(
        &self,
        invitation: &Invitation,
        token: &CandidateTokenHash,
        quota: DailyEmailQuota,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// `insert_invitation` for a request with an Idempotency-Key, which it claims in the same
    /// transaction: `Claimed` when all is written, else what holds the key (nothing written; a
    /// replay takes no email), else `QuotaExhausted`.
    fn insert_invitation_claiming_key(
        &self,
        invitation: &Invitation,
        token: &CandidateTokenHash,
        quota: DailyEmailQuota,
        key: &IdempotencyKey,
        fingerprint: &RequestFingerprint,
        now: Timestamp,
    ) -> impl Future<Output = Result<KeyClaim, StoreError>> + Send;

    /// Records `event`: `Conflict` when the stored status does not allow it (or the invitation
    /// does not exist). A send's outcome retried after its answer was lost succeeds. With
    /// `answer`, the answer of the keyed request is saved with it; it is saved even when the event
    /// cannot be recorded, so that the key never frees itself into a second email.
    fn record_invitation_event(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        event: &InvitationEvent,
        answer: Option<KeyedAnswer<'_>>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Records how a follow-up email went (its SES message id beside the others, when SES accepted
    /// it), whatever the invitation's status: `Conflict` only when the invitation does not exist.
    fn record_follow_up(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        follow_up: &FollowUp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// SES delivered an email to the candidate's `address` at `at`: recorded the first time, while
    /// it still is the candidate's address (`Conflict` otherwise).
    fn record_delivery(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        at: Timestamp,
        address: &EmailAddress,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The candidate at `address` marked an email as spam at `at`: recorded the first time, while
    /// it still is the candidate's address (`Conflict` otherwise), and no reminder is planned any
    /// more.
    fn record_complaint(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        at: Timestamp,
        address: &EmailAddress,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The completion event is on the bus; `Conflict` unless the invitation is `completed`.
    fn record_completion_published(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The invitation as stored, even past its retention time (erasure deletes what TTL has not
    /// yet); every other reader uses [`Invitations::kept_invitation`].
    fn get_invitation(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
    ) -> impl Future<Output = Result<Option<Invitation>, StoreError>> + Send;

    /// The invitation as kept at `at`: `None` past its retention time (`domain::retention`),
    /// whether or not DynamoDB's TTL has deleted it yet.
    fn kept_invitation(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        at: Timestamp,
    ) -> impl Future<Output = Result<Option<Invitation>, StoreError>> + Send {
        async move {
            Ok(self
                .get_invitation(organization, id)
                .await?
                .filter(|invitation| invitation.is_retained_at(at)))
        }
    }

    /// Newest first, in the organization or in one of its video interviews.
    fn list_invitations(
        &self,
        organization: &OrganizationId,
        filter: &InvitationFilter,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Invitation>, StoreError>> + Send;

    /// The ids of every invitation of `organization` to the candidate whose address has `digest`
    /// (`domain::candidate_lookup`), oldest first (by id), through an index: no scan. Past their retention time too, so
    /// that an erasure finds what TTL has not deleted yet; readers filter.
    fn invitations_of_candidate(
        &self,
        organization: &OrganizationId,
        digest: &CandidateEmailDigest,
    ) -> impl Future<Output = Result<Vec<InvitationId>, StoreError>> + Send;

    /// Erases invitation `id` of `organization`, even past its retention time: the item goes
    /// (with its index entries, token hashes and claims), and every saved Idempotency-Key answer
    /// recorded on it becomes an `Erased` marker, in one write. `false` when there was nothing to
    /// erase (never stored, or erased already).
    fn erase_invitation(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        now: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The invitation a candidate token opens at `at`: the one it names, if that holds the
    /// token's hash and is kept at `at`.
    fn find_invitation_by_token(
        &self,
        token: &CandidateToken,
        at: Timestamp,
    ) -> impl Future<Output = Result<Option<Invitation>, StoreError>> + Send;
}
