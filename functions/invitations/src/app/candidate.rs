//! The candidate's side: opening the personal link and completing the interview. The token is
//! the only authority; an unknown one is `NotFound`, saying nothing more.

use jiff::Timestamp;

use crate::domain::events::VideoInterviewCompleted;
use crate::domain::{
    CandidateAccess, CandidateToken, Invitation, InvitationEvent, InvitationStatus, Transition,
};
use crate::ports::{Clock, EventBus, Invitations, StoreError};

use super::{AppError, GoneReason, record_and_settle};

/// What the candidate's interview app does, over the invitations, the event bus and the clock.
pub struct CandidateSide<'a, S, B, C> {
    pub invitations: &'a S,
    pub bus: &'a B,
    pub clock: &'a C,
}

impl<S: Invitations, B: EventBus, C: Clock> CandidateSide<'_, S, B, C> {
    /// The invitation a token opens, for the interview app to show. The first open while
    /// answering is allowed marks it `opened`. `Gone` once it expired or was cancelled.
    pub async fn open(&self, token: &CandidateToken) -> Result<Invitation, AppError> {
        let now = self.clock.now();
        let mut invitation = self.invitation(token, now).await?;
        if invitation.candidate_access(now) == CandidateAccess::Open
            && invitation.status.allows(Transition::Opened)
        {
            let opened = InvitationEvent::Opened { at: now };
            record_and_settle(
                self.invitations,
                &mut invitation,
                &opened,
                "invitation opened",
            )
            .await?;
        }
        answerable(&invitation, now)?;
        Ok(invitation)
    }

    /// The candidate submitted. Recorded once (a repeat changes nothing), then announced on the
    /// bus. If announcing fails, the answer is `CompletionNotAnnounced` and a repeat announces it:
    /// the notifier is idempotent, so an event published twice is harmless, one never published
    /// is not.
    pub async fn complete(&self, token: &CandidateToken) -> Result<Invitation, AppError> {
        let now = self.clock.now();
        let mut invitation = self.invitation(token, now).await?;
        if invitation.candidate_access(now) == CandidateAccess::Open {
            let completed = InvitationEvent::Completed { at: now };
            record_and_settle(
                self.invitations,
                &mut invitation,
                &completed,
                "video interview completed",
            )
            .await?;
        }
        answerable(&invitation, now)?;
        let completed_at = match (invitation.status, invitation.completed_at) {
            (InvitationStatus::Completed, Some(at)) => at,
            _ => {
                return Err(StoreError::Corrupt(
                    "an answerable completion that is not recorded as completed".to_owned(),
                )
                .into());
            }
        };
        if !invitation.completion_published {
            self.announce(&invitation, completed_at).await?;
            invitation.completion_published = true;
        }
        Ok(invitation)
    }

    async fn invitation(
        &self,
        token: &CandidateToken,
        now: Timestamp,
    ) -> Result<Invitation, AppError> {
        self.invitations
            .find_invitation_by_token(token, now)
            .await?
            .ok_or(AppError::NotFound)
    }

    async fn announce(
        &self,
        invitation: &Invitation,
        completed_at: Timestamp,
    ) -> Result<(), AppError> {
        let event = VideoInterviewCompleted {
            organization_id: invitation.organization_id.clone(),
            invitation_id: invitation.id,
            completed_at,
        };
        if let Err(error) = self.bus.publish(&event).await {
            tracing::error!(%error, invitation = %invitation.id, "completion event not published");
            return Err(AppError::CompletionNotAnnounced);
        }
        // Only saves a repeat's publish: if this write fails, a repeat publishes a duplicate, which
        // the notifier ignores.
        if let Err(error) = self
            .invitations
            .record_completion_published(&invitation.organization_id, invitation.id)
            .await
        {
            tracing::warn!(%error, invitation = %invitation.id, "recording the publication failed");
        }
        Ok(())
    }
}

/// `Gone` unless the candidate may still see the interview (open, or done).
fn answerable(invitation: &Invitation, now: Timestamp) -> Result<(), AppError> {
    match invitation.candidate_access(now) {
        CandidateAccess::Open | CandidateAccess::Completed => Ok(()),
        CandidateAccess::Expired => Err(AppError::Gone(GoneReason::Expired)),
        CandidateAccess::Cancelled => Err(AppError::Gone(GoneReason::Cancelled)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::memory::{EventLog, MemoryStore};
    use crate::app::testing::World;
    use crate::domain::fixtures;
    use crate::ports::FixedClock;

    fn candidate(world: &World) -> CandidateSide<'_, MemoryStore, EventLog, FixedClock> {
        CandidateSide {
            invitations: &world.store,
            bus: &world.bus,
            clock: &world.clock,
        }
    }

    fn later(minutes: i64) -> Timestamp {
        fixtures::now() + jiff::SignedDuration::from_mins(minutes)
    }

    #[tokio::test]
    async fn the_first_open_marks_the_invitation_opened_and_a_later_one_keeps_it() {
        let world = World::new();
        let sent = world.send(false).await;
        let token = world.last_token();
        let opened = candidate(&world).open(&token).await.unwrap();
        assert_eq!(opened.status, InvitationStatus::Opened);
        assert_eq!(opened.opened_at, Some(fixtures::now()));
        let world = world.at(later(5));
        let again = candidate(&world).open(&token).await.unwrap();
        assert_eq!(again.opened_at, Some(fixtures::now()));
        assert_eq!(world.stored(&sent), again);
    }

    #[tokio::test]
    async fn completing_records_once_and_announces_once() {
        let world = World::new();
        let sent = world.send(false).await;
        let token = world.last_token();
        let completed = candidate(&world).complete(&token).await.unwrap();
        assert_eq!(completed.status, InvitationStatus::Completed);
        assert!(completed.completion_published);
        let world = world.at(later(1));
        let repeated = candidate(&world).complete(&token).await.unwrap();
        assert_eq!(repeated.completed_at, Some(fixtures::now()));
        let published = world.bus.published();
        assert_eq!(published.len(), 1);
        assert_eq!(published[0].invitation_id, sent.id);
        assert_eq!(published[0].completed_at, fixtures::now());
    }

    #[tokio::test]
    async fn a_completion_the_bus_refused_is_kept_and_announced_by_the_repeat() {
        let world = World::new();
        let sent = world.send(false).await;
        let token = world.last_token();
        world.bus.set_failing(true);
        let refused = candidate(&world).complete(&token).await;
        assert!(
            matches!(refused, Err(AppError::CompletionNotAnnounced)),
            "{refused:?}"
        );
        let stored = world.stored(&sent);
        assert_eq!(stored.status, InvitationStatus::Completed);
        assert!(!stored.completion_published);
        world.bus.set_failing(false);
        candidate(&world).complete(&token).await.unwrap();
        assert_eq!(world.bus.published().len(), 1);
        assert!(world.stored(&sent).completion_published);
    }

    #[tokio::test]
    async fn after_the_deadline_day_or_a_cancellation_the_link_is_gone() {
        let world = World::new();
        let sent = world.send(false).await;
        let token = world.last_token();
        // 15 December ends at 22:00 UTC in Helsinki.
        let world = world.at("2026-12-15T22:00:00Z".parse().unwrap());
        for refused in [
            candidate(&world).open(&token).await,
            candidate(&world).complete(&token).await,
        ] {
            assert!(
                matches!(refused, Err(AppError::Gone(GoneReason::Expired))),
                "{refused:?}"
            );
        }
        assert_eq!(world.stored(&sent).status, InvitationStatus::Sent);
        let world = world.at(fixtures::now());
        world.record(&sent, InvitationEvent::Cancelled).await;
        let refused = candidate(&world).open(&token).await;
        assert!(
            matches!(refused, Err(AppError::Gone(GoneReason::Cancelled))),
            "{refused:?}"
        );
        assert!(world.bus.published().is_empty());
    }

    #[tokio::test]
    async fn a_token_of_no_invitation_opens_nothing() {
        let world = World::new();
        world.send(false).await;
        let recruiter = fixtures::recruiter();
        let stranger = CandidateToken::generate(
            &recruiter.organization_id,
            crate::domain::InvitationId::generate(fixtures::now()),
        );
        assert!(matches!(
            candidate(&world).open(&stranger).await,
            Err(AppError::NotFound)
        ));
    }
}
