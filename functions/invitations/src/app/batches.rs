//! Invitation batches (`POST /invitation-batches`): which of a batch's accepted rows name a
//! candidate who already holds an active invitation to the batch's video interview, so that the
//! batch does not invite them twice.

use futures_util::StreamExt;
use jiff::Timestamp;

use crate::domain::{
    BatchRows, CandidateEmailDigest, CandidateLookupKey, EmailAddress, InvitationId,
    OrganizationId, VideoInterviewId,
};
use crate::ports::{Invitations, StoreError};

/// Candidates looked up at once: each lookup is an index query and a read per invitation found.
const AT_ONCE: usize = 16;

/// `rows`, each accepted row whose candidate has an invitation of `organization` to `interview`
/// that is active at `now` ([`crate::domain::Invitation::is_active_at`]) marked as already invited
/// by it. Finds them by the candidate's address digest (under `key`), through the store's
/// index: an invitation stored a moment earlier may not be found yet (the index is eventually
/// consistent). Errors when the store cannot be read.
pub async fn mark_already_invited<S: Invitations, E>(
    store: &S,
    organization: &OrganizationId,
    interview: VideoInterviewId,
    key: &CandidateLookupKey,
    mut rows: BatchRows<E>,
    now: Timestamp,
) -> Result<BatchRows<E>, StoreError> {
    let accepted: Vec<(usize, &EmailAddress)> = rows
        .accepted()
        .map(|(index, row)| (index, &row.candidate.email))
        .collect();
    let found: Vec<Result<Option<(usize, InvitationId)>, StoreError>> =
        futures_util::stream::iter(accepted)
            .map(|(index, email)| async move {
                let digest = CandidateEmailDigest::of(key, organization, email);
                Ok(
                    active_invitation(store, organization, interview, &digest, now)
                        .await?
                        .map(|invitation| (index, invitation)),
                )
            })
            .buffer_unordered(AT_ONCE)
            .collect()
            .await;
    let found: Vec<_> = found.into_iter().collect::<Result<_, _>>()?;
    for (index, invitation) in found.into_iter().flatten() {
        rows.already_invited(index, invitation);
    }
    Ok(rows)
}

/// The candidate's newest invitation to `interview` that is active at `now`, if any.
async fn active_invitation<S: Invitations>(
    store: &S,
    organization: &OrganizationId,
    interview: VideoInterviewId,
    digest: &CandidateEmailDigest,
    now: Timestamp,
) -> Result<Option<InvitationId>, StoreError> {
    // Oldest first: the newest active one is the last found.
    let mut active = None;
    for id in store.invitations_of_candidate(organization, digest).await? {
        if let Some(invitation) = store.get_invitation(organization, id).await?
            && invitation.video_interview_id == interview
            && invitation.is_active_at(now)
        {
            active = Some(id);
        }
    }
    Ok(active)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::invitations::cancel_invitation;
    use crate::app::testing::World;
    use crate::domain::{Invitation, RowVerdict, fixtures};

    /// The verdicts of rows to `emails` after the lookup, for `interview`, at `now`.
    async fn verdicts(
        world: &World,
        sent: &Invitation,
        interview: VideoInterviewId,
        emails: &[&str],
        now: Timestamp,
    ) -> Vec<RowVerdict<()>> {
        let rows = fixtures::batch_rows(emails);
        let key = &world.lookup_key;
        let organization = &sent.organization_id;
        let marked = mark_already_invited(&world.store, organization, interview, key, rows, now);
        marked.await.unwrap().into_verdicts()
    }

    #[tokio::test]
    async fn a_candidate_with_an_active_invitation_to_the_interview_is_already_invited_in_any_case()
    {
        let world = World::new();
        let sent = world.send(false).await;
        assert_eq!(sent.candidate.email.as_str(), "anna@example.fi");
        let found = verdicts(
            &world,
            &sent,
            sent.video_interview_id,
            &["Anna@Example.FI", "eino@example.fi"],
            fixtures::now(),
        )
        .await;
        assert_eq!(
            found[0],
            RowVerdict::AlreadyInvited {
                invitation: sent.id
            }
        );
        assert!(matches!(found[1], RowVerdict::Accepted(_)));
    }

    #[tokio::test]
    async fn another_interview_an_expired_or_a_cancelled_invitation_invites_again() {
        let world = World::new();
        let sent = world.send(false).await;
        let other = VideoInterviewId::generate(fixtures::now());
        let after_deadline = sent.deadline.expires_at() + jiff::SignedDuration::from_secs(1);
        let (world, sent) = (&world, &sent);
        let accepted = |interview, at| async move {
            let found = verdicts(world, sent, interview, &["anna@example.fi"], at).await;
            matches!(found[0], RowVerdict::Accepted(_))
        };
        assert!(!accepted(sent.video_interview_id, fixtures::now()).await);
        assert!(accepted(other, fixtures::now()).await);
        assert!(accepted(sent.video_interview_id, after_deadline).await);
        cancel_invitation(
            &world.store,
            &sent.organization_id,
            sent.id,
            fixtures::now(),
        )
        .await
        .unwrap();
        assert!(accepted(sent.video_interview_id, fixtures::now()).await);
    }
}
