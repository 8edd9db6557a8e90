//! The reminders function's configuration (README, Configuration), read once at cold start.

use invitations::config::{Configuration, MailConfig, Variables};
use invitations::domain::ReminderPolicy;

/// The deadline reminders (`deadline-reminders`).
#[derive(Debug, Clone)]
pub struct DeadlineRemindersConfig {
    pub table_name: String,
    pub mail: MailConfig,
    pub candidate_app_url: String,
    /// `LINK_KEY_SECRET_ARN`: the key of the follow-up link every reminder carries.
    pub link_key_secret_arn: String,
    pub reminder_policy: ReminderPolicy,
}

impl Configuration for DeadlineRemindersConfig {
    fn read(variables: &mut Variables<'_>) -> Option<Self> {
        let table_name = variables.text("TABLE_NAME");
        let mail = variables.mail();
        let candidate_app_url = variables.url("CANDIDATE_APP_URL");
        let link_key_secret_arn = variables.text("LINK_KEY_SECRET_ARN");
        let reminder_policy = variables.reminder_policy();
        Some(Self {
            table_name: table_name?,
            mail: mail?,
            candidate_app_url: candidate_app_url?,
            link_key_secret_arn: link_key_secret_arn?,
            reminder_policy: reminder_policy?,
        })
    }
}

#[cfg(test)]
mod tests {
    use invitations::config::lookup;

    use super::*;

    #[test]
    fn every_problem_is_named() {
        let error = DeadlineRemindersConfig::from_lookup(lookup(&[
            ("SENDER_EMAIL", "Acme <jobs@acme.example>"),
            ("CANDIDATE_APP_URL", "ftp://x"),
            ("LAST_DAY_REMINDER_TIME", "nine"),
        ]))
        .unwrap_err();
        assert_eq!(
            error.variables(),
            [
                "TABLE_NAME",
                "CANDIDATE_APP_URL",
                "LINK_KEY_SECRET_ARN",
                "LAST_DAY_REMINDER_TIME"
            ]
        );
    }
}
