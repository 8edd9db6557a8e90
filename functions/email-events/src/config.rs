//! The email events function's configuration (README, Configuration), read once at cold start.

use invitations::config::{Configuration, MailConfig, Variables};
use invitations::domain::IanaTimeZone;

/// The email events (`email-events`).
#[derive(Debug, Clone)]
pub struct EmailEventsConfig {
    pub table_name: String,
    /// How the bounce notice to the recruiter leaves.
    pub mail: MailConfig,
    /// Base of the link to the invitation in the bounce notice.
    pub recruiter_app_url: String,
    /// The zone of a bounce notice to a recruiter without a `zoneinfo` claim.
    pub default_time_zone: IanaTimeZone,
}

impl Configuration for EmailEventsConfig {
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
    fn every_problem_is_named() {
        let error = EmailEventsConfig::from_lookup(lookup(&[
            ("SENDER_EMAIL", "Acme <jobs@acme.example>"),
            ("RECRUITER_APP_URL", "https://recruit.acme.example"),
            ("DEFAULT_TIME_ZONE", "Mars/Base"),
        ]))
        .unwrap_err();
        assert_eq!(error.variables(), ["TABLE_NAME", "DEFAULT_TIME_ZONE"]);
    }
}
