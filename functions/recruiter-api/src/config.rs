//! The recruiter API's configuration (README, Configuration), read once at cold start.

use invitations::config::{Configuration, MailConfig, Variables};
use invitations::domain::DeadlineTimeZone;

/// The recruiter API (`recruiter-api`).
#[derive(Debug, Clone)]
pub struct RecruiterApiConfig {
    pub table_name: String,
    pub mail: MailConfig,
    pub candidate_app_url: String,
    pub default_time_zone: DeadlineTimeZone,
}

impl Configuration for RecruiterApiConfig {
    fn read(variables: &mut Variables<'_>) -> Option<Self> {
        let table_name = variables.text("TABLE_NAME");
        let mail = variables.mail();
        let candidate_app_url = variables.url("CANDIDATE_APP_URL");
        let default_time_zone = variables.required("DEFAULT_TIME_ZONE", DeadlineTimeZone::parse);
        Some(Self {
            table_name: table_name?,
            mail: mail?,
            candidate_app_url: candidate_app_url?,
            default_time_zone: default_time_zone?,
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
        ]))
        .unwrap();
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
        ]))
        .unwrap_err();
        assert_eq!(
            error.variables(),
            [
                "TABLE_NAME",
                "SENDER_EMAIL",
                "CANDIDATE_APP_URL",
                "DEFAULT_TIME_ZONE"
            ]
        );
        assert!(error.to_string().contains("TABLE_NAME is not set"));
    }
}
