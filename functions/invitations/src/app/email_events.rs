//! SES's own events about the service's emails (the `email-events` function): an unconfirmed send
//! that SES reports sent or delivered becomes `sent`; a delivery to the candidate is recorded; a
//! permanent bounce of the candidate's address makes the invitation `bounced` (no more reminders)
//! and tells the recruiter, once; a complaint is recorded and stops the reminders.
//!
//! Events are correlated by the SES message id stored for every email the service sends (an
//! invitation's, a resend's, a reminder's, a notice's) and by the tags on each email. They arrive
//! out of order and more than once: every change is a conditional write that only moves forward
//! (the lifecycle table; facts recorded the first time only), so a late delivery does not undo a
//! bounce and a duplicate changes nothing. A bounce or complaint of the recruiter's BCC copy, or
//! of an address since corrected, changes nothing about the candidate's invitation.

use jiff::SignedDuration;

use crate::domain::{
    Bounce, EmailEvent, EmailKind, EmailOutcome, IanaTimeZone, Invitation, InvitationEvent,
    InvitationStatus,
};
use crate::email::{NoticeAbout, completed_interview_link, recruiter_notice};
use crate::metrics::{self, Counter};
use crate::ports::{
    Clock, Invitations, Mailer, NotificationClaims, OrganizationProfiles, RecruiterNotice,
    StoreError,
};

use super::AppError;
use super::notify_recruiter::{OnceNotice, Outcome as NoticeOutcome};
use super::organizations::Employers;

/// How far SES's clock (`mail.timestamp`) may be behind ours when telling whether an event is
/// about the invitation's latest send.
const CLOCK_SKEW: SignedDuration = SignedDuration::from_secs(60);

/// What one event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailEventOutcome {
    /// About no invitation of ours, or an email no longer its own: nothing changed.
    Unknown,
    /// An unconfirmed send is `sent` now.
    Confirmed,
    /// The first delivery to the candidate was recorded.
    Delivered,
    /// The invitation is `bounced`, and the recruiter's notice went as it went.
    Bounced(NoticeOutcome),
    /// The candidate's complaint was recorded; no more reminders.
    Complaint,
    /// About the recruiter's copy, a notice to them, or another address: nothing changed.
    NotTheCandidate,
    /// Known already, or not a change the invitation can take (a bounce after the candidate
    /// opened it, a soft bounce): nothing changed.
    NoChange,
}

impl EmailEventOutcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Confirmed => "confirmed",
            Self::Delivered => "delivered",
            Self::Bounced(_) => "bounced",
            Self::Complaint => "complaint",
            Self::NotTheCandidate => "not_the_candidate",
            Self::NoChange => "no_change",
        }
    }
}

/// Reads SES's events: the ports it needs, and what the bounce notice needs.
pub struct EmailEvents<'a, S, M, C> {
    pub store: &'a S,
    pub mailer: &'a M,
    pub clock: &'a C,
    /// Base of the link to the invitation in the bounce notice (`RECRUITER_APP_URL`).
    pub recruiter_app_url: &'a str,
    pub employers: &'a Employers,
    /// The zone of a notice to a recruiter without a `zoneinfo` claim (`DEFAULT_TIME_ZONE`).
    pub default_time_zone: &'a IanaTimeZone,
}

impl<S, M, C> EmailEvents<'_, S, M, C>
where
    S: Invitations + NotificationClaims + OrganizationProfiles,
    M: Mailer,
    C: Clock,
{
    /// Reacts to one delivery of an SES event. An error is worth a retry (the store failed, or the
    /// bounce notice failed and nothing went out); the retry changes nothing twice.
    pub async fn handle(&self, event: &EmailEvent) -> Result<EmailEventOutcome, AppError> {
        // Erased or past its retention time: the event concerns no one any more.
        let now = self.clock.now();
        let Some(invitation) = self
            .store
            .get_invitation(&event.organization_id, event.invitation_id)
            .await?
            .filter(|invitation| invitation.is_retained_at(now))
        else {
            return Ok(EmailEventOutcome::Unknown);
        };
        if !event.kind.to_candidate() || !event.concerns(&invitation.candidate.email) {
            return Ok(EmailEventOutcome::NotTheCandidate);
        }
        let unconfirmed = self.unconfirmed_send(&invitation, event);
        if !unconfirmed && !invitation.email_message_ids.contains(&event.message_id) {
            return Ok(EmailEventOutcome::Unknown);
        }
        let organization = &invitation.organization_id;
        let id = invitation.id;
        // Every write below holds only while this is still the candidate's address.
        let address = &invitation.candidate.email;
        match &event.outcome {
            EmailOutcome::Sent | EmailOutcome::Delivered { .. } if unconfirmed => {
                let confirmed = InvitationEvent::SendConfirmed {
                    at: event.sent_at,
                    message_id: event.message_id.clone(),
                };
                let recorded = self
                    .changed(
                        self.store
                            .record_invitation_event(organization, id, &confirmed, None),
                    )
                    .await?;
                if matches!(event.outcome, EmailOutcome::Delivered { .. }) {
                    self.changed(
                        self.store
                            .record_delivery(organization, id, event.at, address),
                    )
                    .await?;
                }
                Ok(if recorded {
                    EmailEventOutcome::Confirmed
                } else {
                    EmailEventOutcome::NoChange
                })
            }
            EmailOutcome::Sent => Ok(EmailEventOutcome::NoChange),
            // Known already from the read: no write.
            EmailOutcome::Delivered { .. } if invitation.delivered_at.is_some() => {
                Ok(EmailEventOutcome::NoChange)
            }
            EmailOutcome::Complaint { .. } if invitation.complained_at.is_some() => {
                Ok(EmailEventOutcome::NoChange)
            }
            EmailOutcome::Delivered { .. } => Ok(
                if self
                    .changed(
                        self.store
                            .record_delivery(organization, id, event.at, address),
                    )
                    .await?
                {
                    EmailEventOutcome::Delivered
                } else {
                    EmailEventOutcome::NoChange
                },
            ),
            EmailOutcome::Bounced {
                permanent: true,
                bounce_type,
                diagnostic,
                ..
            } => {
                let bounce = Bounce {
                    at: event.at,
                    bounce_type: bounce_type.clone(),
                    diagnostic: diagnostic.clone(),
                    recruiter_notified_at: None,
                    recruiter_notice_unconfirmed_at: None,
                };
                let bounced = InvitationEvent::Bounced {
                    bounce: bounce.clone(),
                    address: address.clone(),
                };
                let mut current = invitation.clone();
                let recorded = self
                    .changed(
                        self.store
                            .record_invitation_event(organization, id, &bounced, None),
                    )
                    .await?;
                if recorded {
                    metrics::count(Counter::Bounces);
                    current
                        .apply(&bounced)
                        .map_err(|_| AppError::Conflict("the invitation changed meanwhile"))?;
                } else {
                    // Bounced by an earlier delivery, whose notice may have failed (the notice's
                    // own claim keeps it to one email), or no longer bounceable.
                    match self.store.get_invitation(organization, id).await? {
                        Some(stored) => current = stored,
                        None => return Ok(EmailEventOutcome::Unknown),
                    }
                }
                match &current.bounce {
                    Some(stored) if current.status == InvitationStatus::Bounced => {
                        tracing::info!(organization = organization.as_str(), invitation = %id, bounce_type = stored.bounce_type, "candidate's address bounced");
                        Ok(EmailEventOutcome::Bounced(
                            self.tell_recruiter(&current, stored).await?,
                        ))
                    }
                    _ => Ok(EmailEventOutcome::NoChange),
                }
            }
            EmailOutcome::Bounced { .. } => Ok(EmailEventOutcome::NoChange),
            EmailOutcome::Complaint { .. } => Ok(
                if self
                    .changed(
                        self.store
                            .record_complaint(organization, id, event.at, address),
                    )
                    .await?
                {
                    metrics::count(Counter::Complaints);
                    tracing::warn!(organization = organization.as_str(), invitation = %id, "the candidate complained; no more reminders");
                    EmailEventOutcome::Complaint
                } else {
                    EmailEventOutcome::NoChange
                },
            ),
        }
    }

    /// Whether the event is about the invitation email whose send SES did not confirm: its
    /// message id was never recorded, so the tags and the time tell (sent no earlier than the
    /// latest send began).
    fn unconfirmed_send(&self, invitation: &Invitation, event: &EmailEvent) -> bool {
        let latest_send = invitation.last_resent_at.unwrap_or(invitation.created_at);
        event.kind == EmailKind::Invitation
            && invitation.status == InvitationStatus::SendUnconfirmed
            && event.sent_at >= latest_send - CLOCK_SKEW
    }

    /// Whether a conditional write changed something: `false` when its condition found it done.
    async fn changed(
        &self,
        write: impl Future<Output = Result<(), StoreError>>,
    ) -> Result<bool, AppError> {
        match write.await {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }

    /// The bounce notice to the recruiter who sent the invitation, at most once per bounce.
    async fn tell_recruiter(
        &self,
        invitation: &Invitation,
        bounce: &Bounce,
    ) -> Result<NoticeOutcome, AppError> {
        if bounce.recruiter_notified_at.is_some()
            || bounce.recruiter_notice_unconfirmed_at.is_some()
        {
            return Ok(NoticeOutcome::AlreadyNotified);
        }
        let employer = self
            .employers
            .employer(self.store, &invitation.organization_id, self.clock.now())
            .await?;
        let email = recruiter_notice(
            invitation,
            &employer,
            NoticeAbout::Bounce {
                at: bounce.at,
                diagnostic: bounce.diagnostic.as_deref(),
            },
            self.default_time_zone,
            &completed_interview_link(self.recruiter_app_url, invitation),
        )?;
        OnceNotice {
            store: self.store,
            mailer: self.mailer,
            clock: self.clock,
        }
        .send(invitation, RecruiterNotice::Bounce, &email)
        .await
    }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::adapters::memory::{MemoryStore, Outbox};
    use crate::app::testing::World;
    use crate::domain::{EmailAddress, fixtures};
    use crate::ports::{FixedClock, Invitations};

    fn handler(world: &World) -> EmailEvents<'_, MemoryStore, Outbox, FixedClock> {
        EmailEvents {
            store: &world.store,
            mailer: &world.outbox,
            clock: &world.clock,
            recruiter_app_url: "https://recruit.example",
            employers: &world.employers,
            default_time_zone: &world.time_zone,
        }
    }

    fn at(instant: &str) -> Timestamp {
        instant.parse().unwrap()
    }

    /// An SES event about `invitation`'s email `message_id` (of `kind`).
    fn event(
        invitation: &Invitation,
        kind: EmailKind,
        message_id: &str,
        outcome: EmailOutcome,
    ) -> EmailEvent {
        EmailEvent {
            outcome,
            message_id: message_id.to_owned(),
            sent_at: invitation.created_at,
            at: at("2026-12-01T10:00:05Z"),
            kind,
            organization_id: invitation.organization_id.clone(),
            invitation_id: invitation.id,
        }
    }

    fn bounced(to: &str) -> EmailOutcome {
        EmailOutcome::Bounced {
            permanent: true,
            bounce_type: "Permanent/General".into(),
            diagnostic: Some("smtp; 550 5.1.1 user unknown".into()),
            recipients: vec![to.to_owned()],
        }
    }

    fn bounce_notices(world: &World) -> usize {
        world
            .outbox
            .sent()
            .iter()
            .filter(|email| email.purpose.kind == EmailKind::BounceNotice)
            .count()
    }

    #[tokio::test]
    async fn a_delivery_is_recorded_once_and_never_undoes_a_bounce() {
        let world = World::new();
        let sent = world.send(true).await;
        let message = &world.stored(&sent).email_message_ids[0];
        let delivered = EmailOutcome::Delivered {
            recipients: vec!["anna@example.fi".into()],
        };
        let delivery = event(&sent, EmailKind::Invitation, message, delivered);
        let events = handler(&world);
        assert_eq!(
            events.handle(&delivery).await.unwrap(),
            EmailEventOutcome::Delivered
        );
        assert_eq!(
            events.handle(&delivery).await.unwrap(),
            EmailEventOutcome::NoChange
        );
        assert_eq!(world.stored(&sent).delivered_at, Some(delivery.at));

        let bounce = event(
            &sent,
            EmailKind::Invitation,
            message,
            bounced("ANNA@EXAMPLE.FI"),
        );
        assert!(matches!(
            events.handle(&bounce).await.unwrap(),
            EmailEventOutcome::Bounced(NoticeOutcome::Notified)
        ));
        let stored = world.stored(&sent);
        assert_eq!(stored.status, InvitationStatus::Bounced);
        assert_eq!(stored.next_reminder, None);
        assert_eq!(stored.bounce.unwrap().bounce_type, "Permanent/General");
        // Again, and a late delivery: nothing more.
        assert!(matches!(
            events.handle(&bounce).await.unwrap(),
            EmailEventOutcome::Bounced(NoticeOutcome::AlreadyNotified)
        ));
        events.handle(&delivery).await.unwrap();
        assert_eq!(world.stored(&sent).status, InvitationStatus::Bounced);
        assert_eq!(bounce_notices(&world), 1);
    }

    #[tokio::test]
    async fn a_bounce_of_the_recruiters_copy_or_an_unknown_email_changes_nothing() {
        let world = World::new();
        let sent = world.send(true).await;
        let message = world.stored(&sent).email_message_ids[0].clone();
        let events = handler(&world);
        let copy = event(
            &sent,
            EmailKind::Invitation,
            &message,
            bounced("rita@acme.example"),
        );
        assert_eq!(
            events.handle(&copy).await.unwrap(),
            EmailEventOutcome::NotTheCandidate
        );
        let notice = event(
            &sent,
            EmailKind::CompletionNotice,
            "n-1",
            bounced("anna@example.fi"),
        );
        assert_eq!(
            events.handle(&notice).await.unwrap(),
            EmailEventOutcome::NotTheCandidate
        );
        let stranger = event(
            &sent,
            EmailKind::Invitation,
            "other",
            bounced("anna@example.fi"),
        );
        assert_eq!(
            events.handle(&stranger).await.unwrap(),
            EmailEventOutcome::Unknown
        );
        let soft = EmailOutcome::Bounced {
            permanent: false,
            bounce_type: "Transient/MailboxFull".into(),
            diagnostic: None,
            recipients: vec!["anna@example.fi".into()],
        };
        let soft = event(&sent, EmailKind::Invitation, &message, soft);
        assert_eq!(
            events.handle(&soft).await.unwrap(),
            EmailEventOutcome::NoChange
        );
        assert_eq!(world.stored(&sent).status, InvitationStatus::Sent);
        assert_eq!(bounce_notices(&world), 0);
    }

    #[tokio::test]
    async fn an_unconfirmed_send_is_sent_once_ses_reports_it_and_a_complaint_stops_reminders() {
        let world = World::new();
        world.outbox.lose_answers(true);
        let unconfirmed = world.send(false).await;
        world.outbox.lose_answers(false);
        assert_eq!(unconfirmed.status, InvitationStatus::SendUnconfirmed);
        let delivered = EmailOutcome::Delivered {
            recipients: vec!["anna@example.fi".into()],
        };
        let events = handler(&world);
        let delivery = event(&unconfirmed, EmailKind::Invitation, "ses-7", delivered);
        assert_eq!(
            events.handle(&delivery).await.unwrap(),
            EmailEventOutcome::Confirmed
        );
        let stored = world.stored(&unconfirmed);
        assert_eq!(stored.status, InvitationStatus::Sent);
        assert_eq!(stored.email_message_ids, ["ses-7"]);
        assert_eq!(stored.delivered_at, Some(delivery.at));

        let complaint = EmailOutcome::Complaint {
            recipients: vec!["anna@example.fi".into()],
        };
        let complaint = event(&unconfirmed, EmailKind::Reminder, "ses-7", complaint);
        assert_eq!(
            events.handle(&complaint).await.unwrap(),
            EmailEventOutcome::Complaint
        );
        assert_eq!(
            events.handle(&complaint).await.unwrap(),
            EmailEventOutcome::NoChange
        );
        let stored = world.stored(&unconfirmed);
        assert!(stored.complained_at.is_some());
        assert_eq!(stored.next_reminder, None);
    }

    #[tokio::test]
    async fn a_bounced_invitation_is_corrected_at_once_and_the_old_links_stop_working() {
        let world = World::new();
        let sent = world.send(false).await;
        let old_link = world.last_token();
        let message = world.stored(&sent).email_message_ids[0].clone();
        let bounce = event(
            &sent,
            EmailKind::Invitation,
            &message,
            bounced("anna@example.fi"),
        );
        handler(&world).handle(&bounce).await.unwrap();
        let corrected = EmailAddress::parse("anna.virtanen@example.fi").unwrap();
        // Within the cool-down: a correction is not held back.
        let resent = world
            .sender()
            .resend(
                &sent.organization_id,
                sent.id,
                false,
                Some(corrected.clone()),
            )
            .await
            .unwrap();
        assert_eq!(resent.status, InvitationStatus::Sent);
        assert_eq!(resent.candidate.email, corrected);
        assert_eq!(resent.bounce, None);
        assert_eq!(resent.link_generation, 1);
        let last = world.outbox.sent().last().cloned().unwrap();
        assert_eq!(last.to.address, corrected);
        assert_eq!(
            world
                .store
                .find_invitation_by_token(&old_link, fixtures::now())
                .await
                .unwrap(),
            None
        );
        let new_link = world.last_token();
        assert!(
            world
                .store
                .find_invitation_by_token(&new_link, fixtures::now())
                .await
                .unwrap()
                .is_some()
        );
        // A late bounce of the old address changes nothing now.
        assert_eq!(
            handler(&world).handle(&bounce).await.unwrap(),
            EmailEventOutcome::NotTheCandidate
        );
        let _ = fixtures::now();
    }
}
