//! The notify-me email to the recruiter when a candidate completes.

use askama::Template;
use jiff::Timestamp;

use super::RenderError;
use super::{isolated, long_date_time};
use crate::domain::{Invitation, Language, PersonName};
use crate::ports::{EmailKind, EmailPurpose, Mailbox, OutgoingEmail};

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
) -> Result<OutgoingEmail, RenderError> {
    let language = invitation.invited_by.language.unwrap_or(Language::En);
    let copy = CompletionNoticeCopy::of(language);
    let candidate = invitation.candidate.full_name();
    let title = invitation.video_interview_title.as_str();
    let time_zone = invitation.deadline.time_zone();
    let when = long_date_time(completed_at, time_zone.zone(), language);
    let subject = format!(
        "{}: {} – {}",
        copy.subject,
        isolated(&candidate),
        isolated(title)
    );
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
        candidate: &isolated(&candidate),
        candidate_email: invitation.candidate.email.as_str(),
        title: &isolated(title),
        completed_at: &when,
        time_zone: time_zone.name(),
        link,
    }
    .render()?;
    Ok(OutgoingEmail {
        purpose: EmailPurpose {
            kind: EmailKind::CompletionNotice,
            organization_id: invitation.organization_id.clone(),
            invitation_id: invitation.id,
        },
        to: Mailbox::new(
            invitation.invited_by.name.as_ref().map(PersonName::as_str),
            invitation.invited_by.email.clone(),
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
    use crate::email::hostile_invitation as invitation;

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
        assert_eq!(email.to.address.as_str(), "rita@acme.example");
        assert_eq!(email.to.name.as_deref(), Some("Rita O'Hara"));
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
    fn a_right_to_left_candidate_is_isolated_in_subject_text_and_html() {
        let mut invitation = invitation(Language::En, false);
        invitation.candidate.first_name = PersonName::parse("سارا").unwrap();
        invitation.candidate.last_name = PersonName::parse("احمدی").unwrap();
        let at: Timestamp = "2026-12-10T14:03:00Z".parse().unwrap();
        let email = completion_notice(&invitation, at, "https://r.example/x").unwrap();
        assert_eq!(
            email.subject,
            "Video interview completed: \u{2068}سارا احمدی\u{2069} – Sales <b>Lead</b> & \"Co\""
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
