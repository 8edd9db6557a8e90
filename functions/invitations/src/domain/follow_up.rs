//! Follow-up emails to the candidate after the invitation: a notice that the deadline moved, and
//! the deadline reminders. They carry the invitation's follow-up link (see `domain::token`), and
//! each one's outcome is recorded on the invitation: the SES message id when SES accepted it
//! (SES's events about it are correlated by that id), or why it did not go out.

use jiff::Timestamp;

/// Which follow-up email it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpKind {
    /// The deadline moved (`POST /invitations/{id}/deadline-extension`).
    DeadlineExtension,
    /// A reminder before the deadline.
    Reminder,
}

impl FollowUpKind {
    pub const ALL: [FollowUpKind; 2] = [Self::DeadlineExtension, Self::Reminder];

    /// As the API shows it and the table stores it.
    pub fn code(self) -> &'static str {
        match self {
            Self::DeadlineExtension => "deadline_extension",
            Self::Reminder => "reminder",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }
}

/// How handing a follow-up email to SES went: the same three outcomes as the invitation email's
/// (see `domain::lifecycle`), `reason` being fit for the recruiter to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUpOutcome {
    Sent { message_id: String },
    Failed { reason: String },
    Unconfirmed { reason: String },
}

impl FollowUpOutcome {
    /// `sent`, `send_failed` or `send_unconfirmed`, like the invitation's statuses.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Sent { .. } => "sent",
            Self::Failed { .. } => "send_failed",
            Self::Unconfirmed { .. } => "send_unconfirmed",
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Sent { .. } => None,
            Self::Failed { reason } | Self::Unconfirmed { reason } => Some(reason),
        }
    }
}

/// A follow-up email that was handed to SES at `at`, and how that went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub kind: FollowUpKind,
    pub at: Timestamp,
    pub outcome: FollowUpOutcome,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_code_reads_back() {
        for kind in FollowUpKind::ALL {
            assert_eq!(FollowUpKind::parse(kind.code()), Some(kind));
        }
        assert_eq!(FollowUpKind::parse("invitation"), None);
    }
}
