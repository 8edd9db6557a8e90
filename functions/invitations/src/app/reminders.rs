//! The deadline reminders' sweep (the `deadline-reminders` function, every 15 minutes): every
//! reminder due is claimed with one conditional write that moves the invitation's next reminder on,
//! then sent. A reminder goes out at most once: two overlapping sweeps, or a sweep retried by
//! Lambda, find the claim made and skip it; one whose invitation was completed, cancelled or had
//! its deadline moved is no longer due (those writes clear or re-plan it). A send that fails is
//! recorded on the invitation (`lastFollowUp`) and not retried: a late reminder is worth less than
//! the risk of a second one.

use futures_util::StreamExt;
use jiff::Timestamp;

use crate::domain::{CandidateToken, FollowUpOutcome, LinkKey, ReminderPolicy};
use crate::metrics::{self, Counter};
use crate::ports::{
    Clock, DueReminder, Invitations, Mailer, OrganizationProfiles, ReminderClaim, Reminders,
};

use super::AppError;
use super::follow_ups::FollowUpSender;
use super::organizations::Employers;

/// At most this many reminders per sweep: a thousand take seconds (docs/performance.md); a larger
/// backlog waits for the next sweep instead of running the invocation out of time.
pub const MAX_PER_SWEEP: usize = 1000;

/// How many reminders are claimed and sent at once: enough to hide round trips, few enough to
/// stay far below SES's sending rate.
const AT_ONCE: usize = 8;

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    /// Reminders found due.
    pub due: usize,
    /// Handed to SES and accepted.
    pub sent: usize,
    /// Claimed, but SES refused or did not confirm (recorded on the invitation).
    pub not_sent: usize,
    /// Moved on without an email: the deadline passed, or the invitation may not be reminded (its
    /// email not delivered, or finished).
    pub skipped: usize,
    /// Claimed by another sweep first, or changed meanwhile: nothing done here.
    pub taken: usize,
    /// Failed on the store or a template: left due for the next sweep when the store failed before
    /// its claim; not sent when it failed after (an unreadable item, a template).
    pub failed: usize,
}

/// What became of one due reminder.
enum Outcome {
    Sent,
    NotSent,
    Skipped,
    Taken,
}

/// The sweep's ports and settings.
pub struct ReminderSweep<'a, S, M, C> {
    pub store: &'a S,
    pub mailer: &'a M,
    pub clock: &'a C,
    /// Base of the candidate's personal link (`CANDIDATE_APP_URL`).
    pub candidate_app_url: &'a str,
    pub link_key: &'a LinkKey,
    pub employers: &'a Employers,
    pub policy: &'a ReminderPolicy,
}

impl<S, M, C> ReminderSweep<'_, S, M, C>
where
    S: Reminders + Invitations + OrganizationProfiles,
    M: Mailer,
    C: Clock,
{
    /// Sends every reminder due now (at most [`MAX_PER_SWEEP`]), a few at a time. Fails only when
    /// the due reminders cannot be read; a reminder that fails on its own is counted and logged.
    pub async fn sweep(&self) -> Result<SweepReport, AppError> {
        let now = self.clock.now();
        let due = self.store.due_reminders(now, MAX_PER_SWEEP).await?;
        // Each organization's employer read once, before its reminders go out at once (a failed
        // read only means each of its reminders tries again).
        let organizations: std::collections::HashSet<_> =
            due.iter().map(|reminder| &reminder.organization).collect();
        futures_util::stream::iter(organizations)
            .map(|organization| self.employers.employer(self.store, organization, now))
            .buffer_unordered(AT_ONCE)
            .for_each(|_| async {})
            .await;
        let outcomes: Vec<_> = futures_util::stream::iter(&due)
            .map(|reminder| self.remind(reminder, now))
            .buffer_unordered(AT_ONCE)
            .collect()
            .await;
        let mut report = SweepReport {
            due: due.len(),
            ..SweepReport::default()
        };
        for outcome in outcomes {
            match outcome {
                Ok(Outcome::Sent) => report.sent += 1,
                Ok(Outcome::NotSent) => report.not_sent += 1,
                Ok(Outcome::Skipped) => report.skipped += 1,
                Ok(Outcome::Taken) => report.taken += 1,
                Err(error) => {
                    metrics::count(Counter::RemindersFailed);
                    tracing::error!(%error, "a due reminder failed");
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }

    /// Claims one due reminder (moving the invitation's next reminder on) and sends it while the
    /// deadline is open (after an outage, one email for the reminders missed); otherwise only moves
    /// it on.
    async fn remind(&self, reminder: &DueReminder, now: Timestamp) -> Result<Outcome, AppError> {
        let policy = self.policy;
        let (deadline, created_at) = (&reminder.deadline, reminder.created_at);
        let next = policy.next_after(deadline, created_at, now.max(reminder.due));
        let to_send = policy
            .to_send(deadline, created_at, reminder.due, now)
            .is_some();
        let link = CandidateToken::follow_up(
            self.link_key,
            &reminder.organization,
            reminder.invitation,
            reminder.link_generation,
        );
        if to_send
            && let ReminderClaim::Claimed(invitation) = self
                .store
                .claim_reminder(reminder, next.as_ref(), Some(&link.hash()))
                .await?
        {
            let employer = self
                .employers
                .employer(self.store, &invitation.organization_id, now)
                .await?;
            let follow_up = FollowUpSender {
                invitations: self.store,
                mailer: self.mailer,
                clock: self.clock,
                candidate_app_url: self.candidate_app_url,
                link_key: self.link_key,
                employer: &employer,
                reminder_policy: policy,
            }
            .remind(&invitation, now)
            .await?;
            return Ok(match follow_up.outcome {
                FollowUpOutcome::Sent { .. } => Outcome::Sent,
                _ => Outcome::NotSent,
            });
        }
        // Not to be sent, or not claimable for sending (another sweep took it, or the invitation
        // may not be reminded): moved on without an email, if it still is this one.
        Ok(
            match self
                .store
                .claim_reminder(reminder, next.as_ref(), None)
                .await?
            {
                ReminderClaim::Claimed(_) => Outcome::Skipped,
                ReminderClaim::Gone => Outcome::Taken,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::app::testing::{CANDIDATE_APP, World};
    use crate::domain::{CandidateToken, InvitationEvent, ReminderKind};
    use crate::ports::{EmailKind, Invitations};

    fn at(instant: &str) -> Timestamp {
        instant.parse().unwrap()
    }

    fn sweep_of(
        world: &World,
    ) -> ReminderSweep<
        '_,
        crate::adapters::memory::MemoryStore,
        crate::adapters::memory::Outbox,
        crate::ports::FixedClock,
    > {
        ReminderSweep {
            store: &world.store,
            mailer: &world.outbox,
            clock: &world.clock,
            candidate_app_url: CANDIDATE_APP,
            link_key: &world.link_key,
            employers: &world.employers,
            policy: &world.reminder_policy,
        }
    }

    fn reminders_sent(world: &World) -> usize {
        world
            .outbox
            .sent()
            .iter()
            .filter(|email| email.purpose.kind == EmailKind::Reminder)
            .count()
    }

    // The fixture: created 2026-12-01T10:00Z, due 15 December in Helsinki (ends 22:00Z): reminders
    // at 2026-12-13T22:00Z (48 hours before) and 2026-12-15T07:00Z (09:00 on the last day).

    #[tokio::test]
    async fn each_reminder_goes_out_once_at_its_time_with_the_follow_up_link() {
        let world = World::new();
        let sent = world.send(false).await;
        assert_eq!(
            world.stored(&sent).next_reminder.map(|slot| slot.kind),
            Some(ReminderKind::BeforeDeadline)
        );
        let world = world.at(at("2026-12-13T21:59:59Z"));
        assert_eq!(
            sweep_of(&world).sweep().await.unwrap(),
            SweepReport::default()
        );
        let world = world.at(at("2026-12-13T22:05:00Z"));
        let report = sweep_of(&world).sweep().await.unwrap();
        assert_eq!((report.due, report.sent), (1, 1));
        assert_eq!(reminders_sent(&world), 1);
        let link = world.last_token();
        let expected =
            CandidateToken::follow_up(&world.link_key, &sent.organization_id, sent.id, 0);
        assert_eq!(link.expose(), expected.expose());
        let opened = world
            .store
            .find_invitation_by_token(&link, crate::domain::fixtures::now())
            .await
            .unwrap();
        assert_eq!(
            opened.map(|invitation| invitation.id),
            Some(sent.id),
            "the link works"
        );
        // The same sweep again, or a retry: nothing more.
        assert_eq!(sweep_of(&world).sweep().await.unwrap().due, 0);
        let world = world.at(at("2026-12-15T07:00:00Z"));
        assert_eq!(sweep_of(&world).sweep().await.unwrap().sent, 1);
        assert_eq!(reminders_sent(&world), 2);
        assert_eq!(world.stored(&sent).next_reminder, None);
        assert!(
            world
                .outbox
                .sent()
                .last()
                .unwrap()
                .text
                .contains("Today is the last day")
        );
    }

    #[tokio::test]
    async fn two_overlapping_sweeps_send_each_reminder_once() {
        let world = World::new().at(at("2026-12-13T22:00:00Z"));
        world.send(false).await;
        let (one, other) = (sweep_of(&world), sweep_of(&world));
        let (first, second) = tokio::join!(one.sweep(), other.sweep());
        let (first, second) = (first.unwrap(), second.unwrap());
        assert_eq!(first.sent + second.sent, 1, "{first:?} {second:?}");
        assert_eq!(reminders_sent(&world), 1);
    }

    #[tokio::test]
    async fn no_reminder_after_completion_or_cancellation_and_none_late_after_an_outage() {
        let world = World::new();
        let completed = world.send(false).await;
        world
            .record(
                &completed,
                InvitationEvent::Completed {
                    at: at("2026-12-02T10:00:00Z"),
                },
            )
            .await;
        let cancelled = world.send(false).await;
        world.record(&cancelled, InvitationEvent::Cancelled).await;
        let outage = world.send(false).await;
        // The sweep was down from before the first reminder until after the second was due.
        let world = world.at(at("2026-12-15T08:00:00Z"));
        let report = sweep_of(&world).sweep().await.unwrap();
        assert_eq!((report.due, report.sent, report.skipped), (1, 1, 0));
        assert_eq!(reminders_sent(&world), 1, "the last-day one only");
        assert_eq!(world.stored(&outage).next_reminder, None);
        assert_eq!(sweep_of(&world).sweep().await.unwrap().due, 0);
    }

    #[tokio::test]
    async fn an_invitation_not_delivered_is_moved_on_without_a_reminder() {
        let world = World::new();
        world.outbox.refuse_with(Some("MessageRejected"));
        let failed = world.send(false).await;
        world.outbox.refuse_with(None);
        let world = world.at(at("2026-12-13T22:00:00Z"));
        let report = sweep_of(&world).sweep().await.unwrap();
        assert_eq!((report.sent, report.skipped), (0, 1));
        assert_eq!(
            world.stored(&failed).next_reminder.map(|slot| slot.kind),
            Some(ReminderKind::LastDay)
        );
    }

    #[tokio::test]
    async fn a_moved_deadline_re_plans_the_reminders_and_a_recruiter_can_turn_them_off() {
        let world = World::new();
        let sent = world.send(false).await;
        let moved = world
            .follow_ups()
            .extend_deadline(
                &sent.organization_id,
                sent.id,
                "2026-12-20".parse().unwrap(),
                None,
                false,
                &world.retention,
            )
            .await
            .unwrap();
        let next = moved.next_reminder.unwrap();
        assert_eq!(
            (next.kind, next.due),
            (ReminderKind::BeforeDeadline, at("2026-12-18T22:00:00Z"))
        );
        // The old time passes without a reminder.
        let world = world.at(at("2026-12-13T22:00:00Z"));
        assert_eq!(sweep_of(&world).sweep().await.unwrap().due, 0);

        let interview = crate::domain::fixtures::video_interview(&world.recruiter);
        let mut new = crate::domain::fixtures::new_invitation(&interview);
        new.reminders = false;
        let quiet = match world
            .sender()
            .send(
                &world.recruiter,
                &interview,
                new,
                crate::domain::fixtures::now(),
                None,
            )
            .await
            .unwrap()
        {
            crate::app::invitations::Keyed::Ran(invitation) => invitation,
            crate::app::invitations::Keyed::Held(_) => unreachable!("no key"),
        };
        assert_eq!(world.stored(&quiet).next_reminder, None);
    }
}
