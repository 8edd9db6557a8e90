//! Where an invitation is in its life, and the one table of which status may follow which, on
//! what event. Every transition is read from here: the use cases apply events through
//! [`Invitation::apply`](super::Invitation::apply), and the DynamoDB adapter derives the condition
//! of each event's write from [`Transition::from`], so that a write DynamoDB accepts is one this
//! table allows (and two racing writes cannot both pass). Writes that are not transitions (the
//! notify-me claim, the completion being published) and a retried write finding itself done have
//! conditions of their own.
//!
//! ```text
//! queued ──> sending ─┬─> sent ─────────────┬─> opened ──> completed
//!                     ├─> send_failed ──────┤
//!                     └─> send_unconfirmed ─┘   (SES's events: send_unconfirmed ─> sent, and
//!                                                 sending, sent, send_unconfirmed ─> bounced)
//! ```
//!
//! | transition          | from                           | to                 |
//! |---------------------|--------------------------------|--------------------|
//! | `dispatched`        | queued                         | `sending`          |
//! | `requeued`          | sending                        | `queued`           |
//! | `sent`              | sending                        | `sent`             |
//! | `send_failed`       | sending, queued                | `send_failed`      |
//! | `send_unconfirmed`  | sending                        | `send_unconfirmed` |
//! | `resent`            | unopened: sending, sent, send_failed, send_unconfirmed, bounced | `sending` |
//! | `opened`            | unopened                       | `opened`           |
//! | `completed`         | unopened, opened               | `completed`        |
//! | `cancelled`         | queued, unopened, opened       | `cancelled`        |
//! | `deadline_extended` | unopened, opened, expired      | (unchanged)        |
//! | `send_confirmed`    | send_unconfirmed               | `sent`             |
//! | `bounced`           | sending, sent, send_unconfirmed | `bounced`         |
//!
//! `send_confirmed` and `bounced` come from SES's own events about the email (`email-events`): an
//! unconfirmed send that SES reports sent or delivered is `sent`; a permanent bounce of the
//! candidate's address makes the invitation `bounced` (no reminders), which a resend with a
//! corrected address leaves. A bounced invitation is not reminded and does not read `expired`: the
//! recruiter has to act on it.
//!
//! `queued` is a batch's invitation waiting for its turn at the deployment's sending rate
//! (`invitation-sender`): stored, no link made yet. The sender claims it (`dispatched`, with the
//! hash of the link it is about to send, in one conditional write, so that two deliveries of its
//! message cannot both send), gives it back when SES answers that the account sends too fast
//! (`requeued`: nothing went out), or fails it when its deadline day ended before its turn came
//! (`send_failed`). The recruiter may cancel it while it waits.
//!
//! An invitation is *active* (the candidate holds a link that works, or is about to, as far as the
//! service knows) while `queued`, `sending`, `sent`, `send_unconfirmed` or `opened`: a batch does
//! not invite that candidate to the same video interview again ([`InvitationStatus::is_active`]).
//!
//! `expired` is never stored: an unfinished invitation (unopened or opened) *reads* `expired` from
//! the first instant after its deadline day ([`InvitationStatus::at`]), with its stored status
//! kept beneath, so no sweeper has to flip it and a deadline extension opens it again. A
//! transition from `expired` is one from the stored status beneath it.
//!
//! `completed` and `cancelled` are final. `sending` is written before the email goes out, so that
//! an email is never sent for an invitation that is not stored; it stays only if the process died
//! between the two, which the recruiter then sees instead of a silent loss. `send_failed` means SES
//! answered and sent nothing; `send_unconfirmed` that the request may have reached SES but no answer
//! came back (a timeout, a connection lost after the request left), so the email may be out: it is
//! never sent again automatically, and a resend is the recruiter's explicit choice. A candidate may
//! open and complete from any unopened status (SES may have delivered an email whose confirmation
//! was lost), and completion may also arrive without an open (from the recording service).
//!
//! A new status or event is one more variant and one more row of [`Transition::rule`]; the unit
//! tests below then name every pair it adds.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Serialize, Serializer};

/// Where an invitation is in its life (see the module's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvitationStatus {
    /// A batch's invitation waiting for its turn to be sent: no link exists yet.
    Queued,
    Sending,
    Sent,
    SendFailed,
    SendUnconfirmed,
    Opened,
    Completed,
    Cancelled,
    /// Derived, never stored: unfinished, and the deadline day is over.
    Expired,
    /// The candidate's address bounced (permanently): the email never arrived.
    Bounced,
}

use InvitationStatus::{
    Bounced, Cancelled, Completed, Expired, Opened, Queued, SendFailed, SendUnconfirmed, Sending,
    Sent,
};

/// The statuses in which the candidate has not opened the interview yet.
const UNOPENED: &[InvitationStatus] = &[Sending, Sent, SendFailed, SendUnconfirmed, Bounced];
/// The statuses from which the candidate may still finish, or the recruiter withdraw.
const UNFINISHED: &[InvitationStatus] =
    &[Sending, Sent, SendFailed, SendUnconfirmed, Bounced, Opened];
/// Those, and a queued one: what the recruiter may withdraw.
const CANCELLABLE: &[InvitationStatus] = &[
    Queued,
    Sending,
    Sent,
    SendFailed,
    SendUnconfirmed,
    Bounced,
    Opened,
];
/// The unfinished statuses in which the candidate may have the link: they expire at the deadline.
const EXPIRING: &[InvitationStatus] = &[Sending, Sent, SendFailed, SendUnconfirmed, Opened];
/// Those, as they read before and after the deadline day, and a bounced one (so that a bounce
/// found after the deadline can still be corrected): whose deadline may move.
const EXTENDABLE: &[InvitationStatus] = &[
    Sending,
    Sent,
    SendFailed,
    SendUnconfirmed,
    Opened,
    Expired,
    Bounced,
];
/// The statuses in which, as far as the service knows, the candidate holds a link that works: a
/// second invitation to the same video interview would be a duplicate (a batch's row is then
/// "already invited"). Not a failed send or a bounce: that candidate never got one.
const ACTIVE: &[InvitationStatus] = &[Queued, Sending, Sent, SendUnconfirmed, Opened];
/// The statuses in which SES may still report the email bounced.
const MAYBE_DELIVERED: &[InvitationStatus] = &[Sending, Sent, SendUnconfirmed];

impl InvitationStatus {
    pub const ALL: [InvitationStatus; 10] = [
        Queued,
        Sending,
        Sent,
        SendFailed,
        SendUnconfirmed,
        Opened,
        Completed,
        Cancelled,
        Expired,
        Bounced,
    ];

    /// The stored statuses in which a deadline reminder may go out: the invitation email may have
    /// reached the candidate, and they have not finished.
    pub const REMINDED: &'static [InvitationStatus] = &[Sent, SendUnconfirmed, Opened];

    /// The stored statuses that read `expired` once the deadline day is over: those in which the
    /// candidate could still answer.
    pub const EXPIRING: &'static [InvitationStatus] = EXPIRING;

    /// The status as it reads at `now` for an invitation stored in this one whose answering ends
    /// at `expires_at` (the first instant after the deadline day): `expired` from then on, if it
    /// is one of [`Self::EXPIRING`].
    pub fn at(self, expires_at: Timestamp, now: Timestamp) -> InvitationStatus {
        if now >= expires_at && Self::EXPIRING.contains(&self) {
            Expired
        } else {
            self
        }
    }

    /// The status as the API shows it and the table stores it: `sending`, `send_failed`, ...
    pub fn code(self) -> &'static str {
        match self {
            Queued => "queued",
            Sending => "sending",
            Sent => "sent",
            SendFailed => "send_failed",
            SendUnconfirmed => "send_unconfirmed",
            Opened => "opened",
            Completed => "completed",
            Cancelled => "cancelled",
            Expired => "expired",
            Bounced => "bounced",
        }
    }

    /// Whether the candidate holds a working invitation in this status, or is about to (derived
    /// at an instant: an expired one does not).
    pub fn is_active(self) -> bool {
        ACTIVE.contains(&self)
    }

    /// Whether `transition` may happen in this status.
    pub fn allows(self, transition: Transition) -> bool {
        transition.from().contains(&self)
    }

    /// The status `transition` leads to from this one, or the refusal that names both.
    pub fn after(self, transition: Transition) -> Result<InvitationStatus, LifecycleError> {
        if self.allows(transition) {
            Ok(transition.to().unwrap_or(self))
        } else {
            Err(LifecycleError {
                status: self,
                transition,
            })
        }
    }
}

impl fmt::Display for InvitationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for InvitationStatus {
    type Err = String;
    fn from_str(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|status| status.code() == code)
            .ok_or_else(|| format!("must be one of: {}", Self::ALL.map(Self::code).join(", ")))
    }
}

impl Serialize for InvitationStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// What may happen to an invitation, as far as its status is concerned. The facts each one
/// records travel with it in [`InvitationEvent`](super::InvitationEvent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transition {
    /// The sender claims a queued invitation to send it now.
    Dispatched,
    /// SES answered that the account sends too fast: nothing went out, and the invitation waits
    /// for its turn again.
    Requeued,
    /// SES accepted the invitation email.
    Sent,
    /// SES answered and did not send the invitation email, or could not be reached: nothing went
    /// out (or, queued, its deadline day ended before its turn came).
    SendFailed,
    /// The request may have reached SES, but no answer came back: the email may be out.
    SendUnconfirmed,
    /// The recruiter has the email sent again, with a new personal link.
    Resent,
    /// The candidate opened the personal link for the first time.
    Opened,
    /// The candidate submitted their answers (reported by the candidate API or the recording
    /// service).
    Completed,
    /// The recruiter withdrew the invitation.
    Cancelled,
    /// The recruiter moved the answer deadline to a later day: an expired invitation opens again.
    DeadlineExtended,
    /// SES's events show that an email whose send was unconfirmed went out.
    SendConfirmed,
    /// SES reports a permanent bounce of the candidate's address.
    Bounced,
}

impl Transition {
    pub const ALL: [Transition; 12] = [
        Self::Dispatched,
        Self::Requeued,
        Self::Sent,
        Self::SendFailed,
        Self::SendUnconfirmed,
        Self::Resent,
        Self::Opened,
        Self::Completed,
        Self::Cancelled,
        Self::DeadlineExtended,
        Self::SendConfirmed,
        Self::Bounced,
    ];

    /// The table: the statuses a transition may start from, and the status it leads to (`None`:
    /// the status stays as it is).
    pub const fn rule(self) -> (&'static [InvitationStatus], Option<InvitationStatus>) {
        match self {
            Self::Dispatched => (&[Queued], Some(Sending)),
            Self::Requeued => (&[Sending], Some(Queued)),
            Self::Sent => (&[Sending], Some(Sent)),
            Self::SendFailed => (&[Sending, Queued], Some(SendFailed)),
            Self::SendUnconfirmed => (&[Sending], Some(SendUnconfirmed)),
            Self::Resent => (UNOPENED, Some(Sending)),
            Self::Opened => (UNOPENED, Some(Opened)),
            Self::Completed => (UNFINISHED, Some(Completed)),
            Self::Cancelled => (CANCELLABLE, Some(Cancelled)),
            Self::DeadlineExtended => (EXTENDABLE, None),
            Self::SendConfirmed => (&[SendUnconfirmed], Some(Sent)),
            Self::Bounced => (MAYBE_DELIVERED, Some(Bounced)),
        }
    }

    /// The statuses this transition may start from.
    pub const fn from(self) -> &'static [InvitationStatus] {
        self.rule().0
    }

    /// The stored statuses this transition may start from: [`Self::from`] without the derived
    /// `expired` (a transition from `expired` is one from the status stored beneath it).
    pub fn from_stored(self) -> impl Iterator<Item = InvitationStatus> {
        self.from()
            .iter()
            .copied()
            .filter(|status| *status != Expired)
    }

    /// The status this transition leads to, if it changes the status.
    pub const fn to(self) -> Option<InvitationStatus> {
        self.rule().1
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Dispatched => "dispatched",
            Self::Requeued => "requeued",
            Self::Sent => "sent",
            Self::SendFailed => "send_failed",
            Self::SendUnconfirmed => "send_unconfirmed",
            Self::Resent => "resent",
            Self::Opened => "opened",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::DeadlineExtended => "deadline_extended",
            Self::SendConfirmed => "send_confirmed",
            Self::Bounced => "bounced",
        }
    }
}

/// A transition the table does not allow in the invitation's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an invitation that is {status} cannot be {}", transition.code())]
pub struct LifecycleError {
    pub status: InvitationStatus,
    pub transition: Transition,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole table written out again, pair by pair, independently of `Transition::rule`: a
    /// change to the rules must change this too.
    fn expected(status: InvitationStatus, transition: Transition) -> Option<InvitationStatus> {
        use Transition as T;
        match (status, transition) {
            (Queued, T::Dispatched) => Some(Sending),
            (Sending, T::Requeued) => Some(Queued),
            (Sending, T::Sent) => Some(Sent),
            (Sending | Queued, T::SendFailed) => Some(SendFailed),
            (Sending, T::SendUnconfirmed) => Some(SendUnconfirmed),
            (Sending | Sent | SendFailed | SendUnconfirmed | Bounced, T::Resent) => Some(Sending),
            (Sending | Sent | SendFailed | SendUnconfirmed | Bounced, T::Opened) => Some(Opened),
            (Sending | Sent | SendFailed | SendUnconfirmed | Bounced | Opened, T::Completed) => {
                Some(Completed)
            }
            (
                Queued | Sending | Sent | SendFailed | SendUnconfirmed | Bounced | Opened,
                T::Cancelled,
            ) => Some(Cancelled),
            (SendUnconfirmed, T::SendConfirmed) => Some(Sent),
            (Sending | Sent | SendUnconfirmed, T::Bounced) => Some(Bounced),
            (
                Sending | Sent | SendFailed | SendUnconfirmed | Opened | Expired | Bounced,
                T::DeadlineExtended,
            ) => Some(status),
            _ => None,
        }
    }

    #[test]
    fn every_pair_of_status_and_transition_is_allowed_or_refused_as_the_table_says() {
        let mut allowed = 0;
        for status in InvitationStatus::ALL {
            for transition in Transition::ALL {
                let after = status.after(transition);
                match expected(status, transition) {
                    Some(next) => {
                        assert_eq!(after, Ok(next), "{status} on {transition:?}");
                        assert!(status.allows(transition));
                        allowed += 1;
                    }
                    None => {
                        assert_eq!(
                            after,
                            Err(LifecycleError { status, transition }),
                            "{status} on {transition:?}"
                        );
                        assert!(!status.allows(transition));
                    }
                }
            }
        }
        assert_eq!(allowed, 40, "of 120 pairs");
    }

    #[test]
    fn completed_and_cancelled_are_final() {
        for status in InvitationStatus::ALL {
            let leaves = Transition::ALL
                .into_iter()
                .any(|transition| status.allows(transition));
            assert_eq!(leaves, !matches!(status, Completed | Cancelled), "{status}");
        }
    }

    #[test]
    fn only_invitations_the_candidate_may_answer_read_expired_after_the_deadline_day() {
        let expires_at: Timestamp = "2026-12-15T22:00:00Z".parse().unwrap();
        let before = expires_at - jiff::SignedDuration::from_nanos(1);
        for status in InvitationStatus::ALL {
            assert_eq!(status.at(expires_at, before), status, "{status}");
            let after = if matches!(status, Queued | Completed | Cancelled | Bounced) {
                status
            } else {
                Expired
            };
            assert_eq!(status.at(expires_at, expires_at), after, "{status}");
        }
    }

    #[test]
    fn no_transition_starts_from_a_stored_expired() {
        for transition in Transition::ALL {
            assert!(transition.from_stored().all(|status| status != Expired));
            assert_eq!(
                transition.from_stored().count()
                    + usize::from(transition.from().contains(&Expired)),
                transition.from().len()
            );
        }
    }

    #[test]
    fn a_refusal_names_the_status_and_the_transition() {
        let error = Completed.after(Transition::Cancelled).unwrap_err();
        assert_eq!(
            error.to_string(),
            "an invitation that is completed cannot be cancelled"
        );
    }

    #[test]
    fn the_candidate_holds_a_working_invitation_only_while_it_is_sent_or_on_its_way_or_opened() {
        let active: Vec<_> = InvitationStatus::ALL
            .into_iter()
            .filter(|status| status.is_active())
            .collect();
        assert_eq!(active, [Queued, Sending, Sent, SendUnconfirmed, Opened]);
    }

    #[test]
    fn every_status_code_reads_back() {
        for status in InvitationStatus::ALL {
            assert_eq!(status.code().parse::<InvitationStatus>(), Ok(status));
        }
        assert!("bounced?".parse::<InvitationStatus>().is_err());
    }
}
