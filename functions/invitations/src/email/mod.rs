//! The emails the service sends, one module each with its wording in every language and its
//! askama templates (`templates/`): every value is HTML-escaped in the HTML part, and each email
//! has a plain-text part for clients that do not show HTML. A new email is a new module here,
//! with its templates beside the others, extending `layout.html`.

mod follow_up;
mod invitation;
mod recruiter_notice;
mod zones;

use std::borrow::Cow;

use jiff::Timestamp;
use jiff::civil::Date;
use unicode_bidi::{BidiClass, bidi_class};

use crate::domain::{Employer, HttpsUrl, IanaTimeZone, Language};

pub use follow_up::{FollowUpMessage, follow_up_email};
pub use invitation::{candidate_link, invitation_email};
pub use recruiter_notice::{
    NoticeAbout, completed_interview_link, completion_notice, recruiter_notice,
};
pub use zones::zone_name;

/// An email that could not be rendered: a bug in its template, never the data (every value is
/// escaped, none is too long for a template).
#[derive(Debug, thiserror::Error)]
#[error("rendering an email failed: {0}")]
pub struct RenderError(#[from] askama::Error);

/// A person's text (a name, a title) as it goes into a plain-text line or a subject beside the
/// service's own words: between FIRST STRONG ISOLATE (U+2068) and POP DIRECTIONAL ISOLATE
/// (U+2069) when it holds a right-to-left character (bidi class R, AL or AN, UAX #9), so that an
/// Arabic or Hebrew name keeps its own direction without reordering the sentence around it (the
/// digits and dash after it, say). Text written left to right only is left as it is: the
/// copy is English, Finnish and Swedish, so it needs no isolate, and invisible marks in every
/// subject would only get in the way of searching a mailbox. Explicit bidi controls cannot be in
/// it: the domain refuses them (PRECIS). The HTML parts isolate every such value with `<bdi>`.
pub(crate) fn isolated(text: &str) -> Cow<'_, str> {
    let right_to_left = text
        .chars()
        .any(|c| matches!(bidi_class(c), BidiClass::R | BidiClass::AL | BidiClass::AN));
    if right_to_left {
        Cow::Owned(format!("\u{2068}{text}\u{2069}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A date as people write it in that language: "Tuesday 15 December 2026", "tiistaina 15.12.2026"
/// (the essive: "on Tuesday"), "tisdagen den 15 december 2026" (Språkrådet's style for a date
/// with its weekday). Each reads right after "by"/"viimeistään"/"senast" and on its own.
pub fn long_date(date: Date, language: Language) -> String {
    const EN_MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const SV_MONTHS: [&str; 12] = [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ];
    let weekday = usize::from(date.weekday().to_monday_zero_offset().unsigned_abs());
    let month = usize::from(date.month().unsigned_abs()) - 1;
    let (day, year) = (date.day(), date.year());
    match language {
        Language::En => {
            const DAYS: [&str; 7] = [
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
                "Sunday",
            ];
            format!("{} {day} {} {year}", DAYS[weekday], EN_MONTHS[month])
        }
        Language::Fi => {
            const DAYS: [&str; 7] = [
                "maanantaina",
                "tiistaina",
                "keskiviikkona",
                "torstaina",
                "perjantaina",
                "lauantaina",
                "sunnuntaina",
            ];
            format!("{} {day}.{}.{year}", DAYS[weekday], month + 1)
        }
        Language::Sv => {
            const DAYS: [&str; 7] = [
                "måndagen",
                "tisdagen",
                "onsdagen",
                "torsdagen",
                "fredagen",
                "lördagen",
                "söndagen",
            ];
            format!("{} den {day} {} {year}", DAYS[weekday], SV_MONTHS[month])
        }
    }
}

/// An instant as a date and a 24-hour time in a zone, as each language writes it after "on",
/// "–" or a verb: "Thursday 10 December 2026 at 16:03", "torstaina 10.12.2026 klo 16.03",
/// "torsdagen den 10 december 2026 kl. 16.03" (no leading zero in the hour in fi and sv running text).
pub(crate) fn long_date_time(at: Timestamp, zone: &IanaTimeZone, language: Language) -> String {
    let local = at.to_zoned_datetime(zone.zone().clone());
    let date = long_date(local.date(), language);
    let (hour, minute) = (local.hour(), local.minute());
    match language {
        Language::En => format!("{date} at {hour:02}:{minute:02}"),
        Language::Fi => format!("{date} klo {hour}.{minute:02}"),
        Language::Sv => format!("{date} kl. {hour}.{minute:02}"),
    }
}

/// A count of something as each language says it: "1 question", "5 questions"; "1 kysymys",
/// "5 kysymystä" (the partitive after a numeral); "1 fråga", "5 frågor".
pub(crate) fn counted(count: u64, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

/// Who the email comes from, as its layout shows it: the employer's name or logo on top, the
/// button in its colour, and the footer naming it with its privacy notice and careers site.
pub(crate) struct Branding<'a> {
    pub employer: &'a str,
    pub logo_url: Option<&'a str>,
    pub accent: String,
    pub button_text: &'static str,
    pub privacy_notice_url: Option<&'a str>,
    pub careers_site_url: Option<&'a str>,
    pub footer: &'static FooterCopy,
}

/// Who reads an email, for its footer's words.
#[derive(Clone, Copy)]
pub(crate) enum Reader {
    Candidate,
    Recruiter,
}

/// The footer's wording in one language.
pub(crate) struct FooterCopy {
    /// Before the employer's name (no inflection needed in any language: "Lähettäjä: Acme Oy").
    pub sent_for: &'static str,
    pub privacy_notice: &'static str,
    pub careers_site: &'static str,
}

impl FooterCopy {
    fn of(language: Language, reader: Reader) -> &'static Self {
        match (language, reader) {
            (Language::En, Reader::Candidate) => &Self {
                sent_for: "Sent on behalf of",
                privacy_notice: "Privacy notice – how your personal data is processed",
                careers_site: "Careers",
            },
            (Language::En, Reader::Recruiter) => &Self {
                sent_for: "Sent on behalf of",
                privacy_notice: "Privacy notice for candidates",
                careers_site: "Careers",
            },
            (Language::Fi, Reader::Candidate) => &Self {
                sent_for: "Lähettäjä:",
                privacy_notice: "Tietosuojaseloste – näin henkilötietojasi käsitellään",
                careers_site: "Avoimet työpaikat",
            },
            (Language::Fi, Reader::Recruiter) => &Self {
                sent_for: "Lähettäjä:",
                privacy_notice: "Hakijoiden tietosuojaseloste",
                careers_site: "Avoimet työpaikat",
            },
            (Language::Sv, Reader::Candidate) => &Self {
                sent_for: "Skickat på uppdrag av",
                privacy_notice: "Integritetspolicy – så behandlas dina personuppgifter",
                careers_site: "Lediga jobb",
            },
            (Language::Sv, Reader::Recruiter) => &Self {
                sent_for: "Skickat på uppdrag av",
                privacy_notice: "Integritetspolicy för kandidater",
                careers_site: "Lediga jobb",
            },
        }
    }
}

impl<'a> Branding<'a> {
    pub(crate) fn of(employer: &'a Employer, language: Language, reader: Reader) -> Self {
        Self {
            employer: employer.name.as_str(),
            logo_url: employer.logo_url.as_ref().map(HttpsUrl::as_str),
            accent: employer.accent_color.to_string(),
            button_text: employer.accent_color.text_color(),
            privacy_notice_url: employer.privacy_notice_url.as_ref().map(HttpsUrl::as_str),
            careers_site_url: employer.careers_site_url.as_ref().map(HttpsUrl::as_str),
            footer: FooterCopy::of(language, reader),
        }
    }
}

/// Asserts that `email`, in `language`, has `subject` and holds every one of `sentences` in its
/// text part (the emails' tests pin their copy with it).
#[cfg(test)]
fn assert_says(
    email: &crate::ports::OutgoingEmail,
    language: Language,
    subject: &str,
    sentences: &[&str],
) {
    assert_eq!(email.subject, subject, "{language:?}");
    for sentence in sentences {
        assert!(
            email.text.contains(sentence),
            "{language:?}: {sentence}\n{}",
            email.text
        );
    }
    assert!(
        email
            .html
            .contains(&format!("lang=\"{}\"", language.code()))
    );
}

/// An invitation with markup in every text field, for the emails' tests.
#[cfg(test)]
fn hostile_invitation(language: Language, bcc_myself: bool) -> crate::domain::Invitation {
    use crate::domain::{PersonName, VideoInterviewTitle};

    let mut invitation = crate::domain::fixtures::invitation();
    invitation.video_interview_title =
        VideoInterviewTitle::parse("Sales <b>Lead</b> & \"Co\"").unwrap();
    invitation.candidate.first_name = PersonName::parse("<script>alert(1)</script>").unwrap();
    invitation.invited_by.name = Some(PersonName::parse("Rita O'Hara").unwrap());
    invitation.language = language;
    invitation.bcc_myself = bcc_myself;
    invitation
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AnswerDeadline;

    #[test]
    fn dates_are_written_as_each_language_writes_them() {
        let date = AnswerDeadline::parse_date("2026-12-15").unwrap();
        assert_eq!(long_date(date, Language::En), "Tuesday 15 December 2026");
        assert_eq!(long_date(date, Language::Fi), "tiistaina 15.12.2026");
        assert_eq!(
            long_date(date, Language::Sv),
            "tisdagen den 15 december 2026"
        );
        let sunday = AnswerDeadline::parse_date("2027-01-03").unwrap();
        assert_eq!(long_date(sunday, Language::Fi), "sunnuntaina 3.1.2027");
    }

    /// Both emails in every language, with a logo and without one (nor a privacy notice or a
    /// careers site).
    fn every_email(employer: &Employer) -> Vec<(Language, crate::ports::OutgoingEmail)> {
        let mut emails = Vec::new();
        for language in Language::ALL {
            let mut invitation = hostile_invitation(language, false);
            invitation.invited_by.language = Some(language);
            let link = "https://interview.example/i/abc";
            emails.push((
                language,
                invitation_email(&invitation, employer, link).unwrap(),
            ));
            let at = "2026-12-10T14:03:00Z".parse().unwrap();
            let zone = IanaTimeZone::parse("Europe/Helsinki").unwrap();
            let notice = completion_notice(&invitation, employer, at, &zone, link).unwrap();
            emails.push((language, notice));
        }
        emails
    }

    #[test]
    fn every_email_is_headed_by_the_logo_when_there_is_one_and_by_the_name_when_there_is_not() {
        for (language, email) in every_email(&crate::domain::fixture_employer()) {
            // Images blocked, the alt text stands in the logo's place, styled as the name would be.
            let logo = "<img src=\"https://cdn.acme.example/logo.png\" alt=\"Acme Oy\" height=\"48\" \
                        style=\"display:block;height:48px;width:auto;max-width:240px;border:0;font-size:20px;font-weight:bold;";
            assert!(email.html.contains(logo), "{language:?}: {}", email.html);
            assert!(email.html.contains("href=\"https://acme.example/privacy\""));
            assert!(email.text.contains("https://acme.example/privacy"));
        }
        let mut plain = crate::domain::fixture_employer();
        plain.logo_url = None;
        plain.privacy_notice_url = None;
        plain.careers_site_url = None;
        for (language, email) in every_email(&plain) {
            assert!(!email.html.contains("<img"), "{language:?}: {}", email.html);
            // One line is as tall as the logo (12 + 24 + 12 px); a long name wraps in 24 px lines.
            assert!(email.html.contains(
                "padding:12px 0;font-size:20px;font-weight:bold;line-height:24px;\"><bdi>Acme Oy</bdi></p>"
            ));
            // Without a privacy notice or careers site, the footer only names the employer.
            let footer = match language {
                Language::En => "-- \nSent on behalf of Acme Oy.",
                Language::Fi => "-- \nLähettäjä: Acme Oy.",
                Language::Sv => "-- \nSkickat på uppdrag av Acme Oy.",
            };
            assert!(
                email.text.ends_with(footer),
                "{language:?}: {:?}",
                email.text
            );
            assert!(!email.html.contains("<a href=\"https://acme.example"));
        }
    }

    #[test]
    fn right_to_left_text_is_isolated_and_left_to_right_text_is_left_alone() {
        for ltr in [
            "Anna",
            "Áile Ođđasat",
            "王秀英",
            "अनन्या",
            "O'Hara-Smith 2",
            "",
        ] {
            assert!(matches!(isolated(ltr), Cow::Borrowed(_)), "{ltr}");
        }
        // Arabic, Hebrew, Persian (with ZWNJ), and a Latin name with an Arabic-Indic digit.
        for rtl in ["محمد علي", "שרה כהן", "نیلوفر\u{200C}ها", "Team ٣"] {
            assert_eq!(isolated(rtl), format!("\u{2068}{rtl}\u{2069}"));
        }
    }

    /// The line as a reader sees it: UAX #9 reordering, as a mail client renders a subject.
    fn displayed(line: &str) -> String {
        let info = unicode_bidi::BidiInfo::new(line, None);
        let paragraph = &info.paragraphs[0];
        info.reorder_line(paragraph, paragraph.range.clone())
            .into_owned()
    }

    #[test]
    fn an_isolated_right_to_left_name_cannot_pull_the_words_after_it_across() {
        let name = "שרה כהן";
        // Unisolated, the digits after a Hebrew name are drawn into its run: the title's year
        // shows up before the name. (The rule below would be pointless if this did not happen.)
        let bare = format!("Video interview completed: {name} – 2027 Sales");
        assert!(
            !displayed(&bare).ends_with(" – 2027 Sales"),
            "{}",
            displayed(&bare)
        );
        let subject = format!("Video interview completed: {} – 2027 Sales", isolated(name));
        let shown = displayed(&subject);
        assert!(shown.starts_with("Video interview completed: "), "{shown}");
        assert!(shown.ends_with(" – 2027 Sales"), "{shown}");
    }
}
