//! The emails the service sends, rendered with askama: every value is HTML-escaped in the HTML
//! part, and each email has a plain-text part for clients that do not show HTML.

use askama::Template;
use jiff::Timestamp;
use jiff::civil::Date;

use crate::domain::{Invitation, Language};
use crate::mailer::OutgoingEmail;
use crate::token::CandidateToken;

/// The fixed wording of the invitation email in one language. Sentences are split where the
/// values go, which works because en, fi and sv all put them in the same places.
struct InvitationCopy {
    subject: &'static str,
    greeting: &'static str,
    invited_you: &'static str,
    how_it_works: &'static str,
    answer_by: &'static str,
    still_on_that_day: &'static str,
    start: &'static str,
    link_fallback: &'static str,
    personal_link: &'static str,
    questions: &'static str,
    regards: &'static str,
}

impl InvitationCopy {
    fn of(language: Language) -> &'static Self {
        match language {
            Language::En => &Self {
                subject: "Invitation to a video interview",
                greeting: "Hello",
                invited_you: "has invited you to a one-way video interview:",
                how_it_works: "You record your answers to the questions on your own, at a time that suits you.",
                answer_by: "Please answer by",
                still_on_that_day: "You can still answer on that day, until midnight",
                start: "Start the video interview",
                link_fallback: "If the button does not work, copy this link into your browser:",
                personal_link: "The link is personal, so please do not share it.",
                questions: "Questions? Just reply to this email.",
                regards: "Best regards,",
            },
            Language::Fi => &Self {
                subject: "Kutsu videohaastatteluun",
                greeting: "Hei",
                invited_you: "on kutsunut sinut videohaastatteluun:",
                how_it_works: "Tallennat vastauksesi kysymyksiin itsenäisesti, sinulle sopivana hetkenä.",
                answer_by: "Vastaa viimeistään",
                still_on_that_day: "Voit vastata vielä sinä päivänä keskiyöhön asti",
                start: "Aloita videohaastattelu",
                link_fallback: "Jos painike ei toimi, kopioi tämä linkki selaimeesi:",
                personal_link: "Linkki on henkilökohtainen, joten älä jaa sitä.",
                questions: "Kysyttävää? Vastaa tähän sähköpostiin.",
                regards: "Ystävällisin terveisin",
            },
            Language::Sv => &Self {
                subject: "Inbjudan till en videointervju",
                greeting: "Hej",
                invited_you: "har bjudit in dig till en videointervju:",
                how_it_works: "Du spelar in dina svar på frågorna på egen hand, när det passar dig.",
                answer_by: "Svara senast",
                still_on_that_day: "Du kan fortfarande svara den dagen, fram till midnatt",
                start: "Starta videointervjun",
                link_fallback: "Om knappen inte fungerar kan du kopiera den här länken till din webbläsare:",
                personal_link: "Länken är personlig, så dela den inte med någon.",
                questions: "Frågor? Svara bara på det här mejlet.",
                regards: "Med vänliga hälsningar",
            },
        }
    }
}

/// A date as people write it in that language: "Tuesday 15 December 2026", "tiistaina 15.12.2026",
/// "tisdag 15 december 2026".
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
            // Essive case: "on Tuesday" is "tiistaina".
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
                "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag",
            ];
            format!("{} {day} {} {year}", DAYS[weekday], SV_MONTHS[month])
        }
    }
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationHtml<'a> {
    copy: &'a InvitationCopy,
    language: &'a str,
    subject: &'a str,
    first_name: &'a str,
    recruiter: &'a str,
    title: &'a str,
    deadline: &'a str,
    time_zone: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "invitation.txt")]
struct InvitationText<'a> {
    copy: &'a InvitationCopy,
    first_name: &'a str,
    recruiter: &'a str,
    title: &'a str,
    deadline: &'a str,
    time_zone: &'a str,
    link: &'a str,
}

/// The fixed wording of the notify-me email in one language.
struct CompletionNoticeCopy {
    subject: &'static str,
    greeting: &'static str,
    completed: &'static str,
    view: &'static str,
    link_fallback: &'static str,
    why: &'static str,
}

impl CompletionNoticeCopy {
    fn of(language: Language) -> &'static Self {
        match language {
            Language::En => &Self {
                subject: "Video interview completed",
                greeting: "Hello,",
                completed: "has completed the video interview",
                view: "View the answers",
                link_fallback: "If the button does not work, copy this link into your browser:",
                why: "You get this email because you asked to be notified when this candidate completes the interview.",
            },
            Language::Fi => &Self {
                subject: "Videohaastattelu vastattu",
                greeting: "Hei,",
                completed: "on vastannut videohaastatteluun",
                view: "Katso vastaukset",
                link_fallback: "Jos painike ei toimi, kopioi tämä linkki selaimeesi:",
                why: "Saat tämän viestin, koska pyysit ilmoitusta, kun tämä hakija on vastannut haastatteluun.",
            },
            Language::Sv => &Self {
                subject: "Videointervjun är slutförd",
                greeting: "Hej,",
                completed: "har slutfört videointervjun",
                view: "Visa svaren",
                link_fallback: "Om knappen inte fungerar kan du kopiera den här länken till din webbläsare:",
                why: "Du får det här mejlet eftersom du bad om att få veta när den här kandidaten har slutfört intervjun.",
            },
        }
    }
}

/// An instant as a date and a 24-hour time in a zone, as each language writes it:
/// "on Thursday 10 December 2026 at 16:03", "torstaina 10.12.2026 klo 16.03",
/// "torsdag 10 december 2026 kl. 16.03".
fn long_date_time(at: Timestamp, zone: &jiff::tz::TimeZone, language: Language) -> String {
    let local = at.to_zoned_datetime(zone.clone());
    let date = long_date(local.date(), language);
    let (hour, minute) = (local.hour(), local.minute());
    match language {
        Language::En => format!("on {date} at {hour:02}:{minute:02}"),
        Language::Fi => format!("{date} klo {hour}.{minute:02}"),
        Language::Sv => format!("{date} kl. {hour:02}.{minute:02}"),
    }
}

#[derive(Template)]
#[template(path = "completion_notice.html")]
struct CompletionNoticeHtml<'a> {
    copy: &'a CompletionNoticeCopy,
    language: &'a str,
    subject: &'a str,
    candidate: &'a str,
    candidate_email: &'a str,
    title: &'a str,
    completed_at: &'a str,
    time_zone: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "completion_notice.txt")]
struct CompletionNoticeText<'a> {
    copy: &'a CompletionNoticeCopy,
    candidate: &'a str,
    candidate_email: &'a str,
    title: &'a str,
    completed_at: &'a str,
    time_zone: &'a str,
    link: &'a str,
}

/// Where the recruiter sees one completed interview: the recruiting app's page of the invitation.
pub fn completed_interview_link(recruiter_app_url: &str, invitation: &Invitation) -> String {
    format!(
        "{}/invitations/{}",
        recruiter_app_url.trim_end_matches('/'),
        invitation.id
    )
}

/// The notify-me email to the recruiter who sent the invitation, in the language of their
/// `locale` at that time (English when it had none we write).
pub fn completion_notice(
    invitation: &Invitation,
    completed_at: Timestamp,
    link: &str,
) -> Result<OutgoingEmail, askama::Error> {
    let language = invitation.invited_by.language.unwrap_or(Language::En);
    let copy = CompletionNoticeCopy::of(language);
    let candidate = format!(
        "{} {}",
        invitation.candidate.first_name, invitation.candidate.last_name
    );
    let title = invitation.video_interview_title.as_str();
    let time_zone = invitation.deadline.time_zone();
    let when = long_date_time(completed_at, time_zone.zone(), language);
    let subject = format!("{}: {candidate} – {title}", copy.subject);
    let html = CompletionNoticeHtml {
        copy,
        language: language.code(),
        subject: &subject,
        candidate: &candidate,
        candidate_email: invitation.candidate.email.as_str(),
        title,
        completed_at: &when,
        time_zone: time_zone.name(),
        link,
    }
    .render()?;
    let text = CompletionNoticeText {
        copy,
        candidate: &candidate,
        candidate_email: invitation.candidate.email.as_str(),
        title,
        completed_at: &when,
        time_zone: time_zone.name(),
        link,
    }
    .render()?;
    Ok(OutgoingEmail {
        to: invitation.invited_by.email.clone(),
        bcc: None,
        reply_to: None,
        subject,
        html,
        text,
    })
}

/// The candidate's personal link: the app's base URL and the token.
pub fn candidate_link(candidate_app_url: &str, token: &CandidateToken) -> String {
    format!(
        "{}/{}",
        candidate_app_url.trim_end_matches('/'),
        token.expose()
    )
}

/// The invitation email to the candidate, in the invitation's language; a BCC copy to the
/// recruiter when they asked for one, and replies going to the recruiter.
pub fn invitation_email(
    invitation: &Invitation,
    link: &str,
) -> Result<OutgoingEmail, askama::Error> {
    let copy = InvitationCopy::of(invitation.language);
    let recruiter = invitation
        .invited_by
        .name
        .as_ref()
        .map_or(invitation.invited_by.email.as_str(), |name| name.as_str());
    let title = invitation.video_interview_title.as_str();
    let deadline = long_date(invitation.deadline.date(), invitation.language);
    let time_zone = invitation.deadline.time_zone().name();
    let first_name = invitation.candidate.first_name.as_str();
    // Names and titles cannot hold control characters (see `domain`), so the subject is one line.
    let subject = format!("{}: {title}", copy.subject);
    let html = InvitationHtml {
        copy,
        language: invitation.language.code(),
        subject: &subject,
        first_name,
        recruiter,
        title,
        deadline: &deadline,
        time_zone,
        link,
    }
    .render()?;
    let text = InvitationText {
        copy,
        first_name,
        recruiter,
        title,
        deadline: &deadline,
        time_zone,
        link,
    }
    .render()?;
    Ok(OutgoingEmail {
        to: invitation.candidate.email.clone(),
        bcc: invitation
            .bcc_myself
            .then(|| invitation.invited_by.email.clone()),
        reply_to: Some(invitation.invited_by.email.clone()),
        subject,
        html,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;

    fn invitation(language: Language, bcc_myself: bool) -> Invitation {
        let mut invitation = crate::domain::fixtures::invitation();
        invitation.video_interview_title =
            VideoInterviewTitle::parse("Sales <b>Lead</b> & \"Co\"").unwrap();
        invitation.candidate.first_name = PersonName::parse("<script>alert(1)</script>").unwrap();
        invitation.invited_by.name = Some(PersonName::parse("Rita O'Hara").unwrap());
        invitation.language = language;
        invitation.bcc_myself = bcc_myself;
        invitation
    }

    const LINK: &str = "https://interview.example/i/abc_DEF-123";

    #[test]
    fn dates_are_written_as_each_language_writes_them() {
        let date = AnswerDeadline::parse_date("2026-12-15").unwrap();
        assert_eq!(long_date(date, Language::En), "Tuesday 15 December 2026");
        assert_eq!(long_date(date, Language::Fi), "tiistaina 15.12.2026");
        assert_eq!(long_date(date, Language::Sv), "tisdag 15 december 2026");
        let sunday = AnswerDeadline::parse_date("2027-01-03").unwrap();
        assert_eq!(long_date(sunday, Language::Fi), "sunnuntaina 3.1.2027");
    }

    #[test]
    fn every_value_is_escaped_in_html_but_readable_in_text() {
        let email = invitation_email(&invitation(Language::En, false), LINK).unwrap();
        assert!(!email.html.contains("<script>"), "{}", email.html);
        assert!(email.html.contains("&#60;script&#62;") || email.html.contains("&lt;script&gt;"));
        assert!(!email.html.contains("<b>Lead</b>"));
        assert!(!email.html.contains("O'Hara"), "quotes are escaped too");
        assert!(email.text.contains("Hello <script>alert(1)</script>,"));
        assert!(email.text.contains("Sales <b>Lead</b> & \"Co\""));
    }

    #[test]
    fn the_english_email_says_who_what_until_when_and_where() {
        let email = invitation_email(&invitation(Language::En, false), LINK).unwrap();
        assert_eq!(
            email.subject,
            "Invitation to a video interview: Sales <b>Lead</b> & \"Co\""
        );
        for part in [&email.html, &email.text] {
            assert!(part.contains("Tuesday 15 December 2026"));
            assert!(part.contains("You can still answer on that day"));
            assert!(part.contains("Europe/Helsinki"));
            assert!(part.contains(LINK));
        }
        assert!(
            email
                .text
                .contains("Rita O'Hara has invited you to a one-way video interview:")
        );
        assert!(email.text.ends_with("Best regards,\nRita O'Hara"));
    }

    #[test]
    fn finnish_and_swedish_emails_are_translated() {
        let fi = invitation_email(&invitation(Language::Fi, false), LINK).unwrap();
        assert!(fi.subject.starts_with("Kutsu videohaastatteluun: "));
        assert!(fi.text.contains("Vastaa viimeistään tiistaina 15.12.2026."));
        assert!(fi.text.contains("Voit vastata vielä sinä päivänä"));
        assert!(fi.html.contains("lang=\"fi\""));
        let sv = invitation_email(&invitation(Language::Sv, false), LINK).unwrap();
        assert!(sv.subject.starts_with("Inbjudan till en videointervju: "));
        assert!(sv.text.contains("Svara senast tisdag 15 december 2026."));
        assert!(sv.text.contains("Du kan fortfarande svara den dagen"));
    }

    #[test]
    fn bcc_goes_to_the_recruiter_only_when_asked_and_replies_always_do() {
        let without = invitation_email(&invitation(Language::En, false), LINK).unwrap();
        assert_eq!(without.bcc, None);
        assert_eq!(without.to.as_str(), "anna@example.fi");
        assert_eq!(
            without.reply_to.as_ref().unwrap().as_str(),
            "rita@acme.example"
        );
        let with = invitation_email(&invitation(Language::En, true), LINK).unwrap();
        assert_eq!(with.bcc.unwrap().as_str(), "rita@acme.example");
    }

    #[test]
    fn the_link_joins_base_and_token_with_one_slash() {
        let invitation = invitation(Language::En, false);
        let token = CandidateToken::generate(&invitation.organization_id, invitation.id);
        let link = candidate_link("https://app.example/i/", &token);
        assert_eq!(link, format!("https://app.example/i/{}", token.expose()));
    }

    const RECRUITER_APP: &str = "https://recruit.example/";

    #[test]
    fn the_notice_says_who_completed_what_and_when_with_a_direct_link() {
        let invitation = invitation(Language::En, false);
        let link = completed_interview_link(RECRUITER_APP, &invitation);
        assert_eq!(
            link,
            format!("https://recruit.example/invitations/{}", invitation.id)
        );
        // 14:03 UTC is 16:03 in Helsinki, the invitation's zone.
        let at: Timestamp = "2026-12-10T14:03:00Z".parse().unwrap();
        let email = completion_notice(&invitation, at, &link).unwrap();
        assert_eq!(email.to.as_str(), "rita@acme.example");
        assert_eq!(email.bcc, None);
        assert_eq!(
            email.subject,
            "Video interview completed: <script>alert(1)</script> Virtanen – Sales <b>Lead</b> & \"Co\""
        );
        assert!(email.text.contains(
            "<script>alert(1)</script> Virtanen (anna@example.fi) has completed the video interview \
             Sales <b>Lead</b> & \"Co\" on Thursday 10 December 2026 at 16:03 (Europe/Helsinki)."
        ), "{}", email.text);
        assert!(email.text.contains(&link));
        assert!(email.html.contains(&format!("href=\"{link}\"")));
        assert!(!email.html.contains("<script>"));
        assert!(!email.html.contains("<b>Lead</b>"));
    }

    #[test]
    fn the_notice_speaks_the_recruiters_language_not_the_candidates() {
        let mut invitation = invitation(Language::En, false);
        let at: Timestamp = "2026-12-10T14:03:00Z".parse().unwrap();
        invitation.invited_by.language = Some(Language::Fi);
        let fi = completion_notice(&invitation, at, "https://r.example/x").unwrap();
        assert!(fi.subject.starts_with("Videohaastattelu vastattu: "));
        assert!(fi.text.contains("on vastannut videohaastatteluun"));
        assert!(
            fi.text.contains("torstaina 10.12.2026 klo 16.03"),
            "{}",
            fi.text
        );
        assert!(fi.html.contains("lang=\"fi\""));
        invitation.invited_by.language = Some(Language::Sv);
        let sv = completion_notice(&invitation, at, "https://r.example/x").unwrap();
        assert!(
            sv.text.contains("torsdag 10 december 2026 kl. 16.03"),
            "{}",
            sv.text
        );
    }
}
