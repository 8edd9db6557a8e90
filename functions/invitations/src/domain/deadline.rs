//! The answer deadline: a calendar day, inclusive, in an IANA time zone.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// A named IANA time zone such as `Europe/Helsinki`: the zone whose calendar day a deadline
/// refers to, or the one a recruiter reads times in.
#[derive(Debug, Clone, PartialEq)]
pub struct IanaTimeZone {
    name: String,
    zone: TimeZone,
}

impl IanaTimeZone {
    pub fn parse(name: &str) -> Result<Self, String> {
        // Fixed offsets and POSIX rules are not days anyone lives in; only named zones are.
        let named = name.contains('/') || name == "UTC";
        match TimeZone::get(name) {
            // Names are matched without regard to case; the canonical spelling is kept.
            Ok(zone) if named => Ok(Self {
                name: zone.iana_name().unwrap_or(name).to_owned(),
                zone,
            }),
            _ => Err("must be an IANA time zone name such as Europe/Helsinki".to_owned()),
        }
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }
}

/// The last calendar day on which the candidate may still answer, inclusive, in a time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerDeadline {
    date: Date,
    time_zone: IanaTimeZone,
    expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("must be a date in the form YYYY-MM-DD, such as 2026-12-31")]
    NotADate,
    #[error("must not be before today ({today}) in {zone}")]
    InThePast { today: Date, zone: String },
    #[error("must be at most a year ahead (on or before {latest})")]
    TooFarAhead { latest: Date },
}

impl AnswerDeadline {
    /// How far ahead a deadline may be set.
    pub fn max_ahead() -> jiff::Span {
        1.year()
    }

    pub fn parse_date(raw: &str) -> Result<Date, DeadlineError> {
        // jiff alone would accept more forms (such as a date-time); the API promises exactly YYYY-MM-DD.
        let shaped = raw.len() == 10
            && raw.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        if !shaped {
            return Err(DeadlineError::NotADate);
        }
        raw.parse().map_err(|_| DeadlineError::NotADate)
    }

    /// A deadline as stored: no check against today, which only applies when it is set.
    pub fn new(date: Date, time_zone: IanaTimeZone) -> Result<Self, DeadlineError> {
        // The first instant of the next day in that zone, DST-correct: where a zone skips midnight,
        // the day starts at the first time that exists.
        let expires_at = date
            .tomorrow()
            .and_then(|next_day| next_day.to_zoned_datetime(time_zone.zone.clone()))
            .map_err(|_| DeadlineError::NotADate)?
            .timestamp();
        Ok(Self {
            date,
            time_zone,
            expires_at,
        })
    }

    /// A deadline chosen for a new invitation: from today (in the deadline's zone) to a year ahead.
    pub fn for_new_invitation(
        date: Date,
        time_zone: IanaTimeZone,
        now: Timestamp,
    ) -> Result<Self, DeadlineError> {
        let today = now.to_zoned_datetime(time_zone.zone.clone()).date();
        if date < today {
            return Err(DeadlineError::InThePast {
                today,
                zone: time_zone.name.clone(),
            });
        }
        let latest = today
            .checked_add(Self::max_ahead())
            .map_err(|_| DeadlineError::NotADate)?;
        if date > latest {
            return Err(DeadlineError::TooFarAhead { latest });
        }
        Self::new(date, time_zone)
    }

    pub fn date(&self) -> Date {
        self.date
    }
    pub fn time_zone(&self) -> &IanaTimeZone {
        &self.time_zone
    }
    /// The first instant at which answering is no longer allowed.
    pub fn expires_at(&self) -> Timestamp {
        self.expires_at
    }
    pub fn is_open_at(&self, now: Timestamp) -> bool {
        now < self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_values::{at, date, zone};

    #[test]
    fn deadline_dates_are_exactly_year_month_day() {
        assert_eq!(date("2026-12-15").to_string(), "2026-12-15");
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "2026-12-15T00:00",
            "2026-1-5",
            "15.12.2026",
            "+2026-12-15",
            "２０２６-12-15",
            "",
        ] {
            assert_eq!(
                AnswerDeadline::parse_date(bad),
                Err(DeadlineError::NotADate),
                "{bad:?}"
            );
        }
        assert!(AnswerDeadline::parse_date("2028-02-29").is_ok());
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert!(IanaTimeZone::parse("Europe/Helsinki").is_ok());
        assert!(IanaTimeZone::parse("UTC").is_ok());
        assert_eq!(
            IanaTimeZone::parse("europe/helsinki").unwrap().name(),
            "Europe/Helsinki"
        );
        for bad in ["Mars/Olympus", "+02:00", "EST5EDT,M3.2.0,M11.1.0", ""] {
            assert!(IanaTimeZone::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn today_is_allowed_and_yesterday_is_not_in_the_deadlines_zone() {
        // 23:30 UTC on 14 December is already 15 December in Helsinki (UTC+2).
        let now = at("2026-12-14T23:30:00Z");
        let helsinki = zone("Europe/Helsinki");
        assert!(
            AnswerDeadline::for_new_invitation(date("2026-12-15"), helsinki.clone(), now).is_ok()
        );
        assert!(matches!(
            AnswerDeadline::for_new_invitation(date("2026-12-14"), helsinki, now),
            Err(DeadlineError::InThePast { .. })
        ));
        // ...while in New York it is still 14 December, so that day is allowed.
        let new_york = zone("America/New_York");
        assert!(
            AnswerDeadline::for_new_invitation(date("2026-12-14"), new_york.clone(), now).is_ok()
        );
        assert!(AnswerDeadline::for_new_invitation(date("2026-12-13"), new_york, now).is_err());
    }

    #[test]
    fn a_deadline_may_be_at_most_a_year_ahead() {
        let now = at("2026-03-10T12:00:00Z");
        let utc = zone("UTC");
        assert!(AnswerDeadline::for_new_invitation(date("2027-03-10"), utc.clone(), now).is_ok());
        assert_eq!(
            AnswerDeadline::for_new_invitation(date("2027-03-11"), utc, now),
            Err(DeadlineError::TooFarAhead {
                latest: date("2027-03-10")
            })
        );
    }

    #[test]
    fn expiry_is_the_first_instant_after_the_deadline_day() {
        let deadline = AnswerDeadline::new(date("2026-12-15"), zone("Europe/Helsinki")).unwrap();
        assert_eq!(deadline.expires_at(), at("2026-12-15T22:00:00Z"));
        assert!(deadline.is_open_at(at("2026-12-15T21:59:59.999Z")));
        assert!(!deadline.is_open_at(at("2026-12-15T22:00:00Z")));
    }

    #[test]
    fn expiry_follows_daylight_saving_changes() {
        // Helsinki moves from UTC+2 to UTC+3 in the night to Sunday 29 March 2026.
        let before = AnswerDeadline::new(date("2026-03-28"), zone("Europe/Helsinki")).unwrap();
        assert_eq!(before.expires_at(), at("2026-03-28T22:00:00Z"));
        let after = AnswerDeadline::new(date("2026-03-29"), zone("Europe/Helsinki")).unwrap();
        assert_eq!(after.expires_at(), at("2026-03-29T21:00:00Z"));
        // And back to UTC+2 in the night to 25 October 2026: that day has 25 hours.
        let autumn = AnswerDeadline::new(date("2026-10-25"), zone("Europe/Helsinki")).unwrap();
        assert_eq!(autumn.expires_at(), at("2026-10-25T22:00:00Z"));
    }

    #[test]
    fn where_midnight_does_not_exist_the_next_day_starts_after_the_gap() {
        // Chile starts DST at 24:00 on Saturday 5 September 2026: clocks jump to 01:00 on the 6th.
        let deadline = AnswerDeadline::new(date("2026-09-05"), zone("America/Santiago")).unwrap();
        assert_eq!(deadline.expires_at(), at("2026-09-06T04:00:00Z"));
    }

    #[test]
    fn far_from_utc_the_day_ends_far_from_utc_midnight() {
        let kiritimati =
            AnswerDeadline::new(date("2026-12-15"), zone("Pacific/Kiritimati")).unwrap();
        assert_eq!(kiritimati.expires_at(), at("2026-12-15T10:00:00Z"));
        let pago_pago = AnswerDeadline::new(date("2026-12-15"), zone("Pacific/Pago_Pago")).unwrap();
        assert_eq!(pago_pago.expires_at(), at("2026-12-16T11:00:00Z"));
    }
}
