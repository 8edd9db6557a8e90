//! Notify me: when a candidate completes, email the recruiter who asked for it, exactly once.
//!
//! EventBridge delivers at least once, and two deliveries of one event may run at the same time. So
//! the send is claimed first with a conditional write (a lease that expires), SES is called only by
//! the delivery holding the claim, and the SES message id is recorded after. A failed send (SES
//! answered, or could not be reached: nothing went out) gives the claim back and fails the
//! invocation, so that Lambda retries it; a claim whose holder died expires, so it never blocks a
//! retry for longer than `CLAIM_LEASE`. A send whose answer was lost may have emailed the
//! recruiter: its claim is kept for good and the invitation records the notice as unconfirmed,
//! the delivery succeeds (a retry would email again), and the log line feeds an alarm.

use jiff::SignedDuration;

use crate::domain::events::VideoInterviewCompleted;
use crate::domain::{IanaTimeZone, Invitation, InvitationEvent, InvitationStatus};
use crate::email::{completed_interview_link, completion_notice};
use crate::metrics::{self, Counter};
use crate::ports::{
    Clock, Invitations, MailError, Mailer, NotificationClaims, OrganizationProfiles, OutgoingEmail,
    RecruiterNotice, StoreError,
};

use super::organizations::Employers;
use super::{AppError, record_and_settle};

/// Longer than the function's timeout (see infra/template.yaml), so that a live holder never
/// loses its claim while it sends.
pub const CLAIM_LEASE: SignedDuration = SignedDuration::from_secs(120);

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
    /// This delivery handed the email to SES and got no answer: it may be out, and is not sent
    /// again.
    Unconfirmed,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::Dropped => "dropped",
            Self::NotRequested => "not_requested",
            Self::AlreadyNotified => "already_notified",
            Self::ClaimedElsewhere => "claimed_elsewhere",
            Self::Notified => "notified",
            Self::Unconfirmed => "unconfirmed",
        }
    }
}

/// Sends notify-me emails: the ports it needs and where the recruiter's link leads.
pub struct RecruiterNotifier<'a, S, M, C> {
    pub store: &'a S,
    pub mailer: &'a M,
    pub clock: &'a C,
    /// Base of the link to a completed interview (`RECRUITER_APP_URL`).
    pub recruiter_app_url: &'a str,
    /// The employers the notices name (their organizations' profiles, cached).
    pub employers: &'a Employers,
    /// The zone of a notice to a recruiter without a `zoneinfo` claim (`DEFAULT_TIME_ZONE`).
    pub default_time_zone: &'a IanaTimeZone,
}

impl<S, M, C> RecruiterNotifier<'_, S, M, C>
where
    S: Invitations + NotificationClaims + OrganizationProfiles,
    M: Mailer,
    C: Clock,
{
    /// Reacts to one delivery of a completion event.
    pub async fn notify(&self, completed: &VideoInterviewCompleted) -> Result<Outcome, AppError> {
        let organization = completed.organization_id.as_str();
        let id = completed.invitation_id;
        let Some(mut invitation) = self.completed_invitation(completed).await? else {
            return Ok(Outcome::Dropped);
        };
        if !invitation.notify_me {
            tracing::info!(organization, invitation = %id, "completion recorded; no notification asked");
            return Ok(Outcome::NotRequested);
        }
        if invitation.recruiter_notified_at.is_some()
            || invitation.recruiter_notice_unconfirmed_at.is_some()
        {
            tracing::info!(organization, invitation = %id, "recruiter notified already");
            return Ok(Outcome::AlreadyNotified);
        }
        let now = self.clock.now();
        // Read and rendered before the claim: a store that cannot be read, or a template that
        // fails, leaves nothing to undo.
        let employer = self
            .employers
            .employer(self.store, &invitation.organization_id, now)
            .await?;
        let completed_at = *invitation
            .completed_at
            .get_or_insert(completed.completed_at);
        let email = completion_notice(
            &invitation,
            &employer,
            completed_at,
            self.default_time_zone,
            &completed_interview_link(self.recruiter_app_url, &invitation),
        )?;
        OnceNotice {
            store: self.store,
            mailer: self.mailer,
            clock: self.clock,
        }
        .send(&invitation, RecruiterNotice::Completion, &email)
        .await
    }

    /// The invitation the event is about, marked completed if it was not yet (the event may arrive
    /// before, or instead of, the candidate API's update). `None` when it is unknown or cancelled,
    /// or when the event reports a completion the invitation cannot have had (dated before its
    /// creation, after its deadline or in the future: [`Invitation::check_reported_completion`]).
    async fn completed_invitation(
        &self,
        completed: &VideoInterviewCompleted,
    ) -> Result<Option<Invitation>, AppError> {
        let organization = &completed.organization_id;
        let id = completed.invitation_id;
        let now = self.clock.now();
        // Erased, never stored, or past its retention time: nothing to record, no one to tell.
        let Some(mut invitation) = self.store.kept_invitation(organization, id, now).await? else {
            tracing::warn!(organization = organization.as_str(), invitation = %id, "dropping a completion of an unknown invitation");
            return Ok(None);
        };
        let completion = InvitationEvent::Completed {
            at: completed.completed_at,
        };
        if invitation.status.allows(completion.transition()) {
            if let Err(refused) = invitation.check_reported_completion(completed.completed_at, now)
            {
                tracing::warn!(organization = organization.as_str(), invitation = %id, %refused, "dropping a completion the invitation cannot have had");
                return Ok(None);
            }
            record_and_settle(
                self.store,
                &mut invitation,
                &completion,
                "completion recorded from the event",
            )
            .await?;
        }
        if invitation.status == InvitationStatus::Cancelled {
            tracing::warn!(organization = organization.as_str(), invitation = %id, "dropping a completion of a cancelled invitation");
            return Ok(None);
        }
        Ok(Some(invitation))
    }
}

/// Sends a notice to the recruiter at most once per invitation and notice: claimed first, sent by
/// the delivery holding the claim, recorded after (see the module's description).
pub(super) struct OnceNotice<'a, S, M, C> {
    pub store: &'a S,
    pub mailer: &'a M,
    pub clock: &'a C,
}

impl<S: NotificationClaims, M: Mailer, C: Clock> OnceNotice<'_, S, M, C> {
    /// Sends `email`, the `notice` of `invitation`, unless it was sent already or another
    /// delivery holds its claim. A failed send gives the claim back and is an error (worth a
    /// retry); a send whose answer was lost keeps the claim for good and is `Unconfirmed`.
    pub(super) async fn send(
        &self,
        invitation: &Invitation,
        notice: RecruiterNotice,
        email: &OutgoingEmail,
    ) -> Result<Outcome, AppError> {
        let organization = invitation.organization_id.as_str();
        let id = invitation.id;
        let now = self.clock.now();
        let until = now + CLAIM_LEASE;
        match self
            .store
            .claim_recruiter_notification(&invitation.organization_id, id, notice, now, until)
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict) => {
                tracing::info!(organization, invitation = %id, ?notice, "notice claimed by another delivery or sent");
                return Ok(Outcome::ClaimedElsewhere);
            }
            Err(error) => return Err(error.into()),
        }
        let message_id = match self.mailer.send(email).await {
            Ok(message_id) => {
                metrics::count(Counter::NoticesSent);
                message_id
            }
            Err(error @ MailError::Unconfirmed(_)) => {
                if let Err(record) = self
                    .store
                    .record_recruiter_notice_unconfirmed(
                        &invitation.organization_id,
                        id,
                        notice,
                        self.clock.now(),
                        until,
                    )
                    .await
                {
                    tracing::error!(error = %record, organization, invitation = %id, "recording an unconfirmed notice failed; its claim expires");
                }
                metrics::count(Counter::NoticeSendsUnconfirmed);
                tracing::error!(%error, organization, invitation = %id, ?notice, "recruiter notice unconfirmed");
                return Ok(Outcome::Unconfirmed);
            }
            Err(error) => {
                // Given back so that the retry need not wait for the lease; if this fails too,
                // the lease expires on its own.
                if let Err(release) = self
                    .store
                    .release_recruiter_notification(&invitation.organization_id, id, notice, until)
                    .await
                {
                    tracing::warn!(error = %release, invitation = %id, "releasing the notice's claim failed; it expires on its own");
                }
                metrics::count(Counter::NoticeSendFailures);
                tracing::error!(%error, organization, invitation = %id, ?notice, "notice not sent; the delivery will be retried");
                return Err(error.into());
            }
        };
        if let Err(error) = self
            .store
            .record_recruiter_notified(
                &invitation.organization_id,
                id,
                notice,
                self.clock.now(),
                &message_id,
                until,
            )
            .await
        {
            // The email is out. Failing now would send it again once the claim expires, so the
            // delivery succeeds and the missing record is logged for an operator.
            tracing::error!(%error, organization, invitation = %id, message_id, "notice sent but not recorded");
        }
        tracing::info!(organization, invitation = %id, message_id, ?notice, "recruiter notified");
        Ok(Outcome::Notified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::memory::{MemoryStore, Outbox};
    use crate::app::testing::World;
    use crate::domain::fixtures;
    use crate::ports::FixedClock;

    const RECRUITER_APP: &str = "https://recruit.example";

    fn notifier(world: &World) -> RecruiterNotifier<'_, MemoryStore, Outbox, FixedClock> {
        RecruiterNotifier {
            store: &world.store,
            mailer: &world.outbox,
            clock: &world.clock,
            recruiter_app_url: RECRUITER_APP,
            employers: &world.employers,
            default_time_zone: &world.time_zone,
        }
    }

    fn completion_of(invitation: &Invitation) -> VideoInterviewCompleted {
        VideoInterviewCompleted {
            organization_id: invitation.organization_id.clone(),
            invitation_id: invitation.id,
            completed_at: fixtures::now(),
        }
    }

    #[tokio::test]
    async fn the_recruiter_is_notified_once_however_often_the_event_comes() {
        let world = World::new();
        let sent = world.send(false).await;
        let event = completion_of(&sent);
        assert_eq!(
            notifier(&world).notify(&event).await.unwrap(),
            Outcome::Notified
        );
        for _ in 0..3 {
            assert_eq!(
                notifier(&world).notify(&event).await.unwrap(),
                Outcome::AlreadyNotified
            );
        }
        let notices: Vec<_> = world
            .outbox
            .sent()
            .into_iter()
            .filter(|email| email.to.address.as_str() == "rita@acme.example")
            .collect();
        assert_eq!(notices.len(), 1);
        assert!(
            notices[0]
                .text
                .contains(&format!("{RECRUITER_APP}/invitations/{}", sent.id))
        );
        // The event alone marks the invitation completed (the recording service may send it).
        let stored = world.stored(&sent);
        assert_eq!(stored.status, InvitationStatus::Completed);
        assert_eq!(stored.completed_at, Some(fixtures::now()));
        assert!(stored.recruiter_notified_at.is_some());
    }

    #[tokio::test]
    async fn a_refused_notice_fails_the_delivery_and_its_retry_sends_it() {
        let world = World::new();
        let sent = world.send(false).await;
        let event = completion_of(&sent);
        world.outbox.refuse_with(Some("Throttling"));
        assert!(matches!(
            notifier(&world).notify(&event).await,
            Err(AppError::Mail(_))
        ));
        world.outbox.refuse_with(None);
        // The claim was given back: the retry need not wait for the lease.
        assert_eq!(
            notifier(&world).notify(&event).await.unwrap(),
            Outcome::Notified
        );
    }

    #[tokio::test]
    async fn a_notice_whose_answer_was_lost_is_never_sent_again() {
        let world = World::new();
        let sent = world.send(false).await;
        let event = completion_of(&sent);
        world.outbox.lose_answers(true);
        // The delivery succeeds: failing it would have Lambda retry, and email again.
        assert_eq!(
            notifier(&world).notify(&event).await.unwrap(),
            Outcome::Unconfirmed
        );
        let stored = world.stored(&sent);
        assert_eq!(
            stored.recruiter_notice_unconfirmed_at,
            Some(fixtures::now())
        );
        assert_eq!(stored.recruiter_notified_at, None);
        // Long after the claim's lease, a repeated delivery still sends nothing.
        world.outbox.lose_answers(false);
        let world = world.at(fixtures::now() + CLAIM_LEASE * 10);
        assert_eq!(
            notifier(&world).notify(&event).await.unwrap(),
            Outcome::AlreadyNotified
        );
        let notices = world
            .outbox
            .sent()
            .into_iter()
            .filter(|email| email.to.address.as_str() == "rita@acme.example")
            .count();
        assert_eq!(notices, 1);
    }

    #[tokio::test]
    async fn a_forged_completion_dated_outside_the_invitations_window_changes_nothing() {
        let world = World::new();
        let sent = world.send(false).await;
        for forged in ["2099-01-01T00:00:00Z", "2000-01-01T00:00:00Z"] {
            let mut event = completion_of(&sent);
            event.completed_at = forged.parse().unwrap();
            assert_eq!(
                notifier(&world).notify(&event).await.unwrap(),
                Outcome::Dropped,
                "{forged}"
            );
        }
        // And one dated within the window, received long after the deadline.
        let world = world.at("2027-01-10T00:00:00Z".parse().unwrap());
        let mut late = completion_of(&sent);
        late.completed_at = "2027-01-09T00:00:00Z".parse().unwrap();
        assert_eq!(
            notifier(&world).notify(&late).await.unwrap(),
            Outcome::Dropped
        );
        let stored = world.stored(&sent);
        assert_eq!(stored.status, InvitationStatus::Sent);
        assert_eq!(stored.completed_at, None);
        assert_eq!(world.outbox.sent().len(), 1, "the invitation only");
    }

    #[tokio::test]
    async fn a_live_claim_holds_off_another_delivery() {
        let world = World::new();
        let sent = world.send(false).await;
        let now = fixtures::now();
        world
            .store
            .claim_recruiter_notification(
                &sent.organization_id,
                sent.id,
                RecruiterNotice::Completion,
                now,
                now + CLAIM_LEASE,
            )
            .await
            .unwrap();
        assert_eq!(
            notifier(&world)
                .notify(&completion_of(&sent))
                .await
                .unwrap(),
            Outcome::ClaimedElsewhere
        );
    }

    #[tokio::test]
    async fn no_notice_unless_asked_and_none_for_a_cancelled_invitation() {
        let world = World::new();
        let interview = fixtures::video_interview(&world.recruiter);
        let mut new = fixtures::new_invitation(&interview);
        new.notify_me = false;
        let sender = world.sender();
        let quiet = match sender
            .send(&world.recruiter, &interview, new, fixtures::now(), None)
            .await
            .unwrap()
        {
            super::super::invitations::Keyed::Ran(invitation) => invitation,
            super::super::invitations::Keyed::Held(_) => unreachable!(),
        };
        assert_eq!(
            notifier(&world)
                .notify(&completion_of(&quiet))
                .await
                .unwrap(),
            Outcome::NotRequested
        );
        let cancelled = world.send(false).await;
        world.record(&cancelled, InvitationEvent::Cancelled).await;
        assert_eq!(
            notifier(&world)
                .notify(&completion_of(&cancelled))
                .await
                .unwrap(),
            Outcome::Dropped
        );
        assert_eq!(world.outbox.sent().len(), 2, "only the two invitations");
    }
}
