//! The invitation email to the candidate.

use askama::Template;

use super::RenderError;
use super::{isolated, long_date};
use crate::domain::{CandidateToken, Invitation, Language, PersonName};
use crate::ports::{EmailKind, EmailPurpose, Mailbox, OutgoingEmail};

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
pub fn invitation_email(invitation: &Invitation, link: &str) -> Result<OutgoingEmail, RenderError> {
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
    let subject = format!("{}: {}", copy.subject, isolated(title));
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
        first_name: &isolated(first_name),
        recruiter: &isolated(recruiter),
        title: &isolated(title),
        deadline: &deadline,
        time_zone,
        link,
    }
    .render()?;
    Ok(OutgoingEmail {
        purpose: EmailPurpose {
            kind: EmailKind::Invitation,
            organization_id: invitation.organization_id.clone(),
            invitation_id: invitation.id,
        },
        to: Mailbox::new(
            Some(&invitation.candidate.full_name()),
            invitation.candidate.email.clone(),
        ),
        bcc: invitation
            .bcc_myself
            .then(|| invitation.invited_by.email.clone()),
        // Replies reach the recruiter, named as the candidate knows them from the email.
        reply_to: Some(Mailbox::new(
            invitation.invited_by.name.as_ref().map(PersonName::as_str),
            invitation.invited_by.email.clone(),
        )),
        subject,
        html,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EmailAddress, VideoInterviewTitle};
    use crate::email::hostile_invitation as invitation;

    const LINK: &str = "https://interview.example/i/abc_DEF-123";

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
        // The candidate is named in To, as people are.
        assert_eq!(
            without.to,
            Mailbox::new(
                Some("<script>alert(1)</script> Virtanen"),
                EmailAddress::parse("anna@example.fi").unwrap()
            )
        );
        let reply_to = without.reply_to.unwrap();
        assert_eq!(reply_to.address.as_str(), "rita@acme.example");
        assert_eq!(reply_to.name.as_deref(), Some("Rita O'Hara"));
        let with = invitation_email(&invitation(Language::En, true), LINK).unwrap();
        assert_eq!(with.bcc.unwrap().as_str(), "rita@acme.example");
    }

    #[test]
    fn right_to_left_names_and_titles_keep_to_themselves() {
        let mut rtl = invitation(Language::En, false);
        rtl.candidate.first_name = PersonName::parse("محمد").unwrap();
        rtl.video_interview_title = VideoInterviewTitle::parse("מכירות 2027").unwrap();
        let email = invitation_email(&rtl, LINK).unwrap();
        assert_eq!(
            email.subject,
            "Invitation to a video interview: \u{2068}מכירות 2027\u{2069}"
        );
        assert!(
            email.text.starts_with("Hello \u{2068}محمد\u{2069},\n"),
            "{}",
            email.text
        );
        assert!(
            email.html.contains("Hello <bdi>محمد</bdi>,"),
            "{}",
            email.html
        );
        assert!(
            email
                .html
                .contains("<strong><bdi>מכירות 2027</bdi></strong>")
        );
        // The recruiter's name, written left to right, gets no invisible marks.
        assert!(email.text.contains("\nRita O'Hara has invited you"));
        let latin = invitation_email(&invitation(Language::En, false), LINK).unwrap();
        for part in [&latin.subject, &latin.text, &latin.html] {
            assert!(!part.contains(['\u{2068}', '\u{2069}']), "{part}");
        }
    }

    #[test]
    fn the_link_joins_base_and_token_with_one_slash() {
        let invitation = invitation(Language::En, false);
        let token = CandidateToken::generate(&invitation.organization_id, invitation.id);
        let link = candidate_link("https://app.example/i/", &token);
        assert_eq!(link, format!("https://app.example/i/{}", token.expose()));
    }
}
