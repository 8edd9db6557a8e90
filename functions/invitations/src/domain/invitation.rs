//! The invitation: a candidate, a video interview's questions and a deadline, and where it is in
//! its life. Its status changes only through [`Invitation::apply`], by the table of
//! [`super::lifecycle`].

use jiff::{SignedDuration, Timestamp};

use super::{
    AnswerDeadline, DeadlineError, EmailAddress, InvitationId, InvitationStatus, InvitedBy,
    Language, LifecycleError, OrganizationId, PersonName, Question, Recruiter, Transition,
    VideoInterview, VideoInterviewId, VideoInterviewTitle,
};
use crate::domain::candidate_lookup::CandidateEmailDigest;
use crate::domain::retention::{CANDIDATE_LINK_GRACE, RetentionPeriod};
use crate::domain::{
    CandidateTokenHash, FollowUp, InvitationBatchId, ReminderPolicy, ReminderSlot,
};

/// The candidate, who exists nowhere but in this invitation.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: EmailAddress,
}

impl Candidate {
    /// "First Last", as the emails name the candidate (the form asks for the two in that order).
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// What a recruiter chooses when inviting a candidate: the invitation form, parsed (the recruiter
/// API's `POST /invitations`). The rest of an invitation is derived from it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInvitation {
    pub candidate: Candidate,
    pub language: Language,
    pub video_interview_id: VideoInterviewId,
    pub deadline: AnswerDeadline,
    pub bcc_myself: bool,
    pub notify_me: bool,
    /// Whether the candidate gets deadline reminders (the deployment's, see `domain::reminders`).
    pub reminders: bool,
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
    /// Whether the recruiter wants the candidate reminded (`reminders`, default true).
    pub reminders: bool,
    /// The next reminder to send, while one is planned (see `domain::reminders`).
    pub next_reminder: Option<ReminderSlot>,
    pub invited_by: InvitedBy,
    pub status: InvitationStatus,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    /// Why sending failed or is unconfirmed (`send_failed`, `send_unconfirmed`), in words fit for
    /// the recruiter (no personal data, no AWS internals).
    pub send_failure: Option<String>,
    pub opened_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    /// Whether the completion event is known to be on the bus (else a repeated completion call
    /// publishes it again).
    pub completion_published: bool,
    /// When the notify-me email went to the recruiter.
    pub recruiter_notified_at: Option<Timestamp>,
    /// When the notify-me email was handed to SES without an answer: it may be out, and is not
    /// sent again.
    pub recruiter_notice_unconfirmed_at: Option<Timestamp>,
    /// How often the recruiter had the email sent again (at most [`MAX_RESENDS`]).
    pub resend_count: u32,
    /// When the last resend went out.
    pub last_resent_at: Option<Timestamp>,
    /// How often the recruiter moved the deadline (at most [`MAX_DEADLINE_EXTENSIONS`]).
    pub deadline_extension_count: u32,
    /// When the deadline was last moved.
    pub deadline_extended_at: Option<Timestamp>,
    /// The last follow-up email (extension notice, reminder) and how it went.
    pub last_follow_up: Option<FollowUp>,
    /// The SES message ids of the emails sent to the candidate for it: SES's events about them are
    /// correlated by these.
    pub email_message_ids: Vec<String>,
    /// When an email reached the candidate's mail server first (SES's delivery event).
    pub delivered_at: Option<Timestamp>,
    /// Why the candidate's address bounced (`bounced`), and whether the recruiter was told.
    pub bounce: Option<Bounce>,
    /// When the candidate marked an email as spam: no more reminders.
    pub complained_at: Option<Timestamp>,
    /// Which follow-up link is current: a corrected address starts a new one (the links that
    /// went to the wrong address stop working).
    pub link_generation: u32,
    /// When the invitation is to be gone (`domain::retention`): reads treat it as gone from then
    /// on, and DynamoDB's TTL deletes it soon after.
    pub retained_until: Timestamp,
    /// The keyed digest of the candidate's address (`domain::candidate_lookup`), by which an
    /// erasure or access request finds it; `None` only for invitations stored before it existed.
    pub candidate_digest: Option<CandidateEmailDigest>,
    /// The batch it was sent with (`POST /invitation-batches`), if any.
    pub batch_id: Option<InvitationBatchId>,
    /// When the sender last claimed it from the queue (`dispatched`): a redelivered message that
    /// finds it still `sending` long after this knows the earlier attempt died mid-send.
    pub dispatched_at: Option<Timestamp>,
}

/// A resend's corrected address, with its lookup digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectedEmail {
    pub email: EmailAddress,
    pub digest: CandidateEmailDigest,
}

/// A permanent bounce of the candidate's address, as SES reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    pub at: Timestamp,
    /// SES's `bounceType/bounceSubType`, such as `Permanent/NoEmail`.
    pub bounce_type: String,
    /// The receiving server's words (`diagnosticCode`), when it gave some.
    pub diagnostic: Option<String>,
    /// When the recruiter was told (the bounce notice), or handed to SES without an answer.
    pub recruiter_notified_at: Option<Timestamp>,
    pub recruiter_notice_unconfirmed_at: Option<Timestamp>,
}

/// How often one invitation's email may be sent again: enough for a lost or filtered email, too
/// few to make the service a way to flood someone's inbox. With the first email, at most
/// `1 + MAX_RESENDS` links to the invitation exist, all of them working.
pub const MAX_RESENDS: u32 = 3;

/// How long after an email that may have reached the candidate the next resend must wait, so that
/// a recruiter (or a script) cannot send a burst. No wait after a `send_failed`: nothing reached
/// the candidate.
pub const RESEND_COOL_DOWN: SignedDuration = SignedDuration::from_mins(10);

/// How often one invitation's deadline may be moved: each move may email the candidate, so the
/// count is bounded like resends, generously (a deadline is moved for a reason, rarely twice).
pub const MAX_DEADLINE_EXTENSIONS: u32 = 5;

/// Why an invitation's deadline is not moved (see [`Invitation::check_deadline_extension`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionRefused {
    /// Not a deadline a new invitation could have (before today, more than a year ahead).
    #[error(transparent)]
    Deadline(DeadlineError),
    /// Completed or cancelled: nothing is left to answer.
    #[error("the invitation is {0}")]
    NotExtendable(InvitationStatus),
    /// The new deadline day does not end after the current one.
    #[error("the new deadline must be later than the current one")]
    NotLater,
    /// [`MAX_DEADLINE_EXTENSIONS`] moves were made already.
    #[error("the deadline was moved {MAX_DEADLINE_EXTENSIONS} times already")]
    LimitReached,
}

/// Why an invitation is not sent again (see [`Invitation::check_resend`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ResendRefused {
    /// The candidate opened it, or it is completed or cancelled.
    #[error("the invitation is {0}")]
    NotUnopened(InvitationStatus),
    /// The last email may be out; the recruiter did not accept a possible duplicate.
    #[error("the last email may have been delivered")]
    Unconfirmed,
    /// The deadline day is over: the new link would only answer 410.
    #[error("the answer deadline has passed")]
    DeadlinePassed,
    /// [`MAX_RESENDS`] resends were sent already.
    #[error("the invitation was sent again {MAX_RESENDS} times already")]
    LimitReached,
    /// The last email went out less than [`RESEND_COOL_DOWN`] ago; the next may go after `wait`.
    #[error("the last email went out too recently")]
    TooSoon { wait: SignedDuration },
}

/// Something that happened to an invitation, with the facts it records. Its
/// [`Transition`] decides whether it may happen (see [`super::lifecycle`]).
#[derive(Debug, Clone, PartialEq)]
pub enum InvitationEvent {
    /// The sender claims the queued invitation at `at` to send it now, with the link whose hash
    /// is `token`, and plans its reminders (`next_reminder`, from now).
    Dispatched {
        token: CandidateTokenHash,
        at: Timestamp,
        next_reminder: Option<ReminderSlot>,
    },
    /// SES answered that the account sends too fast: nothing went out, and the invitation waits
    /// in the queue again (no reminder is planned for an email not sent).
    Requeued,
    /// SES accepted the email, with this message id.
    Sent {
        at: Timestamp,
        message_id: String,
    },
    /// The email did not go out; `reason` is fit for the recruiter to read.
    SendFailed {
        reason: String,
    },
    /// Whether the email went out is unknown (SES's answer was lost); `reason` says so to the
    /// recruiter.
    SendUnconfirmed {
        reason: String,
    },
    /// The email goes out again at `at` with a new link, whose token hash the invitation now also
    /// holds (the earlier links keep working, unless the address is corrected). `resends_before` is the count this resend was
    /// allowed on: two racing resends cannot both pass on the same count.
    Resent {
        token: CandidateTokenHash,
        at: Timestamp,
        resends_before: u32,
        /// The candidate's corrected address, when the recruiter gave one: the links sent to the
        /// old one stop working (only this resend's works, and a new follow-up link), and what
        /// SES said of the old address (delivered, complained) is forgotten.
        corrected_email: Option<CorrectedEmail>,
        /// The reminders planned anew (a bounce had stopped them).
        next_reminder: Option<ReminderSlot>,
    },
    Opened {
        at: Timestamp,
    },
    Completed {
        at: Timestamp,
    },
    Cancelled,
    /// The recruiter moved the deadline to `deadline` at `at`, and the reminders are planned anew
    /// (`next_reminder`, see [`Invitation::reminder_after`]). `extensions_before` is the count
    /// this move was allowed on: two racing moves cannot both pass on the same count.
    DeadlineExtended {
        deadline: AnswerDeadline,
        at: Timestamp,
        extensions_before: u32,
        /// The hash of the follow-up link, when a notice with it is to go out (stored with the
        /// move, so that the link works before the email arrives).
        follow_up_link: Option<CandidateTokenHash>,
        /// The follow-up link's generation it was derived for: a correction of the address
        /// meanwhile makes the move fail (its notice would carry a retired link).
        link_generation: u32,
        next_reminder: Option<ReminderSlot>,
        /// The retention time for the new deadline (`RetentionPeriod::retained_until`).
        retained_until: Timestamp,
    },
    /// SES reported the email of an unconfirmed send sent or delivered: it went out, as
    /// `message_id`, at `at`.
    SendConfirmed {
        at: Timestamp,
        message_id: String,
    },
    /// SES reported a permanent bounce of the candidate's address `address` (recorded only while
    /// it still is the candidate's: a correction meanwhile wins).
    Bounced {
        bounce: Bounce,
        address: EmailAddress,
    },
}

impl InvitationEvent {
    pub fn transition(&self) -> Transition {
        match self {
            Self::Dispatched { .. } => Transition::Dispatched,
            Self::Requeued => Transition::Requeued,
            Self::Sent { .. } => Transition::Sent,
            Self::SendFailed { .. } => Transition::SendFailed,
            Self::SendUnconfirmed { .. } => Transition::SendUnconfirmed,
            Self::Resent { .. } => Transition::Resent,
            Self::Opened { .. } => Transition::Opened,
            Self::Completed { .. } => Transition::Completed,
            Self::Cancelled => Transition::Cancelled,
            Self::DeadlineExtended { .. } => Transition::DeadlineExtended,
            Self::SendConfirmed { .. } => Transition::SendConfirmed,
            Self::Bounced { .. } => Transition::Bounced,
        }
    }
}

/// What the sender does with a queued invitation whose message arrived (see
/// [`Invitation::turn_at`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueuedTurn {
    /// Its turn: claim it and send it.
    Send,
    /// Its deadline day ended while it waited: fail it (`send_failed`), send nothing.
    DeadlinePassed,
    /// Claimed a moment ago by another delivery of the same message, which may be sending it
    /// right now: look again later.
    InFlight,
    /// Claimed longer ago than a send can take, and never recorded: that attempt died between
    /// claim and record, perhaps after SES took the email. `send_unconfirmed`, never sent again.
    Abandoned,
    /// Sent, failed, cancelled or otherwise past its turn: nothing to do.
    Done,
}

/// How far a reported completion's instant may lie past the receiver's clock, before the
/// invitation's creation, or after its deadline: producers' clocks drift, and a recording that
/// ends at 23:59:59 is reported a moment later.
pub const COMPLETION_CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

/// Why a reported completion cannot be recorded (see [`Invitation::check_reported_completion`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CompletionRefused {
    #[error("the invitation is cancelled")]
    Cancelled,
    #[error("the completion is dated before the invitation was created")]
    BeforeCreation,
    #[error("the completion is dated in the future")]
    InTheFuture,
    #[error("the completion is dated after the answer deadline")]
    AfterDeadline,
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
    /// A new invitation to `interview` from `recruiter`, as stored before its email goes out:
    /// `sending`, with a snapshot of the interview's title and questions (what this candidate is
    /// asked, whatever becomes of the interview), and nothing happened yet.
    pub fn new(
        new: NewInvitation,
        interview: &VideoInterview,
        recruiter: &Recruiter,
        retention: &RetentionPeriod,
        now: Timestamp,
    ) -> Self {
        Self {
            retained_until: retention.retained_until(&new.deadline),
            candidate_digest: None,
            batch_id: None,
            dispatched_at: None,
            id: InvitationId::generate(now),
            organization_id: recruiter.organization_id.clone(),
            video_interview_id: interview.id,
            video_interview_title: interview.title.clone(),
            questions: interview.questions.clone(),
            candidate: new.candidate,
            language: new.language,
            deadline: new.deadline,
            bcc_myself: new.bcc_myself,
            notify_me: new.notify_me,
            reminders: new.reminders,
            next_reminder: None,
            invited_by: InvitedBy::from(recruiter),
            status: InvitationStatus::Sending,
            created_at: now,
            sent_at: None,
            send_failure: None,
            opened_at: None,
            completed_at: None,
            completion_published: false,
            recruiter_notified_at: None,
            recruiter_notice_unconfirmed_at: None,
            resend_count: 0,
            last_resent_at: None,
            deadline_extension_count: 0,
            deadline_extended_at: None,
            last_follow_up: None,
            email_message_ids: Vec::new(),
            delivered_at: None,
            bounce: None,
            complained_at: None,
            link_generation: 0,
        }
    }

    /// A batch's invitation as stored before its turn to be sent comes: as [`Invitation::new`],
    /// but `queued`, with no reminder planned yet (they are planned when it is sent).
    pub fn queued(
        new: NewInvitation,
        interview: &VideoInterview,
        recruiter: &Recruiter,
        retention: &RetentionPeriod,
        now: Timestamp,
        batch: InvitationBatchId,
    ) -> Self {
        Self {
            status: InvitationStatus::Queued,
            batch_id: Some(batch),
            ..Self::new(new, interview, recruiter, retention, now)
        }
    }

    /// What the sender does with this invitation when its queue message arrives at `now`
    /// (messages are delivered at least once, and a sender may die mid-send). `in_flight` is how
    /// long a claim may still be someone's send in progress: the sender function's timeout.
    pub fn turn_at(&self, now: Timestamp, in_flight: SignedDuration) -> QueuedTurn {
        match (self.status, self.dispatched_at) {
            (InvitationStatus::Queued, _) if now >= self.deadline.expires_at() => {
                QueuedTurn::DeadlinePassed
            }
            (InvitationStatus::Queued, _) => QueuedTurn::Send,
            (InvitationStatus::Sending, Some(at)) if now.duration_since(at) < in_flight => {
                QueuedTurn::InFlight
            }
            (InvitationStatus::Sending, Some(_)) => QueuedTurn::Abandoned,
            _ => QueuedTurn::Done,
        }
    }

    /// Applies `event` when the lifecycle table allows it in the current status: the new status
    /// and the facts the event records. Nothing changes when it is refused.
    pub fn apply(&mut self, event: &InvitationEvent) -> Result<(), LifecycleError> {
        self.status = self.status.after(event.transition())?;
        match event {
            InvitationEvent::Dispatched {
                at, next_reminder, ..
            } => {
                self.dispatched_at = Some(*at);
                self.next_reminder = *next_reminder;
            }
            InvitationEvent::Requeued => self.next_reminder = None,
            InvitationEvent::Sent { at, message_id }
            | InvitationEvent::SendConfirmed { at, message_id } => {
                self.sent_at = Some(*at);
                // Already so when stored: `sending` never holds a failure (`resent` removes it).
                self.send_failure = None;
                if !self.email_message_ids.contains(message_id) {
                    self.email_message_ids.push(message_id.clone());
                }
            }
            InvitationEvent::SendFailed { reason }
            | InvitationEvent::SendUnconfirmed { reason } => {
                self.send_failure = Some(reason.clone());
            }
            InvitationEvent::Resent {
                at,
                corrected_email,
                next_reminder,
                ..
            } => {
                self.send_failure = None;
                self.resend_count += 1;
                self.last_resent_at = Some(*at);
                self.bounce = None;
                self.next_reminder = *next_reminder;
                if let Some(CorrectedEmail { email, digest }) = corrected_email {
                    self.candidate.email = email.clone();
                    self.candidate_digest = Some(digest.clone());
                    self.link_generation += 1;
                    self.delivered_at = None;
                    self.complained_at = None;
                }
            }
            InvitationEvent::Opened { at } => self.opened_at = Some(*at),
            // Nothing is left to remind of.
            InvitationEvent::Completed { at } => {
                self.completed_at = Some(*at);
                self.next_reminder = None;
            }
            InvitationEvent::Cancelled => self.next_reminder = None,
            InvitationEvent::DeadlineExtended {
                deadline,
                at,
                next_reminder,
                retained_until,
                ..
            } => {
                self.deadline = deadline.clone();
                self.retained_until = *retained_until;
                self.deadline_extended_at = Some(*at);
                self.deadline_extension_count += 1;
                self.next_reminder = *next_reminder;
            }
            InvitationEvent::Bounced { bounce, .. } => {
                self.bounce = Some(bounce.clone());
                self.next_reminder = None;
            }
        }
        Ok(())
    }

    /// Whether the deadline may move to `deadline` (checked as any new deadline is, from today to
    /// a year ahead, by [`AnswerDeadline::for_new_invitation`]): while the invitation is
    /// unfinished, expired or not, to a day that ends later than the current one, at most
    /// [`MAX_DEADLINE_EXTENSIONS`] times.
    pub fn check_deadline_extension(
        &self,
        deadline: &AnswerDeadline,
    ) -> Result<(), ExtensionRefused> {
        if !self.status.allows(Transition::DeadlineExtended) {
            return Err(ExtensionRefused::NotExtendable(self.status));
        }
        if deadline.expires_at() <= self.deadline.expires_at() {
            return Err(ExtensionRefused::NotLater);
        }
        if self.deadline_extension_count >= MAX_DEADLINE_EXTENSIONS {
            return Err(ExtensionRefused::LimitReached);
        }
        Ok(())
    }

    /// Whether the recruiter may have the email sent again at `now` (`accept_duplicate`: they
    /// accept that the candidate may get it twice, needed after an unconfirmed send;
    /// `correcting`: to a corrected address). Only while unopened (bounced included) and the
    /// deadline is open, at most [`MAX_RESENDS`] times, and [`RESEND_COOL_DOWN`] after the last
    /// email that may have reached the candidate (not before a correction).
    pub fn check_resend(
        &self,
        now: Timestamp,
        accept_duplicate: bool,
        correcting: bool,
    ) -> Result<(), ResendRefused> {
        if !self.status.allows(Transition::Resent) {
            return Err(ResendRefused::NotUnopened(self.status));
        }
        if self.status == InvitationStatus::SendUnconfirmed && !accept_duplicate {
            return Err(ResendRefused::Unconfirmed);
        }
        if !self.deadline.is_open_at(now) {
            return Err(ResendRefused::DeadlinePassed);
        }
        if self.resend_count >= MAX_RESENDS {
            return Err(ResendRefused::LimitReached);
        }
        // Nothing reached the candidate after a failed send, and a corrected address has had no
        // email yet: no wait for either.
        let until = self.last_resent_at.unwrap_or(self.created_at) + RESEND_COOL_DOWN;
        if self.status != InvitationStatus::SendFailed && !correcting && now < until {
            return Err(ResendRefused::TooSoon { wait: until - now });
        }
        Ok(())
    }

    /// Whether a completion reported by an event, as done `at` and received `now`, may be
    /// recorded: the invitation is not cancelled, and `at` lies between its creation and `now`
    /// and before its deadline ended, each allowing [`COMPLETION_CLOCK_SKEW`] for the producer's
    /// clock. The candidate API applies the same rule by construction (it completes at its own
    /// `now`, only while the deadline is open); an event is checked because anyone allowed on the
    /// bus could have put it there.
    pub fn check_reported_completion(
        &self,
        at: Timestamp,
        now: Timestamp,
    ) -> Result<(), CompletionRefused> {
        if self.status == InvitationStatus::Cancelled {
            Err(CompletionRefused::Cancelled)
        } else if at < self.created_at - COMPLETION_CLOCK_SKEW {
            Err(CompletionRefused::BeforeCreation)
        } else if at > now + COMPLETION_CLOCK_SKEW {
            Err(CompletionRefused::InTheFuture)
        } else if at >= self.deadline.expires_at() + COMPLETION_CLOCK_SKEW {
            Err(CompletionRefused::AfterDeadline)
        } else {
            Ok(())
        }
    }

    /// The reminder to plan next, after `after`, for `deadline` (the current one, or the one it
    /// moves to): none when the recruiter turned reminders off, or the candidate complained.
    pub fn reminder_after(
        &self,
        policy: &ReminderPolicy,
        deadline: &AnswerDeadline,
        after: Timestamp,
    ) -> Option<ReminderSlot> {
        (self.reminders && self.complained_at.is_none())
            .then(|| policy.next_after(deadline, self.created_at, after))
            .flatten()
    }

    /// The status as the recruiter reads it at `now`: the stored one, or `expired` once the
    /// deadline day of an unfinished invitation is over (see `domain::lifecycle`).
    pub fn status_at(&self, now: Timestamp) -> InvitationStatus {
        self.status.at(self.deadline.expires_at(), now)
    }

    /// Whether the candidate holds this invitation at `now`: kept, and active in its status at
    /// `now` (sent or on its way, or opened; not expired, finished, withdrawn, failed or bounced).
    pub fn is_active_at(&self, now: Timestamp) -> bool {
        self.is_retained_at(now) && self.status_at(now).is_active()
    }

    /// Whether the invitation is still kept at `now`: past its retention time it is gone for
    /// every reader, whether or not DynamoDB's TTL has deleted it yet.
    pub fn is_retained_at(&self, now: Timestamp) -> bool {
        now < self.retained_until
    }

    /// What the candidate's link leads to at `now`: nothing but `Expired` from
    /// [`CANDIDATE_LINK_GRACE`] after the deadline's end on, whatever the status.
    pub fn candidate_access(&self, now: Timestamp) -> CandidateAccess {
        if now >= self.deadline.expires_at() + CANDIDATE_LINK_GRACE {
            CandidateAccess::Expired
        } else if self.status == InvitationStatus::Completed {
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

/// Valid records for tests to adjust, built the way the service builds them.
#[cfg(any(test, feature = "test-util"))]
pub mod fixtures {
    use super::*;
    use crate::domain::{IanaTimeZone, QuestionText, RecruiterId};

    /// A batch whose rows are candidates at `emails` (each valid), in that order.
    pub fn batch_rows(emails: &[&str]) -> crate::domain::BatchRows<()> {
        let parsed = emails
            .iter()
            .enumerate()
            .map(|(index, email)| {
                let row = crate::domain::CandidateRow {
                    candidate: Candidate {
                        first_name: PersonName::parse("Åsa").expect("valid"),
                        last_name: PersonName::parse("Öberg").expect("valid"),
                        email: EmailAddress::parse(email).expect("valid"),
                    },
                    language: Language::Sv,
                };
                (crate::domain::RowPosition { index, line: None }, Ok(row))
            })
            .collect();
        crate::domain::BatchRows::judge(parsed).expect("1 to 1,000 rows")
    }

    /// The instant the fixtures are made at.
    pub fn now() -> Timestamp {
        "2026-12-01T10:00:00Z".parse().expect("a valid instant")
    }

    /// Rita of `acme`, who writes no language of ours.
    pub fn recruiter() -> Recruiter {
        Recruiter {
            id: RecruiterId::parse("user-1").expect("valid"),
            organization_id: OrganizationId::parse("acme").expect("valid"),
            email: EmailAddress::parse("rita@acme.example").expect("valid"),
            name: Some(PersonName::parse("Rita").expect("valid")),
            given_name: None,
            language: None,
            time_zone: None,
            email_verified: true,
        }
    }

    /// A one-question interview of `recruiter`'s organization.
    pub fn video_interview(recruiter: &Recruiter) -> VideoInterview {
        VideoInterview {
            id: VideoInterviewId::generate(now()),
            organization_id: recruiter.organization_id.clone(),
            title: VideoInterviewTitle::parse("Sales Lead").expect("valid"),
            questions: vec![Question {
                text: QuestionText::parse("Why us?").expect("valid"),
                think_time_seconds: Some(30),
                answer_time_seconds: Some(120),
            }],
            created_by: recruiter.id.clone(),
            created_at: now(),
        }
    }

    /// Anna, invited in English to answer by 15 December 2026 (Helsinki), with Notify me.
    pub fn new_invitation(interview: &VideoInterview) -> NewInvitation {
        NewInvitation {
            candidate: Candidate {
                first_name: PersonName::parse("Anna").expect("valid"),
                last_name: PersonName::parse("Virtanen").expect("valid"),
                email: EmailAddress::parse("anna@example.fi").expect("valid"),
            },
            language: Language::En,
            video_interview_id: interview.id,
            deadline: AnswerDeadline::new(
                AnswerDeadline::parse_date("2026-12-15").expect("valid"),
                IanaTimeZone::parse("Europe/Helsinki").expect("valid"),
            )
            .expect("valid"),
            bcc_myself: false,
            notify_me: true,
            reminders: true,
        }
    }

    /// A new invitation (`sending`) of the above.
    pub fn invitation() -> Invitation {
        let recruiter = recruiter();
        let interview = video_interview(&recruiter);
        Invitation::new(
            new_invitation(&interview),
            &interview,
            &recruiter,
            &RetentionPeriod::default(),
            now(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_values::{at, date, zone};

    fn invitation_due(date_text: &str, zone_name: &str) -> Invitation {
        let mut invitation = fixtures::invitation();
        invitation.deadline = AnswerDeadline::new(date(date_text), zone(zone_name)).unwrap();
        invitation.status = InvitationStatus::Sent;
        invitation
    }

    #[test]
    fn a_resend_is_allowed_while_unopened_and_open_a_few_times_not_in_bursts() {
        // Created 2026-12-01T10:00Z, sent; the deadline day ends 2026-12-15T22:00Z.
        let mut invitation = invitation_due("2026-12-15", "Europe/Helsinki");
        let created = invitation.created_at;
        let soon = created + SignedDuration::from_mins(3);
        assert_eq!(
            invitation.check_resend(soon, false, false),
            Err(ResendRefused::TooSoon {
                wait: SignedDuration::from_mins(7)
            })
        );
        // After a failed send, nothing reached the candidate: no wait.
        invitation.status = InvitationStatus::SendFailed;
        assert_eq!(invitation.check_resend(soon, false, false), Ok(()));
        invitation.status = InvitationStatus::SendUnconfirmed;
        let later = created + RESEND_COOL_DOWN;
        assert_eq!(
            invitation.check_resend(later, false, false),
            Err(ResendRefused::Unconfirmed)
        );
        assert_eq!(invitation.check_resend(later, true, false), Ok(()));
        invitation.status = InvitationStatus::Sent;
        let mut when = later;
        for count in 0..MAX_RESENDS {
            assert_eq!(
                invitation.check_resend(when, false, false),
                Ok(()),
                "resend {count}"
            );
            let resent = InvitationEvent::Resent {
                token: CandidateTokenHash::from_stored(format!("t{count}")),
                at: when,
                resends_before: count,
                corrected_email: None,
                next_reminder: None,
            };
            invitation.apply(&resent).unwrap();
            invitation.status = InvitationStatus::Sent;
            when += RESEND_COOL_DOWN;
        }
        assert_eq!(
            invitation.check_resend(when, false, false),
            Err(ResendRefused::LimitReached)
        );
        let mut fresh = invitation_due("2026-12-15", "Europe/Helsinki");
        assert_eq!(
            fresh.check_resend(at("2026-12-15T22:00:00Z"), false, false),
            Err(ResendRefused::DeadlinePassed)
        );
        fresh.status = InvitationStatus::Opened;
        assert_eq!(
            fresh.check_resend(later, false, false),
            Err(ResendRefused::NotUnopened(InvitationStatus::Opened))
        );
    }

    #[test]
    fn a_reported_completion_must_fall_between_creation_now_and_the_deadline() {
        // Created 2026-12-01T10:00Z; the deadline day ends 2026-12-15T22:00Z in Helsinki.
        let invitation = invitation_due("2026-12-15", "Europe/Helsinki");
        let now = at("2026-12-10T12:00:00Z");
        let check = |reported: &str| invitation.check_reported_completion(at(reported), now);
        for fine in [
            "2026-12-10T11:59:00Z",
            "2026-12-10T12:04:59Z", // the producer's clock a little ahead
            "2026-12-01T09:55:00Z", // or behind, at creation
        ] {
            assert_eq!(check(fine), Ok(()), "{fine}");
        }
        assert_eq!(
            check("2099-01-01T00:00:00Z"),
            Err(CompletionRefused::InTheFuture)
        );
        assert_eq!(
            check("2026-12-10T12:05:01Z"),
            Err(CompletionRefused::InTheFuture)
        );
        assert_eq!(
            check("2000-01-01T00:00:00Z"),
            Err(CompletionRefused::BeforeCreation)
        );
        assert_eq!(
            check("2026-12-01T09:54:59Z"),
            Err(CompletionRefused::BeforeCreation)
        );
        let later = at("2026-12-20T00:00:00Z");
        let check_later =
            |reported: &str| invitation.check_reported_completion(at(reported), later);
        assert_eq!(
            check_later("2026-12-15T22:04:59Z"),
            Ok(()),
            "within the grace"
        );
        assert_eq!(
            check_later("2026-12-15T22:05:00Z"),
            Err(CompletionRefused::AfterDeadline)
        );
        let mut cancelled = invitation.clone();
        cancelled.status = InvitationStatus::Cancelled;
        assert_eq!(
            cancelled.check_reported_completion(now, now),
            Err(CompletionRefused::Cancelled)
        );
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
    fn completed_stays_completed_for_the_grace_and_cancelled_wins_over_open() {
        let mut invitation = invitation_due("2026-12-15", "UTC");
        invitation.status = InvitationStatus::Completed;
        // The deadline day ends at 2026-12-16T00:00Z; the link closes a week later.
        assert_eq!(
            invitation.candidate_access(at("2026-12-22T23:59:59Z")),
            CandidateAccess::Completed
        );
        for status in [InvitationStatus::Completed, InvitationStatus::Cancelled] {
            invitation.status = status;
            assert_eq!(
                invitation.candidate_access(at("2026-12-23T00:00:00Z")),
                CandidateAccess::Expired,
                "{status}: whatever the status, the link closes after the grace"
            );
        }
        invitation.status = InvitationStatus::Cancelled;
        assert_eq!(
            invitation.candidate_access(at("2026-12-01T00:00:00Z")),
            CandidateAccess::Cancelled
        );
    }

    #[test]
    fn an_invitation_is_kept_until_its_retention_time_and_an_extension_moves_it() {
        let mut invitation = fixtures::invitation();
        let retention = RetentionPeriod::days(30).unwrap();
        assert_eq!(
            invitation.retained_until,
            RetentionPeriod::default().retained_until(&invitation.deadline)
        );
        let until = invitation.retained_until;
        assert!(invitation.is_retained_at(until - SignedDuration::from_secs(1)));
        assert!(!invitation.is_retained_at(until));
        invitation.status = InvitationStatus::Sent;
        let later = AnswerDeadline::new(date("2027-01-20"), zone("UTC")).unwrap();
        invitation
            .apply(&InvitationEvent::DeadlineExtended {
                deadline: later.clone(),
                at: fixtures::now(),
                extensions_before: 0,
                follow_up_link: None,
                link_generation: 0,
                next_reminder: None,
                retained_until: retention.retained_until(&later),
            })
            .unwrap();
        assert_eq!(invitation.retained_until, at("2027-02-20T00:05:00Z"));
    }

    #[test]
    fn an_event_changes_the_status_and_records_its_facts_where_the_table_allows_it() {
        let mut invitation = fixtures::invitation();
        let now = fixtures::now();
        let failed = InvitationEvent::SendFailed {
            reason: "refused".into(),
        };
        invitation.apply(&failed).unwrap();
        assert_eq!(invitation.status, InvitationStatus::SendFailed);
        assert_eq!(invitation.send_failure.as_deref(), Some("refused"));
        // Only a `sending` invitation can be sent; a refusal changes nothing.
        let before = invitation.clone();
        let sent = InvitationEvent::Sent {
            at: now,
            message_id: "m-1".into(),
        };
        assert!(invitation.apply(&sent).is_err());
        assert_eq!(invitation, before);
        let resent = InvitationEvent::Resent {
            token: CandidateTokenHash::from_stored("ab".into()),
            at: now,
            resends_before: 0,
            corrected_email: None,
            next_reminder: None,
        };
        invitation.apply(&resent).unwrap();
        assert_eq!(invitation.status, InvitationStatus::Sending);
        assert_eq!(invitation.send_failure, None);
        assert_eq!(
            (invitation.resend_count, invitation.last_resent_at),
            (1, Some(now))
        );
        invitation.apply(&sent).unwrap();
        assert_eq!(
            (invitation.status, invitation.sent_at),
            (InvitationStatus::Sent, Some(now))
        );
        invitation
            .apply(&InvitationEvent::Opened { at: now })
            .unwrap();
        assert_eq!(invitation.opened_at, Some(now));
        invitation
            .apply(&InvitationEvent::Completed { at: now })
            .unwrap();
        assert_eq!(
            (invitation.status, invitation.completed_at),
            (InvitationStatus::Completed, Some(now))
        );
        assert!(invitation.apply(&InvitationEvent::Cancelled).is_err());
        assert_eq!(invitation.status, InvitationStatus::Completed);
    }

    #[test]
    fn a_new_invitation_is_sending_with_a_snapshot_of_the_interview() {
        let recruiter = fixtures::recruiter();
        let interview = fixtures::video_interview(&recruiter);
        let invitation = Invitation::new(
            fixtures::new_invitation(&interview),
            &interview,
            &recruiter,
            &RetentionPeriod::default(),
            fixtures::now(),
        );
        assert_eq!(invitation.status, InvitationStatus::Sending);
        assert_eq!(invitation.organization_id, recruiter.organization_id);
        assert_eq!(invitation.invited_by, InvitedBy::from(&recruiter));
        assert_eq!(invitation.video_interview_id, interview.id);
        assert_eq!(invitation.video_interview_title, interview.title);
        assert_eq!(invitation.questions, interview.questions);
        assert_eq!(
            (
                invitation.sent_at,
                invitation.opened_at,
                invitation.completed_at
            ),
            (None, None, None)
        );
    }
}
