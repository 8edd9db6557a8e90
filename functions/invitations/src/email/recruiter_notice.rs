//! The emails to the recruiter who sent an invitation: notify me (the candidate completed) and
//! the bounce notice (the candidate's address bounced). Both say who, which interview and when (in
//! the recruiter's zone and language), with a direct link to the invitation.

use askama::Template;
use jiff::Timestamp;

use super::{Branding, Reader, RenderError, isolated, long_date_time, zone_name};
use crate::domain::{Employer, IanaTimeZone, Invitation, Language, PersonName};
use crate::ports::{EmailKind, EmailPurpose, Mailbox, OutgoingEmail};

/// What a notice to the recruiter is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeAbout<'a> {
    /// The candidate completed at `at`.
    Completion { at: Timestamp },
    /// The email to the candidate's address bounced at `at`, the receiving server saying
    /// `diagnostic`.
    Bounce {
        at: Timestamp,
        diagnostic: Option<&'a str>,
    },
}

/// The wording both notices share in one language.
struct NoticeCopy {
    greeting: &'static str,
    link_fallback: &'static str,
    completion: NoticeWords,
    bounce: NoticeWords,
}

/// One notice's own words.
struct NoticeWords {
    /// Follows the candidate's name: "Anna Virtanen vastasi videohaastatteluun: …".
    subject: &'static str,
    /// Follows the candidate's name and address; the title follows it.
    what: &'static str,
    /// Before the moment, and (the bounce) after it, before the server's words.
    when: &'static str,
    after: &'static str,
    button: &'static str,
    why: &'static str,
}

impl NoticeCopy {
    fn of(language: Language) -> &'static Self {
        match language {
            Language::En => &Self {
                greeting: "Hello",
                link_fallback: "If the button does not work, copy this link into your browser:",
                completion: NoticeWords {
                    subject: "completed the video interview",
                    what: "has completed the video interview:",
                    when: "The answers came in on",
                    after: "",
                    button: "View the answers",
                    why: "You are receiving this email because you asked to be notified when this candidate completes the interview.",
                },
                bounce: NoticeWords {
                    subject: "did not receive the invitation",
                    what: "did not receive the invitation to the video interview:",
                    when: "The email bounced on",
                    after: "Check the address and send the invitation again to the corrected one; no reminders go to this address.",
                    button: "Open the invitation",
                    why: "You are receiving this email because you sent this invitation.",
                },
            },
            Language::Fi => &Self {
                greeting: "Hei",
                link_fallback: "Jos painike ei toimi, kopioi tämä linkki selaimeesi:",
                completion: NoticeWords {
                    subject: "vastasi videohaastatteluun",
                    what: "on vastannut videohaastatteluun:",
                    when: "Vastaukset saapuivat",
                    after: "",
                    button: "Katso vastaukset",
                    why: "Saat tämän viestin, koska pyysit ilmoitusta siitä, kun tämä hakija vastaa haastatteluun.",
                },
                bounce: NoticeWords {
                    subject: "ei saanut kutsua",
                    what: "ei saanut kutsua videohaastatteluun:",
                    when: "Sähköposti palautui",
                    after: "Tarkista osoite ja lähetä kutsu uudelleen korjattuun osoitteeseen; tähän osoitteeseen ei lähetetä muistutuksia.",
                    button: "Avaa kutsu",
                    why: "Saat tämän viestin, koska lähetit tämän kutsun.",
                },
            },
            Language::Sv => &Self {
                greeting: "Hej",
                link_fallback: "Om knappen inte fungerar kan du kopiera den här länken till din webbläsare:",
                completion: NoticeWords {
                    subject: "har slutfört videointervjun",
                    what: "har slutfört videointervjun:",
                    when: "Svaren kom in",
                    after: "",
                    button: "Visa svaren",
                    why: "Du får det här mejlet eftersom du bad om att få veta när den här kandidaten har slutfört intervjun.",
                },
                bounce: NoticeWords {
                    subject: "fick inte inbjudan",
                    what: "fick inte inbjudan till videointervjun:",
                    when: "Mejlet studsade",
                    after: "Kontrollera adressen och skicka inbjudan igen till den rättade adressen; inga påminnelser skickas till den här adressen.",
                    button: "Öppna inbjudan",
                    why: "Du får det här mejlet eftersom du skickade den här inbjudan.",
                },
            },
        }
    }
}

#[derive(Template)]
#[template(path = "recruiter_notice.html")]
struct RecruiterNoticeHtml<'a> {
    copy: &'a NoticeCopy,
    words: &'a NoticeWords,
    branding: &'a Branding<'a>,
    language: &'a str,
    subject: &'a str,
    recruiter: Option<&'a str>,
    candidate: &'a str,
    candidate_email: &'a str,
    title: &'a str,
    detail: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "recruiter_notice.txt")]
struct RecruiterNoticeText<'a> {
    copy: &'a NoticeCopy,
    words: &'a NoticeWords,
    branding: &'a Branding<'a>,
    employer: &'a str,
    recruiter: Option<&'a str>,
    candidate: &'a str,
    candidate_email: &'a str,
    title: &'a str,
    detail: &'a str,
    link: &'a str,
}

/// Where the recruiter sees one invitation (a completed interview's answers, a bounce): the
/// recruiting app's page of the invitation.
pub fn completed_interview_link(recruiter_app_url: &str, invitation: &Invitation) -> String {
    format!(
        "{}/invitations/{}",
        recruiter_app_url.trim_end_matches('/'),
        invitation.id
    )
}

/// The longest part of a receiving server's words a notice quotes.
const MAX_DIAGNOSTIC_CHARS: usize = 300;

/// The notify-me email (see [`recruiter_notice`]).
pub fn completion_notice(
    invitation: &Invitation,
    employer: &Employer,
    completed_at: Timestamp,
    default_zone: &IanaTimeZone,
    link: &str,
) -> Result<OutgoingEmail, RenderError> {
    recruiter_notice(
        invitation,
        employer,
        NoticeAbout::Completion { at: completed_at },
        default_zone,
        link,
    )
}

/// A notice to the recruiter who sent the invitation, in the language of their `locale` at that
/// time (English when it had none we write), greeting them by name, with the moment in their own
/// zone (`zoneinfo` then, else `default_zone`), named in their language; a bounce notice quotes
/// the receiving server's words (at most 300 characters).
pub fn recruiter_notice(
    invitation: &Invitation,
    employer: &Employer,
    about: NoticeAbout<'_>,
    default_zone: &IanaTimeZone,
    link: &str,
) -> Result<OutgoingEmail, RenderError> {
    let recruiter = &invitation.invited_by;
    let language = recruiter.language.unwrap_or(Language::En);
    let copy = NoticeCopy::of(language);
    let (words, at, kind) = match about {
        NoticeAbout::Completion { at } => (&copy.completion, at, EmailKind::CompletionNotice),
        NoticeAbout::Bounce { at, .. } => (&copy.bounce, at, EmailKind::BounceNotice),
    };
    let zone = recruiter.time_zone.as_ref().unwrap_or(default_zone);
    let mut detail = format!(
        "{} {} ({}).",
        words.when,
        long_date_time(at, zone, language),
        zone_name(zone, at, language)
    );
    if let NoticeAbout::Bounce { diagnostic, .. } = about {
        if let Some(diagnostic) = diagnostic {
            let quoted: String = diagnostic.chars().take(MAX_DIAGNOSTIC_CHARS).collect();
            detail = format!("{}: “{}”.", detail.trim_end_matches('.'), quoted.trim());
        }
        detail = format!("{detail} {}", words.after);
    }
    let greeted = recruiter.greeting_name().map(PersonName::as_str);
    let candidate = invitation.candidate.full_name();
    let title = invitation.video_interview_title.as_str();
    let employer_name = employer.name.as_str();
    let subject = format!(
        "{} {}: {} ({})",
        isolated(&candidate),
        words.subject,
        isolated(title),
        isolated(employer_name)
    );
    let branding = Branding::of(employer, language, Reader::Recruiter);
    let html = RecruiterNoticeHtml {
        copy,
        words,
        branding: &branding,
        language: language.code(),
        subject: &subject,
        recruiter: greeted,
        candidate: &candidate,
        candidate_email: invitation.candidate.email.as_str(),
        title,
        detail: &detail,
        link,
    }
    .render()?;
    let greeted_text = greeted.map(isolated);
    let text = RecruiterNoticeText {
        copy,
        words,
        branding: &branding,
        employer: &isolated(employer_name),
        recruiter: greeted_text.as_deref(),
        candidate: &isolated(&candidate),
        candidate_email: invitation.candidate.email.as_str(),
        title: &isolated(title),
        detail: &detail,
        link,
    }
    .render()?;
    Ok(OutgoingEmail {
        purpose: EmailPurpose {
            kind,
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
    fn the_bounce_notice_says_which_address_bounced_why_and_what_to_do_in_each_language() {
        let mut invitation = invitation(Language::En, false);
        invitation.invited_by.time_zone = Some(zone("Europe/Helsinki"));
        let bounce = NoticeAbout::Bounce {
            at: AT.parse().unwrap(),
            diagnostic: Some("smtp; 550 5.1.1 <anna@example.fi>: user unknown"),
        };
        let cases = [
            (
                Language::En,
                "<script>alert(1)</script> Virtanen did not receive the invitation: Sales <b>Lead</b> & \"Co\" (Acme Oy)",
                [
                    "<script>alert(1)</script> Virtanen (anna@example.fi) did not receive the invitation to the video interview: Sales <b>Lead</b> & \"Co\".",
                    "The email bounced on Thursday 10 December 2026 at 16:03 (Eastern European Time): “smtp; 550 5.1.1 <anna@example.fi>: user unknown”. Check the address and send the invitation again to the corrected one; no reminders go to this address.",
                    "Open the invitation:\nhttps://r.example/x",
                ],
            ),
            (
                Language::Fi,
                "<script>alert(1)</script> Virtanen ei saanut kutsua: Sales <b>Lead</b> & \"Co\" (Acme Oy)",
                [
                    "(anna@example.fi) ei saanut kutsua videohaastatteluun: Sales",
                    "Sähköposti palautui torstaina 10.12.2026 klo 16.03 (Itä-Euroopan aika): “smtp; 550 5.1.1 <anna@example.fi>: user unknown”. Tarkista osoite",
                    "Avaa kutsu:\nhttps://r.example/x",
                ],
            ),
            (
                Language::Sv,
                "<script>alert(1)</script> Virtanen fick inte inbjudan: Sales <b>Lead</b> & \"Co\" (Acme Oy)",
                [
                    "(anna@example.fi) fick inte inbjudan till videointervjun: Sales",
                    "Mejlet studsade torsdagen den 10 december 2026 kl. 16.03 (östeuropeisk tid): “smtp; 550 5.1.1 <anna@example.fi>: user unknown”. Kontrollera adressen",
                    "Öppna inbjudan:\nhttps://r.example/x",
                ],
            ),
        ];
        for (language, subject, sentences) in cases {
            invitation.invited_by.language = Some(language);
            let email = recruiter_notice(
                &invitation,
                &fixture_employer(),
                bounce,
                &zone("Europe/London"),
                "https://r.example/x",
            )
            .unwrap();
            assert_says(&email, language, subject, &sentences);
            assert_eq!(email.purpose.kind, EmailKind::BounceNotice);
            assert_eq!(email.to.address.as_str(), "rita@acme.example");
            assert!(!email.html.contains("<anna@example.fi>"), "escaped");
        }
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
