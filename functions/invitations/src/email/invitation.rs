//! The invitation email to the candidate.

use askama::Template;

use super::{Branding, Reader, RenderError, counted, isolated, long_date, zone_name};
use crate::domain::{CandidateToken, Employer, Invitation, Language, PersonName, Question};
use crate::ports::{EmailKind, EmailPurpose, Mailbox, OutgoingEmail};

/// The fixed wording of the invitation email in one language. Sentences are split where the
/// values go, which works because en, fi and sv all put them in the same places; the employer's
/// name always stands where no language inflects it (a subject, or in parentheses).
pub(super) struct InvitationCopy {
    /// Follows the employer's name.
    subject: &'static str,
    pub(super) greeting: &'static str,
    pub(super) before_employer: &'static str,
    pub(super) after_employer: &'static str,
    invited_you: &'static str,
    how_it_works: &'static str,
    pub(super) answer_by: &'static str,
    pub(super) still_on_that_day: &'static str,
    pub(super) start: &'static str,
    pub(super) link_fallback: &'static str,
    pub(super) personal_link: &'static str,
    pub(super) questions: &'static str,
    pub(super) regards: &'static str,
}

impl InvitationCopy {
    pub(super) fn of(language: Language) -> &'static Self {
        match language {
            Language::En => &Self {
                subject: "invites you to a video interview",
                greeting: "Hello",
                before_employer: " from ",
                after_employer: "",
                invited_you: "has invited you to a one-way video interview:",
                how_it_works: "You record your answers to the questions on your own, at a time that suits you, on a phone or a computer.",
                answer_by: "Please answer by",
                still_on_that_day: "You can still answer on that day, until midnight",
                start: "Start the video interview",
                link_fallback: "If the button does not work, copy this link into your browser:",
                personal_link: "The link is personal, so please do not share it.",
                questions: "Questions? Just reply to this email.",
                regards: "Best regards,",
            },
            Language::Fi => &Self {
                subject: "kutsuu sinut videohaastatteluun",
                greeting: "Hei",
                before_employer: " (",
                after_employer: ")",
                invited_you: "on kutsunut sinut videohaastatteluun:",
                how_it_works: "Tallennat vastauksesi kysymyksiin itsenäisesti sinulle sopivana hetkenä, puhelimella tai tietokoneella.",
                answer_by: "Vastaa viimeistään",
                still_on_that_day: "Voit vastata vielä saman päivän aikana keskiyöhön asti",
                start: "Aloita videohaastattelu",
                link_fallback: "Jos painike ei toimi, kopioi tämä linkki selaimeesi:",
                personal_link: "Linkki on henkilökohtainen, joten älä jaa sitä eteenpäin.",
                questions: "Kysyttävää? Vastaa tähän sähköpostiin.",
                regards: "Ystävällisin terveisin",
            },
            Language::Sv => &Self {
                subject: "bjuder in dig till en videointervju",
                greeting: "Hej",
                before_employer: " på ",
                after_employer: "",
                invited_you: "har bjudit in dig till en videointervju:",
                how_it_works: "Du spelar in dina svar på frågorna på egen hand, när det passar dig, med mobilen eller datorn.",
                answer_by: "Svara senast",
                still_on_that_day: "Du kan svara hela den dagen, ända fram till midnatt",
                start: "Starta videointervjun",
                link_fallback: "Om knappen inte fungerar kan du kopiera den här länken till din webbläsare:",
                personal_link: "Länken är personlig, så dela den inte med någon.",
                questions: "Frågor? Svara bara på det här mejlet.",
                regards: "Med vänliga hälsningar",
            },
        }
    }
}

/// What the candidate can expect: how many questions, and at most how long answering takes
/// (every think and answer time added up, rounded up to whole five minutes, so that it is never
/// less than the truth); only the count when a question has no answer-time limit.
fn expectation(questions: &[Question], language: Language) -> Option<String> {
    let count = u64::try_from(questions.len())
        .ok()
        .filter(|count| *count > 0)?;
    let minutes = Question::longest_recording(questions).map(|longest| {
        let minutes = longest.as_secs().unsigned_abs().div_ceil(60);
        minutes.div_ceil(5).max(1) * 5
    });
    Some(match language {
        Language::En => {
            let questions = counted(count, "question", "questions");
            match minutes {
                Some(minutes) => format!(
                    "The interview has {questions}; answering takes at most {minutes} minutes."
                ),
                None => format!("The interview has {questions}."),
            }
        }
        Language::Fi => {
            let questions = counted(count, "kysymys", "kysymystä");
            match minutes {
                Some(minutes) => format!(
                    "Haastattelussa on {questions}. Vastaaminen vie enintään {minutes} minuuttia."
                ),
                None => format!("Haastattelussa on {questions}."),
            }
        }
        Language::Sv => {
            let questions = counted(count, "fråga", "frågor");
            match minutes {
                Some(minutes) => format!(
                    "Intervjun har {questions}, och det tar högst {minutes} minuter att svara."
                ),
                None => format!("Intervjun har {questions}."),
            }
        }
    })
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationHtml<'a> {
    copy: &'a InvitationCopy,
    branding: &'a Branding<'a>,
    language: &'a str,
    subject: &'a str,
    first_name: &'a str,
    recruiter: &'a str,
    title: &'a str,
    expectation: Option<&'a str>,
    deadline: &'a str,
    time_zone: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "invitation.txt")]
struct InvitationText<'a> {
    copy: &'a InvitationCopy,
    branding: &'a Branding<'a>,
    employer: &'a str,
    first_name: &'a str,
    recruiter: &'a str,
    title: &'a str,
    expectation: Option<&'a str>,
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

/// The invitation email to the candidate, in the invitation's language, from `employer` (its
/// name as the sender's, its branding, its privacy notice); a BCC copy to the recruiter when they
/// asked for one, and replies going to the recruiter. The deadline's zone is named as the
/// candidate's language names it, at the deadline.
pub fn invitation_email(
    invitation: &Invitation,
    employer: &Employer,
    link: &str,
) -> Result<OutgoingEmail, RenderError> {
    let language = invitation.language;
    let copy = InvitationCopy::of(language);
    let recruiter = recruiter_name(invitation);
    let title = invitation.video_interview_title.as_str();
    let deadline = &invitation.deadline;
    let deadline_day = long_date(deadline.date(), language);
    let time_zone = zone_name(deadline.time_zone(), deadline.expires_at(), language);
    let expectation = expectation(&invitation.questions, language);
    let first_name = invitation.candidate.first_name.as_str();
    let employer_name = employer.name.as_str();
    // Names and titles cannot hold control characters (see `domain`), so the subject is one line.
    let subject = format!(
        "{} {}: {}",
        isolated(employer_name),
        copy.subject,
        isolated(title)
    );
    let branding = Branding::of(employer, language, Reader::Candidate);
    let html = InvitationHtml {
        copy,
        branding: &branding,
        language: language.code(),
        subject: &subject,
        first_name,
        recruiter,
        title,
        expectation: expectation.as_deref(),
        deadline: &deadline_day,
        time_zone: &time_zone,
        link,
    }
    .render()?;
    let text = InvitationText {
        copy,
        branding: &branding,
        employer: &isolated(employer_name),
        first_name: &isolated(first_name),
        recruiter: &isolated(recruiter),
        title: &isolated(title),
        expectation: expectation.as_deref(),
        deadline: &deadline_day,
        time_zone: &time_zone,
        link,
    }
    .render()?;
    Ok(to_candidate(
        invitation,
        employer,
        EmailKind::Invitation,
        invitation.bcc_myself,
        [subject, html, text],
    ))
}

/// The name the emails give the recruiter who sent `invitation`: their name, else their address.
pub(super) fn recruiter_name(invitation: &Invitation) -> &str {
    invitation
        .invited_by
        .name
        .as_ref()
        .map_or(invitation.invited_by.email.as_str(), |name| name.as_str())
}

/// An email about `invitation` to its candidate, `[subject, html, text]`: from `employer`'s name,
/// replies going to the recruiter, with a BCC copy to the recruiter if `bcc`.
pub(super) fn to_candidate(
    invitation: &Invitation,
    employer: &Employer,
    kind: EmailKind,
    bcc: bool,
    [subject, html, text]: [String; 3],
) -> OutgoingEmail {
    OutgoingEmail {
        purpose: EmailPurpose {
            kind,
            organization_id: invitation.organization_id.clone(),
            invitation_id: invitation.id,
        },
        // The candidate meets the employer, not the service: its name is the sender's.
        from_name: employer
            .sender_name
            .as_ref()
            .map(|name| name.as_str().to_owned()),
        to: Mailbox::new(
            Some(&invitation.candidate.full_name()),
            invitation.candidate.email.clone(),
        ),
        bcc: bcc.then(|| invitation.invited_by.email.clone()),
        // Replies reach the recruiter, named as the candidate knows them from the email.
        reply_to: Some(Mailbox::new(
            invitation.invited_by.name.as_ref().map(PersonName::as_str),
            invitation.invited_by.email.clone(),
        )),
        subject,
        html,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        AccentColor, EmailAddress, HttpsUrl, OrganizationName, QuestionText, VideoInterviewTitle,
        fixture_employer,
    };
    use crate::email::{assert_says, hostile_invitation as invitation};

    const LINK: &str = "https://interview.example/i/abc_DEF-123";

    fn email(language: Language) -> OutgoingEmail {
        invitation_email(&invitation(language, false), &fixture_employer(), LINK).unwrap()
    }

    #[test]
    fn every_value_is_escaped_in_html_but_readable_in_text() {
        let mut employer = fixture_employer();
        employer.name = OrganizationName::parse("Acme & <Sons>").unwrap();
        employer.sender_name = Some(employer.name.clone());
        employer.logo_url =
            Some(HttpsUrl::parse("https://cdn.acme.example/l.png?a=1&b=\"2\"").unwrap());
        let email = invitation_email(&invitation(Language::En, false), &employer, LINK).unwrap();
        assert!(!email.html.contains("<script>"), "{}", email.html);
        assert!(email.html.contains("&#60;script&#62;") || email.html.contains("&lt;script&gt;"));
        assert!(!email.html.contains("<b>Lead</b>"));
        assert!(!email.html.contains("O'Hara"), "quotes are escaped too");
        assert!(!email.html.contains("<Sons>"));
        assert!(!email.html.contains("a=1&b"), "{}", email.html);
        assert!(email.text.contains("Hello <script>alert(1)</script>,"));
        assert!(email.text.contains("Sales <b>Lead</b> & \"Co\""));
        assert!(
            email
                .text
                .contains("Rita O'Hara from Acme & <Sons> has invited you")
        );
        assert_eq!(email.from_name.as_deref(), Some("Acme & <Sons>"));
    }

    /// Subject, the sentences around the values and the footer, pinned per language: the
    /// employer named, the zone as the reader's language names it, what to expect.
    #[test]
    fn each_language_names_the_employer_the_zone_and_what_to_expect() {
        let cases = [
            (
                Language::En,
                "Acme Oy invites you to a video interview: Sales <b>Lead</b> & \"Co\"",
                [
                    "Hello <script>alert(1)</script>,\n",
                    "Rita O'Hara from Acme Oy has invited you to a one-way video interview: Sales <b>Lead</b> & \"Co\".",
                    "at a time that suits you, on a phone or a computer. The interview has 1 question; answering takes at most 5 minutes.",
                    "Please answer by Tuesday 15 December 2026. You can still answer on that day, until midnight (Eastern European Time).",
                    "Best regards,\nRita O'Hara\nAcme Oy\n",
                    "Sent on behalf of Acme Oy.\nPrivacy notice – how your personal data is processed: https://acme.example/privacy\nCareers: https://careers.acme.example/",
                ],
            ),
            (
                Language::Fi,
                "Acme Oy kutsuu sinut videohaastatteluun: Sales <b>Lead</b> & \"Co\"",
                [
                    "Hei <script>alert(1)</script>,\n",
                    "Rita O'Hara (Acme Oy) on kutsunut sinut videohaastatteluun: Sales <b>Lead</b> & \"Co\".",
                    "sinulle sopivana hetkenä, puhelimella tai tietokoneella. Haastattelussa on 1 kysymys. Vastaaminen vie enintään 5 minuuttia.",
                    "Vastaa viimeistään tiistaina 15.12.2026. Voit vastata vielä saman päivän aikana keskiyöhön asti (Itä-Euroopan aika).",
                    "Ystävällisin terveisin\nRita O'Hara\nAcme Oy\n",
                    "Lähettäjä: Acme Oy.\nTietosuojaseloste – näin henkilötietojasi käsitellään: https://acme.example/privacy\nAvoimet työpaikat: https://careers.acme.example/",
                ],
            ),
            (
                Language::Sv,
                "Acme Oy bjuder in dig till en videointervju: Sales <b>Lead</b> & \"Co\"",
                [
                    "Hej <script>alert(1)</script>,\n",
                    "Rita O'Hara på Acme Oy har bjudit in dig till en videointervju: Sales <b>Lead</b> & \"Co\".",
                    "när det passar dig, med mobilen eller datorn. Intervjun har 1 fråga, och det tar högst 5 minuter att svara.",
                    "Svara senast tisdagen den 15 december 2026. Du kan svara hela den dagen, ända fram till midnatt (östeuropeisk tid).",
                    "Med vänliga hälsningar\nRita O'Hara\nAcme Oy\n",
                    "Skickat på uppdrag av Acme Oy.\nIntegritetspolicy – så behandlas dina personuppgifter: https://acme.example/privacy\nLediga jobb: https://careers.acme.example/",
                ],
            ),
        ];
        for (language, subject, sentences) in cases {
            let email = email(language);
            assert_says(&email, language, subject, &sentences);
            assert!(email.text.contains(LINK));
            assert!(email.html.contains("href=\"https://acme.example/privacy\""));
            assert_eq!(email.from_name.as_deref(), Some("Acme Oy"));
        }
    }

    #[test]
    fn the_expected_length_adds_up_every_question_rounded_up_to_five_minutes() {
        let question = |think, answer| Question {
            text: QuestionText::parse("Why?").unwrap(),
            think_time_seconds: think,
            answer_time_seconds: answer,
        };
        // 3 × (30 s + 120 s) = 7.5 minutes: at most 10.
        let three = vec![question(Some(30), Some(120)); 3];
        assert_eq!(
            expectation(&three, Language::En).unwrap(),
            "The interview has 3 questions; answering takes at most 10 minutes."
        );
        assert_eq!(
            expectation(&three, Language::Fi).unwrap(),
            "Haastattelussa on 3 kysymystä. Vastaaminen vie enintään 10 minuuttia."
        );
        assert_eq!(
            expectation(&three, Language::Sv).unwrap(),
            "Intervjun har 3 frågor, och det tar högst 10 minuter att svara."
        );
        // Exactly 10 minutes stays 10.
        let ten = vec![question(None, Some(300)); 2];
        assert!(
            expectation(&ten, Language::En)
                .unwrap()
                .ends_with("at most 10 minutes.")
        );
        // A question without an answer-time limit: the count only.
        let open = vec![question(Some(30), Some(120)), question(None, None)];
        assert_eq!(
            expectation(&open, Language::En).unwrap(),
            "The interview has 2 questions."
        );
        assert_eq!(
            expectation(&open, Language::Fi).unwrap(),
            "Haastattelussa on 2 kysymystä."
        );
        assert_eq!(expectation(&[], Language::En), None);
    }

    #[test]
    fn the_button_wears_the_employers_colour_with_text_that_reads_on_it() {
        let dark = email(Language::En);
        assert!(
            dark.html.contains("background:#0a7d3b;color:#ffffff;"),
            "{}",
            dark.html
        );
        let mut light = fixture_employer();
        light.accent_color = AccentColor::parse("#ffd400").unwrap();
        let light = invitation_email(&invitation(Language::En, false), &light, LINK).unwrap();
        assert!(light.html.contains("background:#ffd400;color:#000000;"));
    }

    #[test]
    fn bcc_goes_to_the_recruiter_only_when_asked_and_replies_always_do() {
        let without = email(Language::En);
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
        let with =
            invitation_email(&invitation(Language::En, true), &fixture_employer(), LINK).unwrap();
        assert_eq!(with.bcc.unwrap().as_str(), "rita@acme.example");
    }

    #[test]
    fn right_to_left_names_titles_and_employers_keep_to_themselves() {
        let mut rtl = invitation(Language::En, false);
        rtl.candidate.first_name = PersonName::parse("محمد").unwrap();
        rtl.video_interview_title = VideoInterviewTitle::parse("מכירות 2027").unwrap();
        let mut employer = fixture_employer();
        employer.name = OrganizationName::parse("شركة النور").unwrap();
        let email = invitation_email(&rtl, &employer, LINK).unwrap();
        assert_eq!(
            email.subject,
            "\u{2068}شركة النور\u{2069} invites you to a video interview: \u{2068}מכירות 2027\u{2069}"
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
        assert!(
            email
                .text
                .contains("\nRita O'Hara from \u{2068}شركة النور\u{2069} has invited you")
        );
        let latin = self::email(Language::En);
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
