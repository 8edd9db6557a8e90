//! The notifier's configuration (README, Configuration), read once at cold start.

use invitations::config::{Configuration, MailConfig, Variables};
use invitations::domain::IanaTimeZone;

/// The notify-me sender (`completion-notifier`).
#[derive(Debug, Clone)]
pub struct CompletionNotifierConfig {
    pub table_name: String,
    pub mail: MailConfig,
    pub recruiter_app_url: String,
    /// `DEFAULT_TIME_ZONE`: the zone of a notice to a recruiter whose identity provider gave no
    /// `zoneinfo` claim.
    pub default_time_zone: IanaTimeZone,
}

impl Configuration for CompletionNotifierConfig {
    fn read(variables: &mut Variables<'_>) -> Option<Self> {
        let table_name = variables.text("TABLE_NAME");
        let mail = variables.mail();
        let recruiter_app_url = variables.url("RECRUITER_APP_URL");
        let default_time_zone = variables.required("DEFAULT_TIME_ZONE", IanaTimeZone::parse);
        Some(Self {
            table_name: table_name?,
            mail: mail?,
            recruiter_app_url: recruiter_app_url?,
            default_time_zone: default_time_zone?,
        })
    }
}

#[cfg(test)]
mod tests {
    use invitations::config::lookup;

    use super::*;

    #[test]
    fn it_needs_only_its_own_variables() {
        let config = CompletionNotifierConfig::from_lookup(lookup(&[
            ("TABLE_NAME", "invitations"),
            ("SENDER_EMAIL", "Acme Recruiting <jobs@acme.example>"),
            ("RECRUITER_APP_URL", "https://recruit.acme.example/"),
            ("DEFAULT_TIME_ZONE", "Europe/Stockholm"),
        ]))
        .unwrap();
        assert_eq!(config.recruiter_app_url, "https://recruit.acme.example");
        assert_eq!(config.mail.sender.name.as_deref(), Some("Acme Recruiting"));
        assert_eq!(config.mail.sender.address.as_str(), "jobs@acme.example");
    }
}
