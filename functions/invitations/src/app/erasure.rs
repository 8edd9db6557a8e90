//! A candidate's rights over what the recruiter's organization holds (GDPR): erasure (article 17),
//! of one invitation or of every invitation to one address, and access (article 15) to every
//! invitation to one address. An invitation erased leaves no item, index entry or saved answer
//! holding the candidate's name, address or token hashes, and `CandidateDataErased` on the bus
//! tells whoever keeps more of it (the recording service's videos) to delete that too. Invitations
//! are found by the keyed digest of the address (`domain::candidate_lookup`), never by a scan.
//!
//! The event goes out before the store erases: if publishing fails nothing is erased and the
//! recruiter's retry does it all; if erasing fails after the event, the retry publishes again
//! (consumers' deletions are idempotent). The other order could erase the invitation and lose the
//! event, leaving the videos behind for good.

use crate::domain::events::CandidateDataErased;
use crate::domain::{
    CandidateEmailDigest, CandidateLookupKey, EmailAddress, Invitation, InvitationId,
    OrganizationId,
};
use crate::ports::{Clock, EventBus, Invitations};

use super::AppError;

/// Erases candidates' data, over the invitations, the bus and the clock.
pub struct Eraser<'a, S, B, C> {
    pub invitations: &'a S,
    pub bus: &'a B,
    pub clock: &'a C,
}

impl<S: Invitations, B: EventBus, C: Clock> Eraser<'_, S, B, C> {
    /// Erases invitation `id` of `organization`, whatever its status and even past its retention
    /// time (TTL may not have deleted it yet). `NotFound` when there is none (never stored, of
    /// another organization, or erased already); `ErasureNotAnnounced` (nothing erased) when the
    /// bus refused the event.
    pub async fn erase_invitation(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
    ) -> Result<(), AppError> {
        if self
            .invitations
            .get_invitation(organization, id)
            .await?
            .is_none()
        {
            return Err(AppError::NotFound);
        }
        self.erase(organization, &[id]).await.map(drop)
    }

    /// Erases every invitation of `organization` to `email` (compared without case), whatever
    /// their status: the ids erased, none when there were none. As for one invitation, nothing is
    /// erased when the bus refuses the event; a repeat after a failure half-way erases the rest.
    /// The index is eventually consistent: what it still names is read first, so that an erasure
    /// repeated at once announces nothing again (an invitation stored a moment before may be
    /// found only by a repeat).
    pub async fn erase_candidate(
        &self,
        organization: &OrganizationId,
        email: &EmailAddress,
        key: &CandidateLookupKey,
    ) -> Result<Vec<InvitationId>, AppError> {
        let digest = CandidateEmailDigest::of(key, organization, email);
        let mut held = Vec::new();
        for id in self
            .invitations
            .invitations_of_candidate(organization, &digest)
            .await?
        {
            if self
                .invitations
                .get_invitation(organization, id)
                .await?
                .is_some()
            {
                held.push(id);
            }
        }
        if held.is_empty() {
            return Ok(held);
        }
        self.erase(organization, &held).await
    }

    /// Every invitation of `organization` to `email` that is kept now (not past its retention
    /// time), oldest first: what an access request answers.
    pub async fn candidate_data(
        &self,
        organization: &OrganizationId,
        email: &EmailAddress,
        key: &CandidateLookupKey,
    ) -> Result<Vec<Invitation>, AppError> {
        let digest = CandidateEmailDigest::of(key, organization, email);
        let now = self.clock.now();
        let mut held = Vec::new();
        for id in self
            .invitations
            .invitations_of_candidate(organization, &digest)
            .await?
        {
            // Erased or deleted between the query and the read: not held any more.
            if let Some(invitation) = self
                .invitations
                .kept_invitation(organization, id, now)
                .await?
            {
                held.push(invitation);
            }
        }
        held.sort_by_key(|invitation| invitation.id);
        Ok(held)
    }

    /// Announces the erasure of `ids`, then erases each: the ids this erasure deleted (another
    /// request may have erased one meanwhile, which is as good).
    async fn erase(
        &self,
        organization: &OrganizationId,
        ids: &[InvitationId],
    ) -> Result<Vec<InvitationId>, AppError> {
        let now = self.clock.now();
        for chunk in ids.chunks(CandidateDataErased::MAX_IDS) {
            let event = CandidateDataErased {
                organization_id: organization.clone(),
                invitation_ids: chunk.to_vec(),
                erased_at: now,
            };
            if let Err(error) = self.bus.publish_erasure(&event).await {
                tracing::error!(%error, organization = organization.as_str(), "the erasure event was not published; nothing erased");
                return Err(AppError::ErasureNotAnnounced);
            }
        }
        let mut erased = Vec::new();
        for id in ids {
            if self
                .invitations
                .erase_invitation(organization, *id, now)
                .await?
            {
                tracing::info!(organization = organization.as_str(), invitation = %id, "invitation erased");
                erased.push(*id);
            }
        }
        Ok(erased)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::memory::{EventLog, MemoryStore};
    use crate::app::testing::World;
    use crate::domain::fixtures;
    use crate::ports::FixedClock;

    /// The invitation as stored, even past its retention time.
    async fn stored(world: &World, invitation: &Invitation) -> Option<Invitation> {
        world
            .store
            .get_invitation(&invitation.organization_id, invitation.id)
            .await
            .unwrap()
    }

    fn eraser(world: &World) -> Eraser<'_, MemoryStore, EventLog, FixedClock> {
        Eraser {
            invitations: &world.store,
            bus: &world.bus,
            clock: &world.clock,
        }
    }

    #[tokio::test]
    async fn an_erased_invitation_is_gone_and_announced_once_without_personal_data() {
        let world = World::new();
        let sent = world.send(false).await;
        eraser(&world)
            .erase_invitation(&sent.organization_id, sent.id)
            .await
            .unwrap();
        assert_eq!(stored(&world, &sent).await, None);
        assert_eq!(
            world.bus.erasures(),
            [CandidateDataErased {
                organization_id: sent.organization_id.clone(),
                invitation_ids: vec![sent.id],
                erased_at: fixtures::now(),
            }]
        );
        // Erased already: nothing to erase, nothing announced again.
        let again = eraser(&world)
            .erase_invitation(&sent.organization_id, sent.id)
            .await;
        assert!(matches!(again, Err(AppError::NotFound)), "{again:?}");
        assert_eq!(world.bus.erasures().len(), 1);
    }

    #[tokio::test]
    async fn when_the_bus_refuses_the_event_nothing_is_erased() {
        let world = World::new();
        let sent = world.send(false).await;
        world.bus.set_failing(true);
        let refused = eraser(&world)
            .erase_invitation(&sent.organization_id, sent.id)
            .await;
        assert!(
            matches!(refused, Err(AppError::ErasureNotAnnounced)),
            "{refused:?}"
        );
        assert!(stored(&world, &sent).await.is_some());
    }

    #[tokio::test]
    async fn a_candidates_invitations_are_found_by_address_in_any_case_and_erased_together() {
        let world = World::new();
        let first = world.send(false).await;
        let second = world.send(false).await;
        let email = EmailAddress::parse(&first.candidate.email.as_str().to_uppercase()).unwrap();
        let held = eraser(&world)
            .candidate_data(&first.organization_id, &email, &world.lookup_key)
            .await
            .unwrap();
        assert_eq!(
            held.iter()
                .map(|invitation| invitation.id)
                .collect::<Vec<_>>(),
            [first.id, second.id]
        );
        // Another organization finds nothing of them.
        let other = OrganizationId::parse("globex").unwrap();
        let none = eraser(&world)
            .candidate_data(&other, &email, &world.lookup_key)
            .await
            .unwrap();
        assert!(none.is_empty());
        let erased = eraser(&world)
            .erase_candidate(&first.organization_id, &email, &world.lookup_key)
            .await
            .unwrap();
        assert_eq!(erased, [first.id, second.id]);
        assert_eq!(world.bus.erasures().len(), 1);
        assert_eq!(
            world.bus.erasures()[0].invitation_ids,
            [first.id, second.id]
        );
        assert!(
            eraser(&world)
                .candidate_data(&first.organization_id, &email, &world.lookup_key)
                .await
                .unwrap()
                .is_empty()
        );
        // Nothing left to erase: nothing announced.
        let again = eraser(&world)
            .erase_candidate(&first.organization_id, &email, &world.lookup_key)
            .await
            .unwrap();
        assert!(again.is_empty());
        assert_eq!(world.bus.erasures().len(), 1);
    }

    #[tokio::test]
    async fn another_organization_cannot_erase_it() {
        let world = World::new();
        let sent = world.send(false).await;
        let other = OrganizationId::parse("globex").unwrap();
        let refused = eraser(&world).erase_invitation(&other, sent.id).await;
        assert!(matches!(refused, Err(AppError::NotFound)), "{refused:?}");
        assert!(world.bus.erasures().is_empty());
        assert!(stored(&world, &sent).await.is_some());
    }
}
