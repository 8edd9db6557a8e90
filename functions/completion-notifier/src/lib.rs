//! Notify me: when a candidate completes, email the recruiter who asked for it, exactly once.
//!
//! EventBridge delivers at least once, and two deliveries of one event may run at the same time. So
//! the send is claimed first with a conditional write (a lease that expires), SES is called only by
//! the delivery holding the claim, and the SES message id is recorded after. A failed send gives
//! the claim back and fails the invocation, so that Lambda retries it; a claim whose holder died
//! expires, so it never blocks a retry for longer than `CLAIM_LEASE`.

use invitations::clock::Clock;
use invitations::completion::VideoInterviewCompleted;
use invitations::domain::{Invitation, InvitationStatus};
use invitations::email::{completed_interview_link, completion_notice};
use invitations::mailer::{MailError, Mailer};
use invitations::store::{Store, StoreError};
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

/// Longer than the function's timeout (see infra/template.yaml), so that a live holder never
/// loses its claim while it sends.
pub const CLAIM_LEASE: SignedDuration = SignedDuration::from_secs(120);

pub struct CompletionNotifier<S, M, C> {
    store: S,
    mailer: M,
    clock: C,
    recruiter_app_url: String,
}

/// How one delivery of the event ended. Every one of them is a success for EventBridge: only a
/// failure worth retrying is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Not our event, or about no invitation we know: logged and dropped (retrying cannot help).
    Dropped,
    /// Marked completed; the recruiter did not ask to be notified.
    NotRequested,
    /// The recruiter has been notified already (an earlier delivery).
    AlreadyNotified,
    /// Another delivery holds the claim and is sending; if it fails, its own retry sends.
    ClaimedElsewhere,
    /// This delivery sent the email.
    Notified,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::Dropped => "dropped",
            Self::NotRequested => "not_requested",
            Self::AlreadyNotified => "already_notified",
            Self::ClaimedElsewhere => "claimed_elsewhere",
            Self::Notified => "notified",
        }
    }
}

/// A failure worth retrying: the invocation fails and Lambda delivers the event again.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error("rendering the notification failed: {0}")]
    Render(#[from] askama::Error),
}

impl<S: Store, M: Mailer, C: Clock> CompletionNotifier<S, M, C> {
    pub fn new(store: S, mailer: M, clock: C, recruiter_app_url: impl Into<String>) -> Self {
        Self {
            store,
            mailer,
            clock,
            recruiter_app_url: recruiter_app_url.into(),
        }
    }

    pub async fn handle(&self, event: &Value) -> Result<Outcome, NotifyError> {
        let completed = match VideoInterviewCompleted::from_event(event) {
            Ok(completed) => completed,
            Err(reason) => {
                // The reason names fields, never their values beyond ids: no personal data.
                tracing::warn!(reason, "dropping an unreadable completion event");
                return Ok(Outcome::Dropped);
            }
        };
        let organization = completed.organization_id.as_str();
        let id = completed.invitation_id;
        let Some(mut invitation) = self.completed_invitation(&completed).await? else {
            return Ok(Outcome::Dropped);
        };
        if !invitation.notify_me {
            tracing::info!(organization, invitation = %id, "completion recorded; no notification asked");
            return Ok(Outcome::NotRequested);
        }
        if invitation.recruiter_notified_at.is_some() {
            tracing::info!(organization, invitation = %id, "recruiter notified already");
            return Ok(Outcome::AlreadyNotified);
        }
        let now = self.clock.now();
        let until = now + CLAIM_LEASE;
        match self
            .store
            .claim_recruiter_notification(&invitation.organization_id, id, now, until)
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict) => {
                tracing::info!(organization, invitation = %id, "notification claimed by another delivery or sent");
                return Ok(Outcome::ClaimedElsewhere);
            }
            Err(error) => return Err(error.into()),
        }
        let completed_at = *invitation
            .completed_at
            .get_or_insert(completed.completed_at);
        let sent = match completion_notice(
            &invitation,
            completed_at,
            &completed_interview_link(&self.recruiter_app_url, &invitation),
        ) {
            Ok(email) => self.mailer.send(&email).await.map_err(NotifyError::from),
            Err(error) => Err(error.into()),
        };
        let message_id = match sent {
            Ok(message_id) => message_id,
            Err(error) => {
                self.release(&invitation, until).await;
                tracing::error!(%error, organization, invitation = %id, "notification not sent; the delivery will be retried");
                return Err(error);
            }
        };
        if let Err(error) = self
            .store
            .record_recruiter_notified(
                &invitation.organization_id,
                id,
                self.clock.now(),
                &message_id,
            )
            .await
        {
            // The email is out. Failing now would send it again once the claim expires, so the
            // delivery succeeds and the missing record is logged for an operator.
            tracing::error!(%error, organization, invitation = %id, message_id, "notification sent but not recorded");
        }
        tracing::info!(organization, invitation = %id, message_id, "recruiter notified");
        Ok(Outcome::Notified)
    }

    /// The invitation the event is about, marked completed if it was not yet (the event may arrive
    /// before, or instead of, the candidate API's update). `None` when it is unknown or cancelled.
    async fn completed_invitation(
        &self,
        completed: &VideoInterviewCompleted,
    ) -> Result<Option<Invitation>, NotifyError> {
        let organization = &completed.organization_id;
        let id = completed.invitation_id;
        let Some(mut invitation) = self.store.get_invitation(organization, id).await? else {
            tracing::warn!(organization = organization.as_str(), invitation = %id, "dropping a completion of an unknown invitation");
            return Ok(None);
        };
        if !matches!(
            invitation.status,
            InvitationStatus::Completed | InvitationStatus::Cancelled
        ) {
            match self
                .store
                .record_completion(organization, id, completed.completed_at)
                .await
            {
                Ok(()) => {
                    invitation.status = InvitationStatus::Completed;
                    invitation.completed_at = Some(completed.completed_at);
                }
                Err(StoreError::Conflict) => {
                    invitation = self
                        .store
                        .get_invitation(organization, id)
                        .await?
                        .ok_or(StoreError::Conflict)?;
                }
                Err(error) => return Err(error.into()),
            }
        }
        if invitation.status == InvitationStatus::Cancelled {
            tracing::warn!(organization = organization.as_str(), invitation = %id, "dropping a completion of a cancelled invitation");
            return Ok(None);
        }
        Ok(Some(invitation))
    }

    /// Gives the claim back so that the retry need not wait for the lease; if this fails too, the
    /// lease expires on its own.
    async fn release(&self, invitation: &Invitation, until: Timestamp) {
        if let Err(error) = self
            .store
            .release_recruiter_notification(&invitation.organization_id, invitation.id, until)
            .await
        {
            tracing::warn!(%error, invitation = %invitation.id, "releasing the notification claim failed; it expires on its own");
        }
    }
}
