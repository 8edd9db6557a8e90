//! Notify me: the EventBridge-triggered function that emails the recruiter when a candidate
//! completes, once per invitation. The use case is `invitations::app::notify_recruiter`; this
//! crate reads the event as delivered.

pub mod config;

use invitations::app::AppError;
use invitations::app::notify_recruiter::RecruiterNotifier;
use invitations::app::organizations::Employers;
use invitations::domain::IanaTimeZone;
use invitations::domain::events::VideoInterviewCompleted;
use invitations::ports::{Clock, Invitations, Mailer, NotificationClaims, OrganizationProfiles};
use serde_json::Value;

pub use invitations::app::notify_recruiter::{CLAIM_LEASE, Outcome};

/// What the function needs from the deployment's configuration: what every function that
/// emails recruiters needs.
pub use invitations::config::RecruiterNoticeSettings as Settings;

pub struct CompletionNotifier<S, M, C> {
    store: S,
    mailer: M,
    clock: C,
    recruiter_app_url: String,
    default_time_zone: IanaTimeZone,
    employers: Employers,
}

impl<S, M, C> CompletionNotifier<S, M, C>
where
    S: Invitations + NotificationClaims + OrganizationProfiles,
    M: Mailer,
    C: Clock,
{
    pub fn new(store: S, mailer: M, clock: C, settings: Settings) -> Self {
        Self {
            store,
            mailer,
            clock,
            recruiter_app_url: settings.recruiter_app_url,
            default_time_zone: settings.default_time_zone,
            employers: Employers::new(settings.default_employer),
        }
    }

    /// One delivery of an event. An error is a failure worth retrying: the invocation fails and
    /// Lambda delivers the event again; an event that cannot be read is dropped, since no retry
    /// could help.
    pub async fn handle(&self, event: &Value) -> Result<Outcome, AppError> {
        let completed = match VideoInterviewCompleted::from_event(event) {
            Ok(completed) => completed,
            Err(reason) => {
                // The reason names fields, never their values beyond ids: no personal data.
                tracing::warn!(reason, "dropping an unreadable completion event");
                return Ok(Outcome::Dropped);
            }
        };
        RecruiterNotifier {
            store: &self.store,
            mailer: &self.mailer,
            clock: &self.clock,
            recruiter_app_url: &self.recruiter_app_url,
            employers: &self.employers,
            default_time_zone: &self.default_time_zone,
        }
        .notify(&completed)
        .await
    }
}
