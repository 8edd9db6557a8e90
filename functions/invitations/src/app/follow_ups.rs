//! Follow-ups to the candidate after the invitation: moving the deadline (with its notice), and
//! sending one follow-up email with the invitation's follow-up link, its outcome recorded.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::domain::{
    AnswerDeadline, CandidateToken, Employer, ExtensionRefused, FollowUp, FollowUpOutcome,
    IanaTimeZone, Invitation, InvitationEvent, InvitationId, InvitationStatus, LinkKey,
    OrganizationId, ReminderPolicy, RetentionPeriod,
};
use crate::email::{FollowUpMessage, candidate_link, follow_up_email};
use crate::metrics::{self, Counter};
use crate::ports::{Clock, Invitations, MailError, Mailer, OutgoingEmail, StoreError};

use super::AppError;
use super::invitations::{invitation, send_failure_reason};

/// Sends follow-up emails: the ports they need, where the candidate's link leads, the key of
/// follow-up links, and the employer the emails name.
pub struct FollowUpSender<'a, S, M, C> {
    pub invitations: &'a S,
    pub mailer: &'a M,
    pub clock: &'a C,
    /// Base of the candidate's personal link (`CANDIDATE_APP_URL`).
    pub candidate_app_url: &'a str,
    pub link_key: &'a LinkKey,
    pub employer: &'a Employer,
    /// The deployment's reminders, planned anew when the deadline moves.
    pub reminder_policy: &'a ReminderPolicy,
}

impl<S: Invitations, M: Mailer, C: Clock> FollowUpSender<'_, S, M, C> {
    /// The invitation's follow-up link (the same for every follow-up, see `domain::token`).
    fn link(&self, invitation: &Invitation) -> CandidateToken {
        CandidateToken::follow_up(
            self.link_key,
            &invitation.organization_id,
            invitation.id,
            invitation.link_generation,
        )
    }

    /// Moves the deadline of an invitation to `date` in `time_zone` (else in the current
    /// deadline's zone), checked as a new deadline is and as
    /// [`Invitation::check_deadline_extension`] allows; an expired invitation opens again, and a
    /// bounced one may then be corrected (its notice is not sent). With `notify_candidate`, the
    /// candidate is emailed the new deadline with the follow-up link, whose
    /// hash is stored with the move. The answer is the invitation after it, with the notice's
    /// outcome; a move that finds the invitation changed meanwhile (a racing move, a completion)
    /// is refused, and nothing is sent. The invitation is then kept for `retention` after the
    /// new deadline.
    pub async fn extend_deadline(
        &self,
        organization: &OrganizationId,
        id: InvitationId,
        date: Date,
        time_zone: Option<IanaTimeZone>,
        notify_candidate: bool,
        retention: &RetentionPeriod,
    ) -> Result<Invitation, AppError> {
        let now = self.clock.now();
        let mut invitation = invitation(self.invitations, organization, id, now).await?;
        let time_zone = time_zone.unwrap_or_else(|| invitation.deadline.time_zone().clone());
        let deadline = AnswerDeadline::for_new_invitation(date, time_zone, now)
            .map_err(|error| AppError::ExtensionRefused(ExtensionRefused::Deadline(error)))?;
        invitation
            .check_deadline_extension(&deadline)
            .map_err(AppError::ExtensionRefused)?;
        // No notice to an address that bounces: the recruiter corrects it first (a resend).
        let notify = notify_candidate && invitation.status != InvitationStatus::Bounced;
        let link = notify.then(|| self.link(&invitation));
        let event = InvitationEvent::DeadlineExtended {
            deadline: deadline.clone(),
            at: now,
            extensions_before: invitation.deadline_extension_count,
            follow_up_link: link.as_ref().map(CandidateToken::hash),
            link_generation: invitation.link_generation,
            next_reminder: invitation.reminder_after(self.reminder_policy, &deadline, now),
            retained_until: retention.retained_until(&deadline),
        };
        invitation.apply(&event).map_err(|error| {
            AppError::ExtensionRefused(ExtensionRefused::NotExtendable(error.status))
        })?;
        // Rendered before anything is written: a template failure changes nothing.
        let notice = link
            .map(|link| self.render(&invitation, &link, FollowUpMessage::DeadlineExtended))
            .transpose()?;
        match self
            .invitations
            .record_invitation_event(organization, id, &event, None)
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict) => {
                return Err(AppError::Conflict(
                    "The invitation changed meanwhile (completed, cancelled or its deadline moved); the deadline was not moved",
                ));
            }
            Err(error) => return Err(error.into()),
        }
        tracing::info!(
            organization = organization.as_str(),
            invitation = %id,
            notify,
            "deadline extended"
        );
        if let Some(notice) = notice {
            let message = FollowUpMessage::DeadlineExtended;
            let follow_up = self.send(&invitation, message, &notice).await;
            if let FollowUpOutcome::Sent { message_id } = &follow_up.outcome {
                invitation.email_message_ids.push(message_id.clone());
            }
            invitation.last_follow_up = Some(follow_up);
        }
        Ok(invitation)
    }

    /// Sends the deadline reminder of `invitation` (claimed by a sweep at `now`), with the
    /// follow-up link, and records how it went.
    pub async fn remind(
        &self,
        invitation: &Invitation,
        now: Timestamp,
    ) -> Result<FollowUp, AppError> {
        let link = self.link(invitation);
        let message = FollowUpMessage::Reminder { now };
        let email = self.render(invitation, &link, message)?;
        Ok(self.send(invitation, message, &email).await)
    }

    fn render(
        &self,
        invitation: &Invitation,
        link: &CandidateToken,
        message: FollowUpMessage,
    ) -> Result<OutgoingEmail, AppError> {
        Ok(follow_up_email(
            invitation,
            self.employer,
            &candidate_link(self.candidate_app_url, link),
            message,
        )?)
    }

    /// Sends `email`, the follow-up `message` of `invitation`, once (a send that may have happened
    /// is not repeated), and records how it went; a failure to record is logged, the outcome
    /// still answered.
    async fn send(
        &self,
        invitation: &Invitation,
        message: FollowUpMessage,
        email: &OutgoingEmail,
    ) -> FollowUp {
        let organization = invitation.organization_id.as_str();
        let kind = email.purpose.kind.code();
        let outcome = match self.mailer.send(email).await {
            Ok(message_id) => {
                metrics::count(match message {
                    FollowUpMessage::Reminder { .. } => Counter::RemindersSent,
                    FollowUpMessage::DeadlineExtended => Counter::DeadlineNoticesSent,
                });
                tracing::info!(organization, invitation = %invitation.id, kind, "follow-up sent");
                FollowUpOutcome::Sent { message_id }
            }
            Err(error @ MailError::Unconfirmed(_)) => {
                metrics::count(Counter::FollowUpSendsUnconfirmed);
                tracing::warn!(organization, invitation = %invitation.id, kind, %error, "follow-up unconfirmed");
                FollowUpOutcome::Unconfirmed {
                    reason: send_failure_reason(&error),
                }
            }
            Err(error) => {
                metrics::count(Counter::FollowUpSendFailures);
                tracing::warn!(organization, invitation = %invitation.id, kind, %error, "follow-up not sent");
                FollowUpOutcome::Failed {
                    reason: send_failure_reason(&error),
                }
            }
        };
        let follow_up = FollowUp {
            kind: message.kind(),
            at: self.clock.now(),
            outcome,
        };
        if let Err(error) = self
            .invitations
            .record_follow_up(&invitation.organization_id, invitation.id, &follow_up)
            .await
        {
            tracing::error!(%error, organization, invitation = %invitation.id, "recording a follow-up's outcome failed");
        }
        follow_up
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::World;
    use crate::domain::{FollowUpKind, InvitationStatus};
    use crate::ports::Invitations;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[tokio::test]
    async fn the_notice_carries_the_follow_up_link_which_opens_the_invitation() {
        let world = World::new();
        let sent = world.send(false).await;
        let moved = world
            .follow_ups()
            .extend_deadline(
                &sent.organization_id,
                sent.id,
                date("2026-12-20"),
                None,
                true,
                &world.retention,
            )
            .await
            .unwrap();
        assert_eq!(moved.deadline.date(), date("2026-12-20"));
        assert_eq!(moved.deadline_extension_count, 1);
        let follow_up = moved.last_follow_up.clone().unwrap();
        assert_eq!(follow_up.kind, FollowUpKind::DeadlineExtension);
        assert!(matches!(follow_up.outcome, FollowUpOutcome::Sent { .. }));
        assert_eq!(world.stored(&sent), moved);
        let link = world.last_token();
        let expected =
            CandidateToken::follow_up(&world.link_key, &sent.organization_id, sent.id, 0);
        assert_eq!(link.hash(), expected.hash());
        let found = world
            .store
            .find_invitation_by_token(&link, crate::domain::fixtures::now())
            .await
            .unwrap();
        assert_eq!(found.map(|invitation| invitation.id), Some(sent.id));
        // A second notice carries the same link, not one more.
        world
            .follow_ups()
            .extend_deadline(
                &sent.organization_id,
                sent.id,
                date("2026-12-22"),
                None,
                true,
                &world.retention,
            )
            .await
            .unwrap();
        assert_eq!(world.last_token().expose(), link.expose());
    }

    #[tokio::test]
    async fn a_notice_that_does_not_go_out_leaves_the_move_and_says_why() {
        let world = World::new();
        let sent = world.send(false).await;
        world.outbox.refuse_with(Some("MessageRejected"));
        let moved = world
            .follow_ups()
            .extend_deadline(
                &sent.organization_id,
                sent.id,
                date("2026-12-20"),
                None,
                true,
                &world.retention,
            )
            .await
            .unwrap();
        let outcome = moved.last_follow_up.unwrap().outcome;
        assert_eq!(outcome.code(), "send_failed");
        assert!(outcome.reason().unwrap().contains("MessageRejected"));
        let stored = world.stored(&sent);
        assert_eq!(stored.deadline.date(), date("2026-12-20"));
        assert_eq!(stored.status, InvitationStatus::Sent);
    }

    #[tokio::test]
    async fn two_racing_moves_on_the_same_count_cannot_both_pass() {
        let world = World::new();
        let sent = world.send(false).await;
        let first = InvitationEvent::DeadlineExtended {
            deadline: AnswerDeadline::new(date("2026-12-20"), sent.deadline.time_zone().clone())
                .unwrap(),
            at: crate::domain::fixtures::now(),
            extensions_before: 0,
            follow_up_link: None,
            link_generation: 0,
            next_reminder: None,
            retained_until: sent.retained_until,
        };
        world.record(&sent, first).await;
        // The second was allowed on the same count, and loses.
        let refused = world
            .store
            .record_invitation_event(
                &sent.organization_id,
                sent.id,
                &InvitationEvent::DeadlineExtended {
                    deadline: AnswerDeadline::new(
                        date("2026-12-18"),
                        sent.deadline.time_zone().clone(),
                    )
                    .unwrap(),
                    at: crate::domain::fixtures::now(),
                    extensions_before: 0,
                    follow_up_link: None,
                    link_generation: 0,
                    next_reminder: None,
                    retained_until: sent.retained_until,
                },
                None,
            )
            .await;
        assert!(matches!(refused, Err(StoreError::Conflict)), "{refused:?}");
        assert_eq!(world.stored(&sent).deadline.date(), date("2026-12-20"));
    }
}
