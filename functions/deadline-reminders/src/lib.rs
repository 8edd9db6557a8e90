//! Deadline reminders: the scheduled function (an EventBridge schedule, every 15 minutes) that
//! sends every reminder due. The use case is `invitations::app::reminders`; this crate reads the
//! schedule's event.

pub mod config;

use invitations::app::AppError;
use invitations::app::organizations::Employers;
use invitations::app::reminders::{ReminderSweep, SweepReport};
use invitations::domain::{Employer, LinkKey, ReminderPolicy};
use invitations::ports::{Clock, Invitations, Mailer, OrganizationProfiles, Reminders};
use serde_json::Value;

/// The `detail-type` and `source` of the event an EventBridge schedule delivers
/// (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html>).
pub const SCHEDULED_EVENT: (&str, &str) = ("Scheduled Event", "aws.events");

/// What the function needs from the deployment's configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub candidate_app_url: String,
    pub reminder_policy: ReminderPolicy,
    /// The employer named in the reminders of an organization without a profile.
    pub default_employer: Employer,
}

impl From<&config::DeadlineRemindersConfig> for Settings {
    fn from(config: &config::DeadlineRemindersConfig) -> Self {
        Self {
            candidate_app_url: config.candidate_app_url.clone(),
            reminder_policy: config.reminder_policy.clone(),
            default_employer: config.mail.default_employer.clone(),
        }
    }
}

/// What one invocation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Swept(SweepReport),
    /// Not the event of a schedule: nothing done.
    Ignored,
}

pub struct DeadlineReminders<S, M, C> {
    store: S,
    mailer: M,
    clock: C,
    link_key: LinkKey,
    settings: Settings,
    employers: Employers,
}

impl<S, M, C> DeadlineReminders<S, M, C>
where
    S: Reminders + Invitations + OrganizationProfiles,
    M: Mailer,
    C: Clock,
{
    pub fn new(store: S, mailer: M, clock: C, settings: Settings, link_key: LinkKey) -> Self {
        Self {
            store,
            mailer,
            clock,
            link_key,
            employers: Employers::new(settings.default_employer.clone()),
            settings,
        }
    }

    /// One invocation: a sweep, when the event is a schedule's. The sweep is safe to repeat (each
    /// reminder is claimed once), so Lambda's retry of a failed invocation sends nothing twice.
    pub async fn handle(&self, event: &Value) -> Result<Outcome, AppError> {
        let field = |name| event.get(name).and_then(Value::as_str);
        if (field("detail-type"), field("source"))
            != (Some(SCHEDULED_EVENT.0), Some(SCHEDULED_EVENT.1))
        {
            tracing::warn!("ignoring an event that is not a schedule's");
            return Ok(Outcome::Ignored);
        }
        let report = ReminderSweep {
            store: &self.store,
            mailer: &self.mailer,
            clock: &self.clock,
            candidate_app_url: &self.settings.candidate_app_url,
            link_key: &self.link_key,
            employers: &self.employers,
            policy: &self.settings.reminder_policy,
        }
        .sweep()
        .await?;
        tracing::info!(
            due = report.due,
            sent = report.sent,
            not_sent = report.not_sent,
            skipped = report.skipped,
            taken = report.taken,
            failed = report.failed,
            "reminders swept"
        );
        Ok(Outcome::Swept(report))
    }
}
