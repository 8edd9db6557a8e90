//! The recruiter API's configuration (README, Configuration), read once at cold start.

use invitations::config::{Configuration, MailConfig, Variables};
use invitations::domain::{IanaTimeZone, RetentionPeriod};

/// The recruiter API (`recruiter-api`).
#[derive(Debug, Clone)]
pub struct RecruiterApiConfig {
    pub table_name: String,
    /// `EVENT_BUS_NAME`: the service's bus, where erasures are announced.
    pub event_bus_name: String,
    /// `SEND_QUEUE_URL`: the SQS queue a batch's invitations wait in for `invitation-sender`.
    pub send_queue_url: String,
    pub mail: MailConfig,
    pub candidate_app_url: String,
    pub default_time_zone: IanaTimeZone,
    /// `DAILY_EMAIL_QUOTA`: invitation emails (first sends and resends) an organization may send
    /// per UTC day, 1 to 1,000,000.
    pub daily_email_quota: u32,
    /// `LINK_KEY_SECRET_ARN`: the Secrets Manager secret holding the key of candidates'
    /// follow-up links (read when a deadline notice first needs it).
    pub link_key_secret_arn: String,
    /// `LOOKUP_KEY_SECRET_ARN`: the Secrets Manager secret holding the key of the candidate's
    /// address digest (`domain::candidate_lookup`; read when a send first needs it).
    pub lookup_key_secret_arn: String,
    /// `WEBHOOK_KEY_SECRET_ARN`: the Secrets Manager secret holding the key webhook
    /// subscriptions' secrets derive under (read when a subscription or rotation first needs it).
    pub webhook_key_secret_arn: String,
    /// Where webhooks may go (`Variables::webhook_targets`).
    pub webhook_targets: invitations::domain::webhooks::TargetRule,
    /// The deadline reminders planned with each invitation (`Variables::reminder_policy`).
    pub reminder_policy: invitations::domain::ReminderPolicy,
    /// `RETENTION_DAYS`: how long an invitation is kept after its deadline (default 730 days;
    /// `domain::retention`).
    pub retention: RetentionPeriod,
}

impl Configuration for RecruiterApiConfig {
    fn read(variables: &mut Variables<'_>) -> Option<Self> {
        let table_name = variables.text("TABLE_NAME");
        let event_bus_name = variables.text("EVENT_BUS_NAME");
        let send_queue_url = variables.text("SEND_QUEUE_URL");
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
        let lookup_key_secret_arn = variables.text("LOOKUP_KEY_SECRET_ARN");
        let webhook_key_secret_arn = variables.text("WEBHOOK_KEY_SECRET_ARN");
        let webhook_targets = variables.webhook_targets();
        let reminder_policy = variables.reminder_policy();
        let retention = variables
            .optional_parsed("RETENTION_DAYS", RetentionPeriod::parse)
            .map(Option::unwrap_or_default);
        Some(Self {
            retention: retention?,
            reminder_policy: reminder_policy?,
            webhook_key_secret_arn: webhook_key_secret_arn?,
            webhook_targets: webhook_targets?,
            link_key_secret_arn: link_key_secret_arn?,
            lookup_key_secret_arn: lookup_key_secret_arn?,
            table_name: table_name?,
            event_bus_name: event_bus_name?,
            send_queue_url: send_queue_url?,
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
            ("EVENT_BUS_NAME", "video-interviews"),
            (
                "SEND_QUEUE_URL",
                "https://sqs.eu-north-1.amazonaws.com/1/invitation-send",
            ),
            ("SENDER_EMAIL", "Acme Recruiting <jobs@acme.example>"),
            ("CANDIDATE_APP_URL", "https://interview.acme.example/i/"),
            ("DEFAULT_TIME_ZONE", "Europe/Helsinki"),
            ("DAILY_EMAIL_QUOTA", "2000"),
            (
                "LINK_KEY_SECRET_ARN",
                "arn:aws:secretsmanager:eu-north-1:1:secret:links",
            ),
            (
                "LOOKUP_KEY_SECRET_ARN",
                "arn:aws:secretsmanager:eu-north-1:1:secret:lookups",
            ),
            (
                "WEBHOOK_KEY_SECRET_ARN",
                "arn:aws:secretsmanager:eu-north-1:1:secret:webhooks",
            ),
        ]))
        .unwrap();
        assert_eq!(config.daily_email_quota, 2000);
        assert_eq!(config.candidate_app_url, "https://interview.acme.example/i");
        assert_eq!(config.default_time_zone.name(), "Europe/Helsinki");
        assert_eq!(config.mail.ses_configuration_set, None);
        assert!(!config.webhook_targets.allow_loopback);
    }

    #[test]
    fn every_problem_is_named() {
        let error = RecruiterApiConfig::from_lookup(lookup(&[
            ("SENDER_EMAIL", "not an address"),
            ("CANDIDATE_APP_URL", "ftp://x"),
            ("SES_CONFIGURATION_SET", "  "),
            ("DEFAULT_TIME_ZONE", "Mars/Base"),
            ("DAILY_EMAIL_QUOTA", "0"),
            ("WEBHOOK_ALLOW_LOOPBACK", "yes"),
        ]))
        .unwrap_err();
        assert_eq!(
            error.variables(),
            [
                "TABLE_NAME",
                "EVENT_BUS_NAME",
                "SEND_QUEUE_URL",
                "SENDER_EMAIL",
                "CANDIDATE_APP_URL",
                "DEFAULT_TIME_ZONE",
                "DAILY_EMAIL_QUOTA",
                "LINK_KEY_SECRET_ARN",
                "LOOKUP_KEY_SECRET_ARN",
                "WEBHOOK_KEY_SECRET_ARN",
                "WEBHOOK_ALLOW_LOOPBACK"
            ]
        );
        assert!(error.to_string().contains("TABLE_NAME is not set"));
    }
}
