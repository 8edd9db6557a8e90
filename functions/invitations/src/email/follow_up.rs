//! The follow-up emails to the candidate: the notice that the deadline moved, and the deadline
//! reminders. They share the invitation email's greeting, button and closing
//! ([`InvitationCopy`]), and carry the invitation's follow-up link.

use askama::Template;
use jiff::{SignedDuration, Timestamp};

use super::invitation::{InvitationCopy, recruiter_name, to_candidate};
use super::{Branding, Reader, RenderError, counted, isolated, long_date, zone_name};
use crate::domain::Employer;
use crate::domain::{FollowUpKind, Invitation, Language};
use crate::ports::{EmailKind, OutgoingEmail};

/// What a follow-up email says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpMessage {
    /// The deadline moved to the invitation's (new) deadline.
    DeadlineExtended,
    /// A reminder sent at `now`: how long is left, or that today is the last day.
    Reminder { now: Timestamp },
}

impl FollowUpMessage {
    pub fn kind(self) -> FollowUpKind {
        match self {
            Self::DeadlineExtended => FollowUpKind::DeadlineExtension,
            Self::Reminder { .. } => FollowUpKind::Reminder,
        }
    }
}

/// The follow-ups' own words in one language (the rest is the invitation email's).
struct FollowUpCopy {
    /// Follows the employer's name and a colon.
    extended_subject: &'static str,
    /// Follows "<recruiter> from <employer>"; the title follows it.
    extended: &'static str,
    reminder_subject: &'static str,
    reminder: &'static str,
    /// Before the time left ("2 days"), and after it up to the deadline day.
    time_left: (&'static str, &'static str),
    days: (&'static str, &'static str),
    hours: (&'static str, &'static str),
    last_day: &'static str,
    until_midnight_today: &'static str,
}

impl FollowUpCopy {
    fn of(language: Language) -> &'static Self {
        match language {
            Language::En => &Self {
                extended_subject: "more time for your video interview",
                extended: "has given you more time to answer the video interview:",
                reminder_subject: "a reminder about your video interview",
                reminder: "is still looking forward to your answers to the video interview:",
                time_left: ("You have", "left: please answer by"),
                days: ("day", "days"),
                hours: ("hour", "hours"),
                last_day: "Today is the last day to answer.",
                until_midnight_today: "You can answer until midnight tonight",
            },
            Language::Fi => &Self {
                extended_subject: "lisäaikaa videohaastatteluusi",
                extended: "on antanut sinulle lisäaikaa vastata videohaastatteluun:",
                reminder_subject: "muistutus videohaastattelustasi",
                reminder: "odottaa yhä vastauksiasi videohaastatteluun:",
                time_left: ("Aikaa on jäljellä", "– vastaa viimeistään"),
                days: ("päivä", "päivää"),
                hours: ("tunti", "tuntia"),
                last_day: "Tänään on viimeinen päivä vastata.",
                until_midnight_today: "Voit vastata tänään keskiyöhön asti",
            },
            Language::Sv => &Self {
                extended_subject: "mer tid för din videointervju",
                extended: "har gett dig mer tid att svara på videointervjun:",
                reminder_subject: "en påminnelse om din videointervju",
                reminder: "ser fortfarande fram emot dina svar på videointervjun:",
                time_left: ("Du har", "kvar – svara senast"),
                days: ("dag", "dagar"),
                hours: ("timme", "timmar"),
                last_day: "I dag är sista dagen att svara.",
                until_midnight_today: "Du kan svara ända fram till midnatt i kväll",
            },
        }
    }

    /// The time from `now` to `expires_at` as a reader counts it, in whole hours rounded to the
    /// nearest (so that a reminder a few minutes late still says "48 hours"), at least one; in
    /// days, rounded to the nearest, from two days on ("1 day" for 34 hours would mislead).
    fn time_left(&self, now: Timestamp, expires_at: Timestamp) -> String {
        let hours = (expires_at - now + SignedDuration::from_mins(30))
            .as_hours()
            .max(1);
        let hours = u64::try_from(hours).unwrap_or(1);
        if hours >= 48 {
            counted((hours + 12) / 24, self.days.0, self.days.1)
        } else {
            counted(hours, self.hours.0, self.hours.1)
        }
    }
}

#[derive(Template)]
#[template(path = "follow_up.html")]
struct FollowUpHtml<'a> {
    copy: &'a InvitationCopy,
    branding: &'a Branding<'a>,
    language: &'a str,
    subject: &'a str,
    first_name: &'a str,
    lead: &'a str,
    title: &'a str,
    when: &'a str,
    still: &'a str,
    time_zone: &'a str,
    link: &'a str,
    recruiter: &'a str,
}

#[derive(Template)]
#[template(path = "follow_up.txt")]
struct FollowUpText<'a> {
    copy: &'a InvitationCopy,
    branding: &'a Branding<'a>,
    employer: &'a str,
    first_name: &'a str,
    lead: &'a str,
    title: &'a str,
    when: &'a str,
    still: &'a str,
    time_zone: &'a str,
    link: &'a str,
    recruiter: &'a str,
}

/// A follow-up email to the candidate of `invitation`, in its language, from `employer`, with
/// `link` (the follow-up link): the deadline day and its zone as the language says them, and for
/// a reminder how long is left (or that today is the last day, in the deadline's zone). No BCC:
/// the recruiter asked for a copy of the invitation, not of every follow-up.
pub fn follow_up_email(
    invitation: &Invitation,
    employer: &Employer,
    link: &str,
    message: FollowUpMessage,
) -> Result<OutgoingEmail, RenderError> {
    let language = invitation.language;
    let copy = InvitationCopy::of(language);
    let words = FollowUpCopy::of(language);
    let recruiter = recruiter_name(invitation);
    let title = invitation.video_interview_title.as_str();
    let employer_name = employer.name.as_str();
    let deadline = &invitation.deadline;
    let day = long_date(deadline.date(), language);
    let time_zone = zone_name(deadline.time_zone(), deadline.expires_at(), language);
    let (subject_words, lead_words) = match message {
        FollowUpMessage::DeadlineExtended => (words.extended_subject, words.extended),
        FollowUpMessage::Reminder { .. } => (words.reminder_subject, words.reminder),
    };
    let (when, still) = match message {
        FollowUpMessage::Reminder { now }
            if now
                .to_zoned_datetime(deadline.time_zone().zone().clone())
                .date()
                == deadline.date() =>
        {
            (words.last_day.to_owned(), words.until_midnight_today)
        }
        FollowUpMessage::Reminder { now } => (
            format!(
                "{} {} {} {day}.",
                words.time_left.0,
                words.time_left(now, deadline.expires_at()),
                words.time_left.1
            ),
            copy.still_on_that_day,
        ),
        FollowUpMessage::DeadlineExtended => {
            (format!("{} {day}.", copy.answer_by), copy.still_on_that_day)
        }
    };
    let lead = |recruiter: &str, employer: &str| {
        format!(
            "{recruiter}{}{employer}{} {lead_words}",
            copy.before_employer, copy.after_employer
        )
    };
    let subject = format!(
        "{}: {subject_words}: {}",
        isolated(employer_name),
        isolated(title)
    );
    let branding = Branding::of(employer, language, Reader::Candidate);
    let first_name = invitation.candidate.first_name.as_str();
    let html = FollowUpHtml {
        copy,
        branding: &branding,
        language: language.code(),
        subject: &subject,
        first_name,
        lead: &lead(recruiter, employer_name),
        title,
        when: &when,
        still,
        time_zone: &time_zone,
        link,
        recruiter,
    }
    .render()?;
    let text = FollowUpText {
        copy,
        branding: &branding,
        employer: &isolated(employer_name),
        first_name: &isolated(first_name),
        lead: &lead(&isolated(recruiter), &isolated(employer_name)),
        title: &isolated(title),
        when: &when,
        still,
        time_zone: &time_zone,
        link,
        recruiter: &isolated(recruiter),
    }
    .render()?;
    let kind = match message.kind() {
        FollowUpKind::DeadlineExtension => EmailKind::DeadlineExtension,
        FollowUpKind::Reminder => EmailKind::Reminder,
    };
    Ok(to_candidate(
        invitation,
        employer,
        kind,
        false,
        [subject, html, text],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixture_employer;
    use crate::email::{assert_says, hostile_invitation as invitation};

    const LINK: &str = "https://interview.example/i/follow_UP-123";

    fn at(instant: &str) -> Timestamp {
        instant.parse().unwrap()
    }

    fn email(language: Language, message: FollowUpMessage) -> OutgoingEmail {
        // The fixture's deadline: 15 December 2026 in Helsinki, ending 2026-12-15T22:00Z.
        follow_up_email(
            &invitation(language, true),
            &fixture_employer(),
            LINK,
            message,
        )
        .unwrap()
    }

    #[test]
    fn the_extension_notice_names_the_new_deadline_day_and_that_it_is_included() {
        let cases = [
            (
                Language::En,
                "Acme Oy: more time for your video interview: Sales <b>Lead</b> & \"Co\"",
                [
                    "Rita O'Hara from Acme Oy has given you more time to answer the video interview: Sales <b>Lead</b> & \"Co\".",
                    "Please answer by Tuesday 15 December 2026. You can still answer on that day, until midnight (Eastern European Time).",
                ],
            ),
            (
                Language::Fi,
                "Acme Oy: lisäaikaa videohaastatteluusi: Sales <b>Lead</b> & \"Co\"",
                [
                    "Rita O'Hara (Acme Oy) on antanut sinulle lisäaikaa vastata videohaastatteluun: Sales <b>Lead</b> & \"Co\".",
                    "Vastaa viimeistään tiistaina 15.12.2026. Voit vastata vielä saman päivän aikana keskiyöhön asti (Itä-Euroopan aika).",
                ],
            ),
            (
                Language::Sv,
                "Acme Oy: mer tid för din videointervju: Sales <b>Lead</b> & \"Co\"",
                [
                    "Rita O'Hara på Acme Oy har gett dig mer tid att svara på videointervjun: Sales <b>Lead</b> & \"Co\".",
                    "Svara senast tisdagen den 15 december 2026. Du kan svara hela den dagen, ända fram till midnatt (östeuropeisk tid).",
                ],
            ),
        ];
        for (language, subject, sentences) in cases {
            let email = email(language, FollowUpMessage::DeadlineExtended);
            assert_says(&email, language, subject, &sentences);
            assert!(email.text.contains(LINK) && email.html.contains(LINK));
            assert_eq!(email.purpose.kind, EmailKind::DeadlineExtension);
            assert_eq!(email.bcc, None, "no copy of a follow-up to the recruiter");
        }
    }

    #[test]
    fn a_reminder_says_plainly_how_long_is_left_or_that_today_is_the_last_day() {
        // 48 hours before, and a sweep 14 minutes late: still "2 days".
        for now in ["2026-12-13T22:00:00Z", "2026-12-13T22:14:00Z"] {
            let reminder = FollowUpMessage::Reminder { now: at(now) };
            let cases = [
                (
                    Language::En,
                    "You have 2 days left: please answer by Tuesday 15 December 2026. You can still answer on that day, until midnight (Eastern European Time).",
                ),
                (
                    Language::Fi,
                    "Aikaa on jäljellä 2 päivää – vastaa viimeistään tiistaina 15.12.2026. Voit vastata vielä saman päivän aikana keskiyöhön asti (Itä-Euroopan aika).",
                ),
                (
                    Language::Sv,
                    "Du har 2 dagar kvar – svara senast tisdagen den 15 december 2026. Du kan svara hela den dagen, ända fram till midnatt (östeuropeisk tid).",
                ),
            ];
            for (language, sentence) in cases {
                let email = email(language, reminder);
                assert!(email.text.contains(sentence), "{now}: {}", email.text);
                assert_eq!(email.purpose.kind, EmailKind::Reminder);
            }
        }
        // 09:00 on the last day in Helsinki is 07:00 UTC.
        let last_day = FollowUpMessage::Reminder {
            now: at("2026-12-15T07:00:00Z"),
        };
        let cases = [
            (
                Language::En,
                "Acme Oy: a reminder about your video interview: Sales <b>Lead</b> & \"Co\"",
                "Today is the last day to answer. You can answer until midnight tonight (Eastern European Time).",
            ),
            (
                Language::Fi,
                "Acme Oy: muistutus videohaastattelustasi: Sales <b>Lead</b> & \"Co\"",
                "Tänään on viimeinen päivä vastata. Voit vastata tänään keskiyöhön asti (Itä-Euroopan aika).",
            ),
            (
                Language::Sv,
                "Acme Oy: en påminnelse om din videointervju: Sales <b>Lead</b> & \"Co\"",
                "I dag är sista dagen att svara. Du kan svara ända fram till midnatt i kväll (östeuropeisk tid).",
            ),
        ];
        for (language, subject, sentence) in cases {
            assert_says(&email(language, last_day), language, subject, &[sentence]);
        }
        // The day before, in the evening: hours, not "1 day".
        let evening = FollowUpMessage::Reminder {
            now: at("2026-12-14T12:00:00Z"),
        };
        let text = email(Language::En, evening).text;
        assert!(text.contains("You have 34 hours left"), "{text}");
        let late = FollowUpMessage::Reminder {
            now: at("2026-12-14T21:30:00Z"),
        };
        let text = email(Language::En, late).text;
        assert!(text.contains("You have 25 hours left"), "{text}");
        let early = FollowUpMessage::Reminder {
            now: at("2026-12-10T22:00:00Z"),
        };
        let text = email(Language::Fi, early).text;
        assert!(text.contains("Aikaa on jäljellä 5 päivää"), "{text}");
    }

    #[test]
    fn every_value_is_escaped_in_html() {
        let email = email(Language::En, FollowUpMessage::DeadlineExtended);
        assert!(!email.html.contains("<script>"));
        assert!(!email.html.contains("<b>Lead</b>"));
        assert!(email.text.contains("Hello <script>alert(1)</script>,"));
    }
}
