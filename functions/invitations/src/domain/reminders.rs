//! Deadline reminders: which reminders a deadline gets, and when each is due. Pure: the
//! `deadline-reminders` function finds the due ones through a sparse index on the next reminder's
//! due instant (`adapters::dynamodb`), which the invitation's own writes set, move and clear.
//!
//! By default ([`ReminderPolicy::default`]) a candidate who has not completed gets:
//! - a reminder 48 hours before `expiresAt`, when the invitation was created at least 96 hours
//!   before it (a shorter invitation would get it too soon after the invitation itself);
//! - a reminder on the morning of the last day (09:00 in the deadline's zone), when the invitation
//!   was created before that day began.
//!
//! The deployment changes or turns off each one (`REMINDER_HOURS_BEFORE_DEADLINE`,
//! `REMINDER_MIN_LEAD_HOURS`, `LAST_DAY_REMINDER_TIME`), and a recruiter turns them off per
//! invitation (`reminders: false`). A moved deadline is planned anew.

use jiff::civil::Time;
use jiff::{SignedDuration, Timestamp};

use super::AnswerDeadline;

/// Which reminder it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReminderKind {
    /// A fixed time before the deadline ends (48 hours by default).
    BeforeDeadline,
    /// The morning of the deadline day (09:00 by default).
    LastDay,
}

impl ReminderKind {
    pub const ALL: [ReminderKind; 2] = [Self::BeforeDeadline, Self::LastDay];

    /// As the table stores it.
    pub fn code(self) -> &'static str {
        match self {
            Self::BeforeDeadline => "before_deadline",
            Self::LastDay => "last_day",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }
}

/// One planned reminder: which, and the instant it is due (whole seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderSlot {
    pub kind: ReminderKind,
    pub due: Timestamp,
}

/// The deployment's reminder settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderPolicy {
    /// How long before `expiresAt` the first reminder is due; `None`: no such reminder.
    pub before_deadline: Option<SignedDuration>,
    /// How long before `expiresAt` the invitation must have been created for that reminder.
    pub min_lead: SignedDuration,
    /// The local time of the last-day reminder in the deadline's zone; `None`: no such reminder.
    pub last_day_at: Option<Time>,
}

impl Default for ReminderPolicy {
    fn default() -> Self {
        Self {
            before_deadline: Some(SignedDuration::from_hours(48)),
            min_lead: SignedDuration::from_hours(96),
            last_day_at: Some(Time::constant(9, 0, 0, 0)),
        }
    }
}

impl ReminderPolicy {
    /// Every reminder of `deadline` for an invitation created at `created_at`, earliest first.
    pub fn plan(&self, deadline: &AnswerDeadline, created_at: Timestamp) -> Vec<ReminderSlot> {
        let expires_at = deadline.expires_at();
        let before = self.before_deadline.and_then(|before| {
            let due = expires_at.checked_sub(before).ok()?;
            (created_at <= expires_at.checked_sub(self.min_lead).ok()?).then_some(ReminderSlot {
                kind: ReminderKind::BeforeDeadline,
                due,
            })
        });
        let last_day = self.last_day_at.and_then(|time| {
            let zone = deadline.time_zone().zone().clone();
            let day_start = deadline
                .date()
                .to_zoned_datetime(zone.clone())
                .ok()?
                .timestamp();
            // Where the time does not exist that day (a DST gap), jiff takes the later offset's.
            let due = deadline.date().at(time.hour(), time.minute(), 0, 0);
            let due = due.to_zoned_datetime(zone).ok()?.timestamp();
            (created_at < day_start && due < expires_at).then_some(ReminderSlot {
                kind: ReminderKind::LastDay,
                due,
            })
        });
        let mut slots: Vec<ReminderSlot> = before.into_iter().chain(last_day).collect();
        slots.sort_by_key(|slot| slot.due);
        slots
    }

    /// The first reminder of `deadline` due after `after` (for an invitation created at
    /// `created_at`): the one to plan next.
    pub fn next_after(
        &self,
        deadline: &AnswerDeadline,
        created_at: Timestamp,
        after: Timestamp,
    ) -> Option<ReminderSlot> {
        self.plan(deadline, created_at)
            .into_iter()
            .find(|slot| slot.due > after)
    }

    /// The reminder to send at `now` for one found due at `found` (for an invitation created at
    /// `created_at`): the latest of the plan due between the two, so that after an outage one
    /// reminder goes out, the latest, not a burst; none once the deadline has passed.
    pub fn to_send(
        &self,
        deadline: &AnswerDeadline,
        created_at: Timestamp,
        found: Timestamp,
        now: Timestamp,
    ) -> Option<ReminderSlot> {
        if !deadline.is_open_at(now) {
            return None;
        }
        self.plan(deadline, created_at)
            .into_iter()
            .rfind(|slot| slot.due >= found && slot.due <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_values::{at, date, zone};

    fn deadline(day: &str, zone_name: &str) -> AnswerDeadline {
        AnswerDeadline::new(date(day), zone(zone_name)).unwrap()
    }

    #[test]
    fn by_default_48_hours_before_and_at_nine_on_the_last_day_in_the_deadlines_zone() {
        // 15 December in Helsinki ends at 22:00 UTC; 09:00 there is 07:00 UTC.
        let plan = ReminderPolicy::default().plan(
            &deadline("2026-12-15", "Europe/Helsinki"),
            at("2026-12-01T10:00:00Z"),
        );
        assert_eq!(
            plan,
            [
                ReminderSlot {
                    kind: ReminderKind::BeforeDeadline,
                    due: at("2026-12-13T22:00:00Z")
                },
                ReminderSlot {
                    kind: ReminderKind::LastDay,
                    due: at("2026-12-15T07:00:00Z")
                },
            ]
        );
        // New York: the day ends at 05:00 UTC on the 16th; 09:00 there is 14:00 UTC.
        let plan = ReminderPolicy::default().plan(
            &deadline("2026-12-15", "America/New_York"),
            at("2026-12-01T10:00:00Z"),
        );
        assert_eq!(plan[1].due, at("2026-12-15T14:00:00Z"));
    }

    #[test]
    fn a_short_invitation_gets_only_the_reminders_that_make_sense() {
        let policy = ReminderPolicy::default();
        let helsinki = deadline("2026-12-15", "Europe/Helsinki");
        // Created 95 hours before the end: no 48-hour reminder, still the last-day one.
        let kinds = |created: &str| -> Vec<ReminderKind> {
            policy
                .plan(&helsinki, at(created))
                .iter()
                .map(|slot| slot.kind)
                .collect()
        };
        assert_eq!(kinds("2026-12-11T23:00:00Z"), [ReminderKind::LastDay]);
        assert_eq!(
            kinds("2026-12-11T22:00:00Z"),
            [ReminderKind::BeforeDeadline, ReminderKind::LastDay],
            "exactly 96 hours"
        );
        // Created on the last day itself (00:30 in Helsinki): nothing.
        assert!(kinds("2026-12-14T22:30:00Z").is_empty());
    }

    #[test]
    fn the_deployment_can_change_or_turn_off_each_reminder() {
        let helsinki = deadline("2026-12-15", "Europe/Helsinki");
        let created = at("2026-12-01T10:00:00Z");
        let off = ReminderPolicy {
            before_deadline: None,
            last_day_at: None,
            ..ReminderPolicy::default()
        };
        assert!(off.plan(&helsinki, created).is_empty());
        let changed = ReminderPolicy {
            before_deadline: Some(SignedDuration::from_hours(24)),
            min_lead: SignedDuration::from_hours(24),
            last_day_at: Some(Time::constant(7, 30, 0, 0)),
        };
        let plan = changed.plan(&helsinki, created);
        assert_eq!(plan[0].due, at("2026-12-14T22:00:00Z"));
        assert_eq!(plan[1].due, at("2026-12-15T05:30:00Z"));
    }

    #[test]
    fn the_next_reminder_follows_the_last_one_due_and_after_an_outage_only_the_latest_goes_out() {
        let policy = ReminderPolicy::default();
        let helsinki = deadline("2026-12-15", "Europe/Helsinki");
        let created = at("2026-12-01T10:00:00Z");
        let first = policy.next_after(&helsinki, created, created).unwrap();
        assert_eq!(first.kind, ReminderKind::BeforeDeadline);
        let second = policy.next_after(&helsinki, created, first.due).unwrap();
        assert_eq!(second.kind, ReminderKind::LastDay);
        assert_eq!(policy.next_after(&helsinki, created, second.due), None);
        // Found on time; found after an outage that ran past the next one too: the latest only;
        // after the deadline: none.
        let send = |found, now| policy.to_send(&helsinki, created, found, now);
        assert_eq!(send(first.due, first.due), Some(first));
        assert_eq!(send(first.due, second.due), Some(second));
        assert_eq!(send(second.due, second.due), Some(second));
        assert_eq!(send(second.due, helsinki.expires_at()), None);
    }
}
