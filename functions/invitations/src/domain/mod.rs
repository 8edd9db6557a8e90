//! The recruiting domain, pure: values that are valid by construction ("parse, don't validate"),
//! the records built from them, the invitation's lifecycle table and the completion event. Nothing
//! here talks to AWS, speaks HTTP or reads the clock: the instant is always passed in.

mod batch;
mod candidate_lookup;
mod deadline;
mod emails;
pub mod events;
mod follow_up;
mod ids;
mod invitation;
mod lifecycle;
mod organization;
mod recruiter;
mod reminders;
mod retention;
mod token;
mod values;
mod video_interview;
pub mod webhook_delivery;
pub mod webhooks;

pub use batch::{
    BatchChoices, BatchRow, BatchRows, BatchRowsError, CandidateRow, InvitationBatch,
    MAX_BATCH_ROWS, RowCounts, RowOutcome, RowPosition, RowProblem, RowVerdict, SendOutcome,
};
pub use candidate_lookup::{CandidateEmailDigest, CandidateLookupKey};
pub use deadline::{AnswerDeadline, DeadlineError, IanaTimeZone};
pub use emails::{EmailEvent, EmailKind, EmailOutcome};
pub use follow_up::{FollowUp, FollowUpKind, FollowUpOutcome};
pub use ids::{
    InvitationBatchId, InvitationId, VideoInterviewId, WebhookDeliveryId, WebhookSubscriptionId,
};
#[cfg(any(test, feature = "test-util"))]
pub use invitation::fixtures;
pub use invitation::{
    Bounce, COMPLETION_CLOCK_SKEW, Candidate, CandidateAccess, CompletionRefused, CorrectedEmail,
    ExtensionRefused, Invitation, InvitationEvent, MAX_DEADLINE_EXTENSIONS, MAX_RESENDS,
    NewInvitation, QueuedTurn, RESEND_COOL_DOWN, ResendRefused,
};
pub use lifecycle::{InvitationStatus, LifecycleError, Transition};
#[cfg(any(test, feature = "test-util"))]
pub use organization::fixture_employer;
pub use organization::{
    AccentColor, Employer, HttpsUrl, OrganizationProfile, OrganizationProfileForm,
};
pub use recruiter::{InvitedBy, Recruiter};
pub use reminders::{ReminderKind, ReminderPolicy, ReminderSlot};
pub use retention::{CANDIDATE_LINK_GRACE, RetentionPeriod};
pub use token::{CandidateToken, CandidateTokenHash, LinkKey};
pub use values::{
    EmailAddress, Language, OrganizationId, OrganizationName, PersonName, QuestionText,
    RecruiterId, VideoInterviewTitle, WebhookDescription,
};
pub use video_interview::{NewVideoInterview, Question, VideoInterview};

/// Shorthands for the domain's unit tests.
#[cfg(test)]
pub(crate) mod test_values {
    use jiff::Timestamp;
    use jiff::civil::Date;

    use super::{AnswerDeadline, IanaTimeZone};

    pub fn zone(name: &str) -> IanaTimeZone {
        IanaTimeZone::parse(name).unwrap()
    }

    pub fn at(instant: &str) -> Timestamp {
        instant.parse().unwrap()
    }

    pub fn date(raw: &str) -> Date {
        AnswerDeadline::parse_date(raw).unwrap()
    }
}
