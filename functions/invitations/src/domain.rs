//! The recruiting domain: values that are valid by construction ("parse, don't validate") and the
//! records built from them. Nothing here talks to AWS or reads the clock.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Serialize, Serializer};

/// The tenant. It becomes part of DynamoDB keys, so it is restricted to characters that cannot
/// forge a key of another tenant (no `#`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrganizationId(String);

impl OrganizationId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let valid = (1..=64).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err("must be 1 to 64 letters, digits, '-' or '_'".to_owned())
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The recruiter's user id (`sub` of the identity provider).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecruiterId(String);

impl RecruiterId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if (1..=128).contains(&raw.len()) && !raw.chars().any(char::is_control) {
            Ok(Self(raw.to_owned()))
        } else {
            Err("must be 1 to 128 characters without control characters".to_owned())
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Trims and checks free text typed by a person: a length in characters (not bytes, so that
/// non-Latin names get the same room) and no control characters, which have no business in a name
/// or title and are how header injection starts.
fn parse_text(raw: &str, max_chars: usize) -> Result<String, String> {
    let text = raw.trim();
    let length = text.chars().count();
    if length == 0 {
        Err("must not be empty".to_owned())
    } else if length > max_chars {
        Err(format!("must be at most {max_chars} characters"))
    } else if text.chars().any(char::is_control) {
        Err("must not contain control characters such as line breaks or tabs".to_owned())
    } else {
        Ok(text.to_owned())
    }
}

macro_rules! text_newtype {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;
            pub fn parse(raw: &str) -> Result<Self, String> {
                parse_text(raw, Self::MAX_CHARS).map(Self)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_newtype!(
    /// A first or last name of a person, as they write it.
    PersonName,
    100
);
text_newtype!(
    /// The title of a video interview, shown to candidates.
    VideoInterviewTitle,
    200
);
text_newtype!(
    /// One question of a video interview.
    QuestionText,
    1000
);

/// An email address that SES can deliver to: no display name, no domain literal, a dotted domain
/// (internationalized domains are stored in their ASCII form), an ASCII local part (SES does not
/// support SMTPUTF8), at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, String> {
        const INVALID: &str = "must be a valid email address such as name@example.com";
        let raw = raw.trim();
        if raw.chars().count() > Self::MAX_LEN {
            return Err(format!("must be at most {} characters", Self::MAX_LEN));
        }
        let options = email_address::Options::default()
            .with_required_tld()
            .without_domain_literal()
            .without_display_text();
        let parsed = email_address::EmailAddress::parse_with_options(raw, options)
            .map_err(|_| INVALID.to_owned())?;
        if !parsed.local_part().is_ascii() {
            return Err("must have only ASCII characters before the @".to_owned());
        }
        let domain =
            idna::domain_to_ascii_strict(parsed.domain()).map_err(|_| INVALID.to_owned())?;
        let address = format!("{}@{}", parsed.local_part(), domain);
        if address.len() > Self::MAX_LEN {
            return Err(format!("must be at most {} characters", Self::MAX_LEN));
        }
        Ok(Self(address))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The languages the candidate's interview app and our emails are written in. The UI language of
/// an invitation changes the interface and the emails, never the questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    En,
    Fi,
    Sv,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::En, Language::Fi, Language::Sv];

    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fi => "fi",
            Language::Sv => "sv",
        }
    }

    pub fn supported_list() -> String {
        Self::ALL.map(Self::code).join(", ")
    }

    /// A BCP 47 locale such as `fi-FI` or `sv_SE` (from an identity provider), when its language is
    /// one of ours.
    pub fn from_locale(locale: &str) -> Option<Self> {
        let primary = locale.split(['-', '_']).next()?;
        primary.to_ascii_lowercase().parse().ok()
    }
}

impl FromStr for Language {
    type Err = String;
    fn from_str(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|language| language.code() == code)
            .ok_or_else(|| {
                format!(
                    "must be one of the supported languages: {}",
                    Self::supported_list()
                )
            })
    }
}

impl Serialize for Language {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// An IANA time zone such as `Europe/Helsinki`, the zone whose calendar day a deadline refers to.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineTimeZone {
    name: String,
    zone: TimeZone,
}

impl DeadlineTimeZone {
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
    time_zone: DeadlineTimeZone,
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
    pub fn new(date: Date, time_zone: DeadlineTimeZone) -> Result<Self, DeadlineError> {
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
        time_zone: DeadlineTimeZone,
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
    pub fn time_zone(&self) -> &DeadlineTimeZone {
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

macro_rules! ulid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(ulid::Ulid);

        impl $name {
            /// New ids sort by creation time, which gives "newest first" listings for free.
            pub fn generate(now: Timestamp) -> Self {
                Self(monotonic_ulid(now))
            }
            pub fn to_bytes(self) -> [u8; 16] {
                self.0.to_bytes()
            }
            pub fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(ulid::Ulid::from_bytes(bytes))
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(raw: &str) -> Result<Self, String> {
                raw.parse::<ulid::Ulid>()
                    .map(Self)
                    .map_err(|_| format!("must be a {} id", stringify!($name).trim_end_matches("Id")))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
    };
}

ulid_id!(
    /// Identifies a video interview within its organization.
    VideoInterviewId
);
ulid_id!(
    /// Identifies an invitation within its organization.
    InvitationId
);

/// A ULID for this instant that sorts after every other one this process made in the same
/// millisecond, so that ids made in quick succession still list in the order they were made.
fn monotonic_ulid(now: Timestamp) -> ulid::Ulid {
    static GENERATOR: std::sync::Mutex<ulid::Generator> =
        std::sync::Mutex::new(ulid::Generator::new());
    let at = std::time::SystemTime::try_from(now).unwrap_or_else(|_| std::time::SystemTime::now());
    let mut generator = GENERATOR
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // Overflow needs 2^80 ids in one millisecond; a fresh random one is the fallback.
    generator
        .generate_from_datetime(at)
        .unwrap_or_else(|_| ulid::Ulid::from_datetime(at))
}

/// Who is acting, as the API Gateway JWT authorizer vouched for them.
#[derive(Debug, Clone, PartialEq)]
pub struct Recruiter {
    pub id: RecruiterId,
    pub organization_id: OrganizationId,
    pub email: EmailAddress,
    pub name: Option<PersonName>,
    /// From the identity provider's `locale` claim, when it is a language we write.
    pub language: Option<Language>,
}

impl Recruiter {
    /// How the recruiter is named to a candidate: their name, else their email address.
    pub fn display_name(&self) -> &str {
        self.name
            .as_ref()
            .map_or(self.email.as_str(), PersonName::as_str)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub text: QuestionText,
    pub think_time_seconds: Option<u32>,
    pub answer_time_seconds: Option<u32>,
}

impl Question {
    pub const THINK_TIME_SECONDS: std::ops::RangeInclusive<u32> = 0..=600;
    pub const ANSWER_TIME_SECONDS: std::ops::RangeInclusive<u32> = 10..=1800;
    pub const MAX_PER_INTERVIEW: usize = 30;
}

#[derive(Debug, Clone, PartialEq)]
pub struct VideoInterview {
    pub id: VideoInterviewId,
    pub organization_id: OrganizationId,
    pub title: VideoInterviewTitle,
    pub questions: Vec<Question>,
    pub created_by: RecruiterId,
    pub created_at: Timestamp,
}

/// The candidate, who exists nowhere but in this invitation.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: EmailAddress,
}

/// Where an invitation is in its life:
///
/// ```text
/// sending ─┬─> sent ────────┬─> opened ──> completed
///          └─> send_failed ─┘
/// ```
///
/// and the recruiter may cancel from anything but `completed`.
///
/// `Sending` is written before the email goes out, so that an email is never sent for an
/// invitation that is not stored; it stays only if the process died between the two, which the
/// recruiter then sees instead of a silent loss. A candidate may open and complete from any of the
/// first three (SES may have delivered an email whose confirmation was lost), and completion may
/// also arrive without an open (from the recording service).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    Sending,
    Sent,
    SendFailed,
    Opened,
    Completed,
    Cancelled,
}

impl InvitationStatus {
    pub const ALL: [InvitationStatus; 6] = [
        Self::Sending,
        Self::Sent,
        Self::SendFailed,
        Self::Opened,
        Self::Completed,
        Self::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::SendFailed => "send_failed",
            Self::Opened => "opened",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }

    /// The statuses in which the candidate has not opened the interview yet.
    pub const UNOPENED: [InvitationStatus; 3] = [Self::Sending, Self::Sent, Self::SendFailed];
}

impl FromStr for InvitationStatus {
    type Err = String;
    fn from_str(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|status| status.code() == code)
            .ok_or_else(|| format!("must be one of: {}", Self::ALL.map(Self::code).join(", ")))
    }
}

impl Serialize for InvitationStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// What the recruiter who sent an invitation looked like at that moment; kept on the invitation so
/// that later emails (notify-me) reach them at the address they had then.
#[derive(Debug, Clone, PartialEq)]
pub struct InvitedBy {
    pub id: RecruiterId,
    pub email: EmailAddress,
    pub name: Option<PersonName>,
    pub language: Option<Language>,
}

impl From<&Recruiter> for InvitedBy {
    fn from(recruiter: &Recruiter) -> Self {
        Self {
            id: recruiter.id.clone(),
            email: recruiter.email.clone(),
            name: recruiter.name.clone(),
            language: recruiter.language,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Invitation {
    pub id: InvitationId,
    pub organization_id: OrganizationId,
    pub video_interview_id: VideoInterviewId,
    pub video_interview_title: VideoInterviewTitle,
    /// The questions as they were when the invitation was sent: what this candidate is asked.
    pub questions: Vec<Question>,
    pub candidate: Candidate,
    pub language: Language,
    pub deadline: AnswerDeadline,
    pub bcc_myself: bool,
    pub notify_me: bool,
    pub invited_by: InvitedBy,
    pub status: InvitationStatus,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    /// Why sending failed, in words fit for the recruiter (no personal data, no AWS internals).
    pub send_failure: Option<String>,
    pub opened_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    /// Whether the completion event is known to be on the bus (else a repeated completion call
    /// publishes it again).
    pub completion_published: bool,
    /// When the notify-me email went to the recruiter.
    pub recruiter_notified_at: Option<Timestamp>,
}

/// What the candidate's link leads to at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateAccess {
    /// The candidate may answer.
    Open,
    /// Already submitted: shown as done, whatever the date.
    Completed,
    /// The recruiter withdrew the invitation.
    Cancelled,
    /// The deadline day is over (in the deadline's zone) and nothing was submitted.
    Expired,
}

impl Invitation {
    pub fn candidate_access(&self, now: Timestamp) -> CandidateAccess {
        if self.status == InvitationStatus::Completed {
            CandidateAccess::Completed
        } else if self.status == InvitationStatus::Cancelled {
            CandidateAccess::Cancelled
        } else if self.deadline.is_open_at(now) {
            CandidateAccess::Open
        } else {
            CandidateAccess::Expired
        }
    }
}

/// A valid invitation for unit tests to adjust.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    pub fn invitation() -> Invitation {
        let now: Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        Invitation {
            id: InvitationId::generate(now),
            organization_id: OrganizationId::parse("acme").unwrap(),
            video_interview_id: VideoInterviewId::generate(now),
            video_interview_title: VideoInterviewTitle::parse("Sales Lead").unwrap(),
            questions: vec![Question {
                text: QuestionText::parse("Why us?").unwrap(),
                think_time_seconds: Some(30),
                answer_time_seconds: Some(120),
            }],
            candidate: Candidate {
                first_name: PersonName::parse("Anna").unwrap(),
                last_name: PersonName::parse("Virtanen").unwrap(),
                email: EmailAddress::parse("anna@example.fi").unwrap(),
            },
            language: Language::En,
            deadline: AnswerDeadline::new(
                AnswerDeadline::parse_date("2026-12-15").unwrap(),
                DeadlineTimeZone::parse("Europe/Helsinki").unwrap(),
            )
            .unwrap(),
            bcc_myself: false,
            notify_me: true,
            invited_by: InvitedBy {
                id: RecruiterId::parse("user-1").unwrap(),
                email: EmailAddress::parse("rita@acme.example").unwrap(),
                name: Some(PersonName::parse("Rita").unwrap()),
                language: None,
            },
            status: InvitationStatus::Sending,
            created_at: now,
            sent_at: None,
            send_failure: None,
            opened_at: None,
            completed_at: None,
            completion_published: false,
            recruiter_notified_at: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> DeadlineTimeZone {
        DeadlineTimeZone::parse(name).unwrap()
    }

    fn at(instant: &str) -> Timestamp {
        instant.parse().unwrap()
    }

    fn date(raw: &str) -> Date {
        AnswerDeadline::parse_date(raw).unwrap()
    }

    #[test]
    fn names_are_trimmed_and_bounded_in_characters() {
        assert_eq!(PersonName::parse("  Anna ").unwrap().as_str(), "Anna");
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse("").is_err());
        assert!(PersonName::parse(&"ä".repeat(100)).is_ok());
        assert!(PersonName::parse(&"ä".repeat(101)).is_err());
        assert!(PersonName::parse("王秀英").is_ok());
    }

    #[test]
    fn names_with_control_characters_are_rejected() {
        for bad in [
            "Anna\r\nBcc: x@evil.com",
            "An\tna",
            "Anna\u{0}",
            "Anna\u{7f}x",
        ] {
            assert!(PersonName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn titles_and_questions_have_their_own_bounds() {
        assert!(VideoInterviewTitle::parse(&"t".repeat(200)).is_ok());
        assert!(VideoInterviewTitle::parse(&"t".repeat(201)).is_err());
        assert!(QuestionText::parse(&"q".repeat(1000)).is_ok());
        assert!(QuestionText::parse(&"q".repeat(1001)).is_err());
    }

    #[test]
    fn email_addresses_are_checked_and_normalized() {
        assert_eq!(
            EmailAddress::parse(" anna.virtanen@example.fi ")
                .unwrap()
                .as_str(),
            "anna.virtanen@example.fi"
        );
        assert_eq!(
            EmailAddress::parse("anna@bücher.example").unwrap().as_str(),
            "anna@xn--bcher-kva.example"
        );
        for bad in [
            "",
            "anna",
            "anna@",
            "@example.com",
            "anna@localhost",
            "Anna <anna@example.com>",
            "anna@[127.0.0.1]",
            "anna@example.com.",
            "anna@example..com",
            "änna@example.com",
            "anna@example.com\r\nBcc: x@evil.com",
            "a b@example.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
        let local = "a".repeat(64);
        let long = format!("{local}@{}.com", vec!["b".repeat(60); 3].join("."));
        assert!(long.len() <= 254 && EmailAddress::parse(&long).is_ok());
        let too_long = format!("{local}@{}.com", vec!["b".repeat(60); 4].join("."));
        assert!(EmailAddress::parse(&too_long).is_err());
    }

    #[test]
    fn languages_are_the_supported_ones() {
        assert_eq!("fi".parse::<Language>(), Ok(Language::Fi));
        let error = "de".parse::<Language>().unwrap_err();
        assert!(error.contains("en, fi, sv"), "{error}");
        assert!("EN".parse::<Language>().is_err());
        assert_eq!(Language::from_locale("sv-SE"), Some(Language::Sv));
        assert_eq!(Language::from_locale("FI_fi"), Some(Language::Fi));
        assert_eq!(Language::from_locale("de-DE"), None);
    }

    #[test]
    fn organization_ids_cannot_forge_keys() {
        assert!(OrganizationId::parse("acme-01_x").is_ok());
        for bad in ["", "a#b", "ORG#x", "a b", &"a".repeat(65)] {
            assert!(OrganizationId::parse(bad).is_err(), "{bad:?}");
        }
    }

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
        assert!(DeadlineTimeZone::parse("Europe/Helsinki").is_ok());
        assert!(DeadlineTimeZone::parse("UTC").is_ok());
        assert_eq!(
            DeadlineTimeZone::parse("europe/helsinki").unwrap().name(),
            "Europe/Helsinki"
        );
        for bad in ["Mars/Olympus", "+02:00", "EST5EDT,M3.2.0,M11.1.0", ""] {
            assert!(DeadlineTimeZone::parse(bad).is_err(), "{bad:?}");
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

    #[test]
    fn ids_made_in_the_same_millisecond_keep_their_order() {
        let now = at("2026-01-01T00:00:00Z");
        let ids: Vec<_> = (0..100).map(|_| InvitationId::generate(now)).collect();
        assert!(ids.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn ids_sort_by_creation_time_and_parse_back() {
        let first = InvitationId::generate(at("2026-01-01T00:00:00Z"));
        let second = InvitationId::generate(at("2026-01-01T00:00:01Z"));
        assert!(first < second);
        assert_eq!(first.to_string().parse::<InvitationId>(), Ok(first));
        assert!(
            "not-an-id"
                .parse::<InvitationId>()
                .unwrap_err()
                .contains("Invitation id")
        );
    }

    fn invitation_due(date_text: &str, zone_name: &str) -> Invitation {
        let mut invitation = fixtures::invitation();
        invitation.deadline = AnswerDeadline::new(date(date_text), zone(zone_name)).unwrap();
        invitation.status = InvitationStatus::Sent;
        invitation
    }

    #[test]
    fn the_candidate_may_answer_until_the_last_second_of_the_deadline_day() {
        // Helsinki: 23:59:59 local on 15 December is 21:59:59 UTC.
        let invitation = invitation_due("2026-12-15", "Europe/Helsinki");
        let last_second = at("2026-12-15T21:59:59Z");
        assert_eq!(
            invitation.candidate_access(last_second),
            CandidateAccess::Open
        );
        let midnight = at("2026-12-15T22:00:00Z");
        assert_eq!(
            invitation.candidate_access(midnight),
            CandidateAccess::Expired
        );
    }

    #[test]
    fn the_deadline_day_follows_a_daylight_saving_change_on_it() {
        // Helsinki's clocks go back in the night to Sunday 25 October 2026 (03:00 EEST -> 02:00 EET):
        // that day lasts 25 hours and ends at 22:00 UTC, not 21:00 UTC as the day before did.
        let invitation = invitation_due("2026-10-25", "Europe/Helsinki");
        assert_eq!(
            invitation.candidate_access(at("2026-10-25T21:59:59Z")),
            CandidateAccess::Open
        );
        assert_eq!(
            invitation.candidate_access(at("2026-10-25T22:00:00Z")),
            CandidateAccess::Expired
        );
        // Spring forward (29 March): a 23-hour day that ends at 21:00 UTC.
        let spring = invitation_due("2026-03-29", "Europe/Helsinki");
        assert_eq!(
            spring.candidate_access(at("2026-03-29T20:59:59Z")),
            CandidateAccess::Open
        );
        assert_eq!(
            spring.candidate_access(at("2026-03-29T21:00:00Z")),
            CandidateAccess::Expired
        );
    }

    #[test]
    fn far_from_utc_the_deadline_day_ends_far_from_utc_midnight() {
        // Kiritimati is UTC+14: its 15 December ends at 10:00 UTC on the 15th.
        let east = invitation_due("2026-12-15", "Pacific/Kiritimati");
        assert_eq!(
            east.candidate_access(at("2026-12-15T09:59:59Z")),
            CandidateAccess::Open
        );
        assert_eq!(
            east.candidate_access(at("2026-12-15T10:00:00Z")),
            CandidateAccess::Expired
        );
        // Pago Pago is UTC-11: its 15 December ends at 11:00 UTC on the 16th.
        let west = invitation_due("2026-12-15", "Pacific/Pago_Pago");
        assert_eq!(
            west.candidate_access(at("2026-12-16T10:59:59Z")),
            CandidateAccess::Open
        );
        assert_eq!(
            west.candidate_access(at("2026-12-16T11:00:00Z")),
            CandidateAccess::Expired
        );
    }

    #[test]
    fn completed_stays_completed_and_cancelled_wins_over_open() {
        let mut invitation = invitation_due("2026-12-15", "UTC");
        invitation.status = InvitationStatus::Completed;
        assert_eq!(
            invitation.candidate_access(at("2027-01-01T00:00:00Z")),
            CandidateAccess::Completed
        );
        invitation.status = InvitationStatus::Cancelled;
        assert_eq!(
            invitation.candidate_access(at("2026-12-01T00:00:00Z")),
            CandidateAccess::Cancelled
        );
    }

    #[test]
    fn every_status_code_reads_back() {
        for status in InvitationStatus::ALL {
            assert_eq!(status.code().parse::<InvitationStatus>(), Ok(status));
        }
    }
}
