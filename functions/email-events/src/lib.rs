//! Email events: the function on the rule for SES's events about this stack's emails (its
//! configuration set's, on the default bus). The use case is `invitations::app::email_events`;
//! this crate reads the event as delivered.

pub mod config;

use invitations::app::AppError;
use invitations::app::email_events::{EmailEventOutcome, EmailEvents as UseCase};
use invitations::app::organizations::Employers;
use invitations::domain::EmailEvent;
use invitations::ports::{Clock, Invitations, Mailer, NotificationClaims, OrganizationProfiles};
use serde_json::Value;

/// What the function needs from the deployment's configuration: what every function that
/// emails recruiters needs.
pub use invitations::config::RecruiterNoticeSettings as Settings;

/// What one delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Handled(EmailEventOutcome),
    /// Not an SES event about an email of this service (another producer's email in the
    /// configuration set, an event type not read): logged and dropped.
    Dropped,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::Handled(outcome) => outcome.code(),
            Self::Dropped => "dropped",
        }
    }
}

pub struct EmailEvents<S, M, C> {
    store: S,
    mailer: M,
    clock: C,
    settings: Settings,
    employers: Employers,
}

impl<S, M, C> EmailEvents<S, M, C>
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
            employers: Employers::new(settings.default_employer.clone()),
            settings,
        }
    }

    /// One delivery of an event. An error is a failure worth retrying (the invocation fails and
    /// Lambda delivers the event again, which changes nothing twice); an event that cannot be
    /// read is dropped, since no retry could help.
    pub async fn handle(&self, event: &Value) -> Result<Outcome, AppError> {
        let event = match EmailEvent::from_event(event) {
            Ok(event) => event,
            Err(reason) => {
                // The reason names fields, never addresses: no personal data.
                tracing::warn!(reason, "dropping an email event");
                return Ok(Outcome::Dropped);
            }
        };
        let outcome = UseCase {
            store: &self.store,
            mailer: &self.mailer,
            clock: &self.clock,
            recruiter_app_url: &self.settings.recruiter_app_url,
            employers: &self.employers,
            default_time_zone: &self.settings.default_time_zone,
        }
        .handle(&event)
        .await?;
        tracing::info!(
            organization = event.organization_id.as_str(),
            invitation = %event.invitation_id,
            kind = event.kind.code(),
            outcome = outcome.code(),
            "email event handled"
        );
        Ok(Outcome::Handled(outcome))
    }
}
