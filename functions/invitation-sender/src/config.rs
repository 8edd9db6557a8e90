//! The sender's configuration (README, Configuration), read once at cold start.

use invitations::config::{Configuration, MailConfig, Variables};
use invitations::domain::ReminderPolicy;

/// The longest pause between two sends of one instance: ten messages an invocation (the event
/// source's batch size) within its 60 s timeout, less the last send's reserve.
pub const MAX_SEND_INTERVAL_SECONDS: f64 = 5.0;

/// The batch sender (`invitation-sender`).
#[derive(Debug, Clone)]
pub struct InvitationSenderConfig {
    pub table_name: String,
    pub mail: MailConfig,
    pub candidate_app_url: String,
    /// The reminders planned with each invitation when it is sent.
    pub reminder_policy: ReminderPolicy,
    /// `SEND_RATE`: invitation emails per second that all of the sender's instances together may
    /// send (the template's `InvitationSendRate`): at most the account's SES sending rate, less
    /// what the other functions send. 0.1 to 1,000.
    pub send_rate: f64,
    /// `SENDER_CONCURRENCY`: how many instances SQS runs at most (the event source's
    /// `MaximumConcurrency`, 2 to 1,000): each sends at `send_rate / sender_concurrency`.
    pub sender_concurrency: u32,
}

impl Configuration for InvitationSenderConfig {
    fn read(variables: &mut Variables<'_>) -> Option<Self> {
        let table_name = variables.text("TABLE_NAME");
        let mail = variables.mail();
        let candidate_app_url = variables.url("CANDIDATE_APP_URL");
        let reminder_policy = variables.reminder_policy();
        let sender_concurrency = variables.required("SENDER_CONCURRENCY", |value| {
            value
                .parse::<u32>()
                .ok()
                .filter(|concurrency| (2..=1000).contains(concurrency))
                .ok_or_else(|| "must be a whole number from 2 to 1000".to_owned())
        });
        let send_rate = variables.required("SEND_RATE", |value| {
            let rate = value
                .parse::<f64>()
                .ok()
                .filter(|rate| (0.1..=1000.0).contains(rate))
                .ok_or_else(|| {
                    "must be a number of emails per second from 0.1 to 1000".to_owned()
                })?;
            // Slower, an instance could not send its ten messages within its timeout: it would
            // hand them back again and again, into the dead-letter queue.
            match sender_concurrency {
                Some(concurrency) if f64::from(concurrency) / rate > MAX_SEND_INTERVAL_SECONDS => {
                    Err(format!(
                        "must be at least SENDER_CONCURRENCY / {MAX_SEND_INTERVAL_SECONDS} \
                         ({}): each instance sends at least once every \
                         {MAX_SEND_INTERVAL_SECONDS} s",
                        f64::from(concurrency) / MAX_SEND_INTERVAL_SECONDS
                    ))
                }
                _ => Ok(rate),
            }
        });
        Some(Self {
            table_name: table_name?,
            mail: mail?,
            candidate_app_url: candidate_app_url?,
            reminder_policy: reminder_policy?,
            send_rate: send_rate?,
            sender_concurrency: sender_concurrency?,
        })
    }
}

impl InvitationSenderConfig {
    /// The least time between two sends of one instance: its share of the rate.
    pub fn send_interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(f64::from(self.sender_concurrency) / self.send_rate)
    }
}

#[cfg(test)]
mod tests {
    use invitations::config::lookup;

    use super::*;

    const VALID: [(&str, &str); 5] = [
        ("TABLE_NAME", "invitations"),
        ("SENDER_EMAIL", "Acme Recruiting <jobs@acme.example>"),
        ("CANDIDATE_APP_URL", "https://interview.acme.example/"),
        ("SEND_RATE", "10"),
        ("SENDER_CONCURRENCY", "2"),
    ];

    #[test]
    fn each_instance_sends_at_its_share_of_the_rate() {
        let config = InvitationSenderConfig::from_lookup(lookup(&VALID)).unwrap();
        assert_eq!(config.candidate_app_url, "https://interview.acme.example");
        assert_eq!(
            config.send_interval(),
            std::time::Duration::from_millis(200)
        );
    }

    #[test]
    fn every_problem_is_named() {
        let error = InvitationSenderConfig::from_lookup(lookup(&[
            ("TABLE_NAME", "invitations"),
            ("SENDER_EMAIL", "jobs@acme.example"),
            ("CANDIDATE_APP_URL", "ftp://x"),
            ("SEND_RATE", "0"),
            ("SENDER_CONCURRENCY", "1"),
        ]))
        .unwrap_err();
        assert_eq!(
            error.variables(),
            ["CANDIDATE_APP_URL", "SENDER_CONCURRENCY", "SEND_RATE"]
        );
    }

    #[test]
    fn a_rate_too_slow_for_an_instance_to_finish_its_messages_in_time_is_refused() {
        let slow = |rate: &'static str| {
            let mut variables = VALID.to_vec();
            variables.retain(|(name, _)| *name != "SEND_RATE");
            variables.push(("SEND_RATE", rate));
            InvitationSenderConfig::from_lookup(lookup(&variables))
        };
        // Two instances: at least 0.4 emails per second, one send per 5 s each.
        assert!(slow("0.4").is_ok());
        let error = slow("0.3").unwrap_err();
        assert_eq!(error.variables(), ["SEND_RATE"]);
        assert!(
            error.to_string().contains("SENDER_CONCURRENCY / 5"),
            "{error}"
        );
    }
}
