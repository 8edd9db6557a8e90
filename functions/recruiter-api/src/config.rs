//! The recruiter API's configuration (README, Configuration), read once at cold start.

use invitations::config::{Configuration, MailConfig, Variables};
use invitations::domain::IanaTimeZone;

/// The recruiter API (`recruiter-api`).
#[derive(Debug, Clone)]
pub struct RecruiterApiConfig {
    pub table_name: String,
    pub mail: MailConfig,
    pub candidate_app_url: String,
    pub default_time_zone: IanaTimeZone,
    /// `DAILY_EMAIL_QUOTA`: invitation emails (first sends and resends) an organization may send
    /// per UTC day, 1 to 1,000,000.
    pub daily_email_quota: u32,
    /// `LINK_KEY_SECRET_ARN`: the Secrets Manager secret holding the key of candidates'
    /// follow-up links (read at cold start by `adapters::secrets::read_link_key`).
    pub link_key_secret_arn: String,
    /// The deadline reminders planned with each invitation (`Variables::reminder_policy`).
    pub reminder_policy: invitations::domain::ReminderPolicy,
}

impl Configuration for RecruiterApiConfig {
    fn read(variables: &mut Variables<'_>) -> Option<Self> {
        let table_name = variables.text("TABLE_NAME");
        let mail = variables.mail();
        let candidate_app_url = variables.url("CANDIDATE_APP_URL");
        let default_time_zone = variables.required("DEFAULT_TIME_ZONE", IanaTimeZone::parse);
        let daily_email_quota = variables.required("DAILY_EMAIL_QUOTA", |value| {
            value
                .parse()
                .ok()
                .filter(|quota| (1..=1_000_000).contains(quota))
                .ok_or_else(|| "must be a whole number from 1 to 1000000".to_owned())
        });
        let link_key_secret_arn = variables.text("LINK_KEY_SECRET_ARN");
        let reminder_policy = variables.reminder_policy();
        Some(Self {
            reminder_policy: reminder_policy?,
            link_key_secret_arn: link_key_secret_arn?,
            table_name: table_name?,
            mail: mail?,
            candidate_app_url: candidate_app_url?,
            default_time_zone: default_time_zone?,
            daily_email_quota: daily_email_quota?,
        })
    }
}

#[cfg(test)]
mod tests {
    use invitations::config::lookup;

    use super::*;

    #[test]
    fn it_reads_its_own_variables() {
        let config = RecruiterApiConfig::from_lookup(lookup(&[
            ("TABLE_NAME", "invitations"),
            ("SENDER_EMAIL", "Acme Recruiting <jobs@acme.example>"),
            ("CANDIDATE_APP_URL", "https://interview.acme.example/i/"),
            ("DEFAULT_TIME_ZONE", "Europe/Helsinki"),
            ("DAILY_EMAIL_QUOTA", "2000"),
            (
                "LINK_KEY_SECRET_ARN",
                "arn:aws:secretsmanager:eu-north-1:1:secret:links",
            ),
        ]))
        .unwrap();
        assert_eq!(config.daily_email_quota, 2000);
        assert_eq!(config.candidate_app_url, "https://interview.acme.example/i");
        assert_eq!(config.default_time_zone.name(), "Europe/Helsinki");
        assert_eq!(config.mail.ses_configuration_set, None);
    }

    #[test]
    fn every_problem_is_named() {
        let error = RecruiterApiConfig::from_lookup(lookup(&[
            ("SENDER_EMAIL", "not an address"),
            ("CANDIDATE_APP_URL", "ftp://x"),
            ("SES_CONFIGURATION_SET", "  "),
            ("DEFAULT_TIME_ZONE", "Mars/Base"),
            ("DAILY_EMAIL_QUOTA", "0"),
        ]))
        .unwrap_err();
        assert_eq!(
            error.variables(),
            [
                "TABLE_NAME",
                "SENDER_EMAIL",
                "CANDIDATE_APP_URL",
                "DEFAULT_TIME_ZONE",
                "DAILY_EMAIL_QUOTA",
                "LINK_KEY_SECRET_ARN"
            ]
        );
        assert!(error.to_string().contains("TABLE_NAME is not set"));
    }
}
