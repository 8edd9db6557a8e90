//! Every email the service sends, in every language, rendered by the real builders
//! (`invitations::email`) from sample data as it comes from the field: a candidate whose name has
//! umlauts and a comma, an employer with a long official name, a long interview title with a long
//! Finnish compound in it, a recruiter in their own language and zone. `scripts/preview-emails`
//! writes them to files and screenshots them; `tests/tests/email_previews.rs` checks them in Chromium.
//!
//! The recruiter's BCC copy of the invitation is not a message of its own: SES sends the one
//! message to the candidate with the recruiter in `Bcc`, so it is the invitation preview.

use invitations::domain::{
    AccentColor, AnswerDeadline, Candidate, CandidateToken, EmailAddress, Employer, HttpsUrl,
    IanaTimeZone, Invitation, InvitationId, Language, LinkKey, NewInvitation, NewVideoInterview,
    OrganizationId, OrganizationName, PersonName, Question, QuestionText, Recruiter, RecruiterId,
    RetentionPeriod, VideoInterview, VideoInterviewTitle,
};
use invitations::email::{
    FollowUpMessage, NoticeAbout, RenderError, candidate_link, completed_interview_link,
    follow_up_email, invitation_email, recruiter_notice,
};
use invitations::ports::OutgoingEmail;
use jiff::Timestamp;

/// The sample deadline: Wednesday 31 March 2027, in Helsinki.
pub const DEADLINE: &str = "2027-03-31";
/// When the sample invitation was sent, and the reminders' moments: three days before the
/// deadline day ends, and on the deadline day itself (both Helsinki).
const SENT_AT: &str = "2027-03-15T08:30:00Z";
const REMINDER_DAYS_LEFT_AT: &str = "2027-03-28T21:00:00Z";
const REMINDER_LAST_DAY_AT: &str = "2027-03-31T06:00:00Z";
/// When the candidate completed, and when the email to them bounced.
const COMPLETED_AT: &str = "2027-03-30T17:42:00Z";
const BOUNCED_AT: &str = "2027-03-15T08:31:00Z";
/// A receiving server's words, as Postfix writes them.
const BOUNCE_DIAGNOSTIC: &str = "smtp; 550 5.1.1 <jurgen.muller-ludenscheidt@example.fi>: \
                                 Recipient address rejected: User unknown in virtual mailbox table";

/// Which email a preview shows, named as its files are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The invitation to the candidate (and, unchanged, the recruiter's BCC copy).
    Invitation,
    /// The notice that the deadline moved.
    DeadlineExtended,
    /// A reminder with days left.
    Reminder,
    /// The reminder on the deadline day.
    ReminderLastDay,
    /// Notify me: the candidate completed.
    CompletionNotice,
    /// The candidate's address bounced.
    BounceNotice,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Invitation,
        Kind::DeadlineExtended,
        Kind::Reminder,
        Kind::ReminderLastDay,
        Kind::CompletionNotice,
        Kind::BounceNotice,
    ];

    /// The file name's stem: `invitation`, `reminder-last-day`, …
    pub fn name(self) -> &'static str {
        match self {
            Kind::Invitation => "invitation",
            Kind::DeadlineExtended => "deadline-extended",
            Kind::Reminder => "reminder",
            Kind::ReminderLastDay => "reminder-last-day",
            Kind::CompletionNotice => "completion-notice",
            Kind::BounceNotice => "bounce-notice",
        }
    }

    /// Whether the email goes to the candidate (and so names their deadline).
    pub fn to_candidate(self) -> bool {
        !matches!(self, Kind::CompletionNotice | Kind::BounceNotice)
    }
}

/// One email in one language, as rendered, with the link its reader follows.
pub struct Preview {
    pub kind: Kind,
    pub language: Language,
    pub email: OutgoingEmail,
    /// The candidate's personal link, or the recruiter's link to the invitation.
    pub link: String,
}

impl Preview {
    /// `invitation.fi`, the stem of its files.
    pub fn stem(&self) -> String {
        format!("{}.{}", self.kind.name(), self.language.code())
    }
}

fn at(instant: &str) -> Timestamp {
    instant.parse().expect("a valid instant")
}

/// Panics on sample data the domain refuses: the samples are fixed, so that is a bug here.
fn valid<T>(parsed: Result<T, impl std::fmt::Debug>) -> T {
    parsed.expect("the sample data is valid")
}

fn employer() -> Employer {
    Employer {
        name: valid(OrganizationName::parse(
            "Pohjois-Pohjanmaan hyvinvointialue – Oulun yliopistollinen sairaala",
        )),
        sender_name: Some(valid(OrganizationName::parse(
            "Oulun yliopistollinen sairaala",
        ))),
        // No logo: the previews are made offline, where an image from the web shows as broken.
        logo_url: None,
        accent_color: valid(AccentColor::parse("#005eb8")),
        careers_site_url: Some(valid(HttpsUrl::parse("https://careers.pohde.example/"))),
        privacy_notice_url: Some(valid(HttpsUrl::parse(
            "https://pohde.example/tietosuoja/rekrytointi",
        ))),
    }
}

/// The invitation as the service stores it, in `language` for the candidate and the recruiter.
fn invitation(language: Language) -> Invitation {
    let recruiter = Recruiter {
        id: valid(RecruiterId::parse("marja-leena")),
        organization_id: valid(OrganizationId::parse("pohde")),
        email: valid(EmailAddress::parse("marja-leena.karkkainen@pohde.example")),
        name: Some(valid(PersonName::parse("Marja-Leena Kärkkäinen"))),
        given_name: Some(valid(PersonName::parse("Marja-Leena"))),
        language: Some(language),
        time_zone: Some(valid(IanaTimeZone::parse("Europe/Helsinki"))),
        email_verified: true,
    };
    let question = |text: &str| Question {
        text: valid(QuestionText::parse(text)),
        think_time_seconds: Some(30),
        answer_time_seconds: Some(120),
    };
    let interview = VideoInterview::new(
        NewVideoInterview {
            title: valid(VideoInterviewTitle::parse(
                "Työterveyshuoltopalvelukoordinaattori, sisätautien vuodeosasto 4B – \
                 vakituinen kokoaikainen työsuhde (useita paikkoja), Oulu",
            )),
            questions: vec![
                question("Kerro itsestäsi."),
                question("Miksi haet juuri tähän tehtävään?"),
                question("Kerro tilanteesta, jossa ratkaisit ristiriidan työyhteisössä."),
            ],
        },
        &recruiter,
        at(SENT_AT),
    );
    let new = NewInvitation {
        candidate: Candidate {
            first_name: valid(PersonName::parse("Jürgen Åke")),
            last_name: valid(PersonName::parse("Müller-Lüdenscheidt, Dr.")),
            email: valid(EmailAddress::parse("jurgen.muller-ludenscheidt@example.fi")),
        },
        language,
        video_interview_id: interview.id,
        deadline: valid(AnswerDeadline::for_new_invitation(
            valid(AnswerDeadline::parse_date(DEADLINE)),
            valid(IanaTimeZone::parse("Europe/Helsinki")),
            at(SENT_AT),
        )),
        // The recruiter's copy is this same message (see the module's comment).
        bcc_myself: true,
        notify_me: true,
        reminders: true,
    };
    let mut invitation = Invitation::new(
        new,
        &interview,
        &recruiter,
        &RetentionPeriod::default(),
        at(SENT_AT),
    );
    // A fixed id, so that the links (and the screenshots) are the same in every run.
    invitation.id = valid("01JQ7Z8K3M4N5P6Q7R8S9T0V1W".parse::<InvitationId>());
    invitation
}

/// Every email the service sends, in every language, in the order of [`Kind::ALL`] per language.
pub fn previews() -> Result<Vec<Preview>, RenderError> {
    let employer = employer();
    let zone = valid(IanaTimeZone::parse("Europe/Helsinki"));
    // The follow-up links' derivation under a fixed key: a personal link of the real shape that
    // stays the same from run to run (the invitation's own token is random).
    let key = valid(LinkKey::new(*b"preview-emails link key, 32 byte"));
    let mut previews = Vec::new();
    for language in Language::ALL {
        let invitation = invitation(language);
        let token = CandidateToken::follow_up(&key, &invitation.organization_id, invitation.id, 0);
        let personal = candidate_link("https://interview.pohde.example/i/", &token);
        let recruiter = completed_interview_link("https://recruit.pohde.example/", &invitation);
        for kind in Kind::ALL {
            let follow_up = |message| follow_up_email(&invitation, &employer, &personal, message);
            let notice = |about| recruiter_notice(&invitation, &employer, about, &zone, &recruiter);
            let email = match kind {
                Kind::Invitation => invitation_email(&invitation, &employer, &personal)?,
                Kind::DeadlineExtended => follow_up(FollowUpMessage::DeadlineExtended)?,
                Kind::Reminder => follow_up(FollowUpMessage::Reminder {
                    now: at(REMINDER_DAYS_LEFT_AT),
                })?,
                Kind::ReminderLastDay => follow_up(FollowUpMessage::Reminder {
                    now: at(REMINDER_LAST_DAY_AT),
                })?,
                Kind::CompletionNotice => notice(NoticeAbout::Completion {
                    at: at(COMPLETED_AT),
                })?,
                Kind::BounceNotice => notice(NoticeAbout::Bounce {
                    at: at(BOUNCED_AT),
                    diagnostic: Some(BOUNCE_DIAGNOSTIC),
                })?,
            };
            let link = if kind.to_candidate() {
                personal.clone()
            } else {
                recruiter.clone()
            };
            previews.push(Preview {
                kind,
                language,
                email,
                link,
            });
        }
    }
    Ok(previews)
}
