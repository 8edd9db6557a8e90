//! The notify-me email to the recruiter when a candidate completes.

use askama::Template;
use jiff::Timestamp;

use super::{Branding, Reader, RenderError, isolated, long_date_time, zone_name};
use crate::domain::{Employer, IanaTimeZone, Invitation, Language, PersonName};
use crate::ports::{EmailKind, EmailPurpose, Mailbox, OutgoingEmail};

/// The fixed wording of the notify-me email in one language.
struct CompletionNoticeCopy {
    /// Follows the candidate's name: "Anna Virtanen vastasi videohaastatteluun: …".
    subject: &'static str,
    greeting: &'static str,
    completed: &'static str,
    answers_came_in: &'static str,
    view: &'static str,
    link_fallback: &'static str,
    why: &'static str,
}

impl CompletionNoticeCopy {
    fn of(language: Language) -> &'static Self {
        match language {
            Language::En => &Self {
                subject: "completed the video interview",
                greeting: "Hello",
                completed: "has completed the video interview:",
                answers_came_in: "The answers came in on",
                view: "View the answers",
                link_fallback: "If the button does not work, copy this link into your browser:",
                why: "You are receiving this email because you asked to be notified when this candidate completes the interview.",
            },
            Language::Fi => &Self {
                subject: "vastasi videohaastatteluun",
                greeting: "Hei",
                completed: "on vastannut videohaastatteluun:",
                answers_came_in: "Vastaukset saapuivat",
                view: "Katso vastaukset",
                link_fallback: "Jos painike ei toimi, kopioi tämä linkki selaimeesi:",
                why: "Saat tämän viestin, koska pyysit ilmoitusta siitä, kun tämä hakija vastaa haastatteluun.",
            },
            Language::Sv => &Self {
                subject: "har slutfört videointervjun",
                greeting: "Hej",
                completed: "har slutfört videointervjun:",
                answers_came_in: "Svaren kom in",
                view: "Visa svaren",
                link_fallback: "Om knappen inte fungerar kan du kopiera den här länken till din webbläsare:",
                why: "Du får det här mejlet eftersom du bad om att få veta när den här kandidaten har slutfört intervjun.",
            },
        }
    }
}

#[derive(Template)]
#[template(path = "completion_notice.html")]
struct CompletionNoticeHtml<'a> {
    copy: &'a CompletionNoticeCopy,
    branding: &'a Branding<'a>,
    language: &'a str,
    subject: &'a str,
    recruiter: Option<&'a str>,
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
    branding: &'a Branding<'a>,
    employer: &'a str,
    recruiter: Option<&'a str>,
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
/// `locale` at that time (English when it had none we write), greeting them by name, with the
/// moment of completion in their own zone (`zoneinfo` then, else `default_zone`), named in their
/// language.
pub fn completion_notice(
    invitation: &Invitation,
    employer: &Employer,
    completed_at: Timestamp,
    default_zone: &IanaTimeZone,
    link: &str,
) -> Result<OutgoingEmail, RenderError> {
    let recruiter = &invitation.invited_by;
    let language = recruiter.language.unwrap_or(Language::En);
    let copy = CompletionNoticeCopy::of(language);
    let zone = recruiter.time_zone.as_ref().unwrap_or(default_zone);
    let when = long_date_time(completed_at, zone, language);
    let time_zone = zone_name(zone, completed_at, language);
    let greeted = recruiter.greeting_name().map(PersonName::as_str);
    let candidate = invitation.candidate.full_name();
    let title = invitation.video_interview_title.as_str();
    let employer_name = employer.name.as_str();
    let subject = format!(
        "{} {}: {} ({})",
        isolated(&candidate),
        copy.subject,
        isolated(title),
        isolated(employer_name)
    );
    let branding = Branding::of(employer, language, Reader::Recruiter);
    let html = CompletionNoticeHtml {
        copy,
        branding: &branding,
        language: language.code(),
        subject: &subject,
        recruiter: greeted,
        candidate: &candidate,
        candidate_email: invitation.candidate.email.as_str(),
        title,
        completed_at: &when,
        time_zone: &time_zone,
        link,
    }
    .render()?;
    let greeted_text = greeted.map(isolated);
    let text = CompletionNoticeText {
        copy,
        branding: &branding,
        employer: &isolated(employer_name),
        recruiter: greeted_text.as_deref(),
        candidate: &isolated(&candidate),
        candidate_email: invitation.candidate.email.as_str(),
        title: &isolated(title),
        completed_at: &when,
        time_zone: &time_zone,
        link,
    }
    .render()?;
    Ok(OutgoingEmail {
        purpose: EmailPurpose {
            kind: EmailKind::CompletionNotice,
            organization_id: invitation.organization_id.clone(),
            invitation_id: invitation.id,
        },
        // The recruiter knows the service: its own sender name.
        from_name: None,
        to: Mailbox::new(
            recruiter.name.as_ref().map(PersonName::as_str),
            recruiter.email.clone(),
        ),
        bcc: None,
        reply_to: None,
        subject,
        html,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixture_employer;
    use crate::email::{assert_says, hostile_invitation as invitation};

    const RECRUITER_APP: &str = "https://recruit.example/";
    /// 14:03 UTC: 16:03 in Helsinki, 14:03 in London, 9:03 in New York.
    const AT: &str = "2026-12-10T14:03:00Z";

    fn zone(name: &str) -> IanaTimeZone {
        IanaTimeZone::parse(name).unwrap()
    }

    fn notice(invitation: &Invitation, default_zone: &str) -> OutgoingEmail {
        completion_notice(
            invitation,
            &fixture_employer(),
            AT.parse().unwrap(),
            &zone(default_zone),
            "https://r.example/x",
        )
        .unwrap()
    }

    #[test]
    fn the_notice_says_who_completed_what_and_when_with_a_direct_link() {
        let invitation = invitation(Language::En, false);
        let link = completed_interview_link(RECRUITER_APP, &invitation);
        assert_eq!(
            link,
            format!("https://recruit.example/invitations/{}", invitation.id)
        );
        let email = completion_notice(
            &invitation,
            &fixture_employer(),
            AT.parse().unwrap(),
            &zone("Europe/Helsinki"),
            &link,
        )
        .unwrap();
        assert_eq!(email.to.address.as_str(), "rita@acme.example");
        assert_eq!(email.to.name.as_deref(), Some("Rita O'Hara"));
        assert_eq!(email.bcc, None);
        assert_eq!(email.from_name, None, "the service's own sender name");
        assert_eq!(
            email.subject,
            "<script>alert(1)</script> Virtanen completed the video interview: Sales <b>Lead</b> & \"Co\" (Acme Oy)"
        );
        assert!(
            email.text.starts_with("Hello Rita O'Hara,\n"),
            "{}",
            email.text
        );
        assert!(email.text.contains(
            "<script>alert(1)</script> Virtanen (anna@example.fi) has completed the video interview: \
             Sales <b>Lead</b> & \"Co\"."
        ), "{}", email.text);
        assert!(email.text.contains(&link));
        assert!(email.html.contains(&format!("href=\"{link}\"")));
        assert!(!email.html.contains("<script>"));
        assert!(!email.html.contains("<b>Lead</b>"));
    }

    /// Subject, greeting, the time in the recruiter's zone named in their language, and the
    /// footer, pinned per language.
    #[test]
    fn each_language_greets_the_recruiter_and_says_when_in_their_zone() {
        let mut invitation = invitation(Language::En, false);
        invitation.invited_by.given_name = Some(PersonName::parse("Rita").unwrap());
        invitation.invited_by.time_zone = Some(zone("America/New_York"));
        let cases = [
            (
                Language::En,
                "<script>alert(1)</script> Virtanen completed the video interview: Sales <b>Lead</b> & \"Co\" (Acme Oy)",
                [
                    "Hello Rita,\n",
                    "The answers came in on Thursday 10 December 2026 at 09:03 (Eastern Time).",
                    "Sent on behalf of Acme Oy.\nPrivacy notice for candidates: https://acme.example/privacy",
                ],
            ),
            (
                Language::Fi,
                "<script>alert(1)</script> Virtanen vastasi videohaastatteluun: Sales <b>Lead</b> & \"Co\" (Acme Oy)",
                [
                    "Hei Rita,\n",
                    "Vastaukset saapuivat torstaina 10.12.2026 klo 9.03 (Yhdysvaltain itäinen aika).",
                    "Lähettäjä: Acme Oy.\nHakijoiden tietosuojaseloste: https://acme.example/privacy",
                ],
            ),
            (
                Language::Sv,
                "<script>alert(1)</script> Virtanen har slutfört videointervjun: Sales <b>Lead</b> & \"Co\" (Acme Oy)",
                [
                    "Hej Rita,\n",
                    "Svaren kom in torsdagen den 10 december 2026 kl. 9.03 (östnordamerikansk tid).",
                    "Skickat på uppdrag av Acme Oy.\nIntegritetspolicy för kandidater: https://acme.example/privacy",
                ],
            ),
        ];
        for (language, subject, sentences) in cases {
            invitation.invited_by.language = Some(language);
            // The deadline's zone (Helsinki) and the default play no part: the recruiter has one.
            let email = notice(&invitation, "Europe/Stockholm");
            assert_says(&email, language, subject, &sentences);
            assert!(email.html.contains("alt=\"Acme Oy\""));
        }
    }

    #[test]
    fn without_a_zoneinfo_claim_the_time_is_in_the_deployments_zone_not_the_deadlines() {
        let invitation = invitation(Language::Fi, false);
        let email = notice(&invitation, "Europe/London");
        assert!(
            email.text.contains(
                "The answers came in on Thursday 10 December 2026 at 14:03 (British Time)."
            ),
            "{}",
            email.text
        );
    }

    #[test]
    fn a_recruiter_without_a_name_is_greeted_plainly() {
        let mut invitation = invitation(Language::En, false);
        invitation.invited_by.name = None;
        let email = notice(&invitation, "Europe/Helsinki");
        assert!(email.text.starts_with("Hello,\n"), "{}", email.text);
        assert!(email.html.contains("<p>Hello,</p>"), "{}", email.html);
    }

    #[test]
    fn a_right_to_left_candidate_is_isolated_in_subject_text_and_html() {
        let mut invitation = invitation(Language::En, false);
        invitation.candidate.first_name = PersonName::parse("سارا").unwrap();
        invitation.candidate.last_name = PersonName::parse("احمدی").unwrap();
        let email = notice(&invitation, "Europe/Helsinki");
        assert_eq!(
            email.subject,
            "\u{2068}سارا احمدی\u{2069} completed the video interview: Sales <b>Lead</b> & \"Co\" (Acme Oy)"
        );
        assert!(
            email
                .text
                .contains("\u{2068}سارا احمدی\u{2069} (anna@example.fi) has completed")
        );
        assert!(
            email
                .html
                .contains("<strong><bdi>سارا احمدی</bdi></strong>")
        );
    }
}
