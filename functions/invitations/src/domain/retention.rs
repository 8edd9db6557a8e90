//! How long an invitation's personal data is kept (GDPR article 5(1)(e), storage limitation).
//!
//! An invitation is kept for the deployment's retention period (`RETENTION_DAYS`, by default 730
//! days: about the two years the Finnish data protection ombudsman accepts for recruitment data,
//! the limitation period of discrimination claims) after the later of its deadline and its
//! completion. A completion is never recorded later than [`COMPLETION_CLOCK_SKEW`] after the
//! deadline's end (`Invitation::check_reported_completion`; the candidate API completes only while
//! the deadline is open), so the period counts from the deadline's end plus that skew, and only a
//! moved deadline moves it. DynamoDB's TTL deletes the item some time after (typically within two
//! days), so every read treats an invitation past its retention time as gone.
//!
//! The candidate's own link closes sooner: [`CANDIDATE_LINK_GRACE`] after the deadline's end,
//! whatever the status.

use jiff::{SignedDuration, Timestamp};

use super::{AnswerDeadline, COMPLETION_CLOCK_SKEW};

/// How long after the deadline's end a candidate's link still shows a completed invitation (its
/// confirmation): a week, so that a candidate who finished on the last day can look back at it,
/// and not the retention period, during which the recruiter keeps the data but the candidate's
/// link has no purpose. An unfinished invitation's link closes at the deadline itself.
pub const CANDIDATE_LINK_GRACE: SignedDuration = SignedDuration::from_hours(7 * 24);

/// The deployment's retention period, in whole days: 1 to [`RetentionPeriod::MAX_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPeriod {
    days: u16,
}

impl RetentionPeriod {
    /// Two years (see the module's documentation).
    pub const DEFAULT_DAYS: u16 = 730;
    /// Ten years: anything longer is a typo, not a policy.
    pub const MAX_DAYS: u16 = 3650;

    /// `days` as a period, or why not.
    pub fn days(days: u16) -> Result<Self, String> {
        if (1..=Self::MAX_DAYS).contains(&days) {
            Ok(Self { days })
        } else {
            Err(format!(
                "must be a whole number of days from 1 to {}",
                Self::MAX_DAYS
            ))
        }
    }

    /// Reads `RETENTION_DAYS`' value.
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.trim()
            .parse::<u16>()
            .map_err(|_| {
                format!(
                    "must be a whole number of days from 1 to {}",
                    Self::MAX_DAYS
                )
            })
            .and_then(Self::days)
    }

    /// When an invitation with `deadline` is to be gone: the period after the deadline's end plus
    /// [`COMPLETION_CLOCK_SKEW`] (the latest a completion can be), whole seconds (DynamoDB's TTL
    /// is in epoch seconds), rounded up.
    pub fn retained_until(&self, deadline: &AnswerDeadline) -> Timestamp {
        let end = deadline.expires_at()
            + COMPLETION_CLOCK_SKEW
            + SignedDuration::from_hours(i64::from(self.days) * 24);
        let seconds = end.as_second() + i64::from(end.subsec_nanosecond() > 0);
        Timestamp::from_second(seconds).expect("a deadline's retention is a valid instant")
    }
}

impl Default for RetentionPeriod {
    fn default() -> Self {
        Self {
            days: Self::DEFAULT_DAYS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_values::{at, date, zone};

    #[test]
    fn the_period_counts_from_the_latest_completion_after_the_deadline() {
        let deadline = AnswerDeadline::new(date("2026-12-31"), zone("Europe/Helsinki")).unwrap();
        // The deadline ends at midnight in Helsinki, 22:00 UTC; a completion may be recorded
        // up to five minutes later.
        assert_eq!(
            RetentionPeriod::default().retained_until(&deadline),
            at("2028-12-30T22:05:00Z")
        );
        assert_eq!(
            RetentionPeriod::days(1).unwrap().retained_until(&deadline),
            at("2027-01-01T22:05:00Z")
        );
    }

    #[test]
    fn only_a_sensible_period_is_accepted() {
        assert_eq!(
            RetentionPeriod::parse(" 730 "),
            Ok(RetentionPeriod::default())
        );
        assert!(RetentionPeriod::parse("3650").is_ok());
        for bad in ["0", "3651", "-1", "two years", "", "1.5"] {
            assert!(RetentionPeriod::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
