//! The notifier's configuration (README, Configuration), read once at cold start.

/// The notify-me sender (`completion-notifier`): what every function that emails recruiters reads.
pub use invitations::config::RecruiterNoticesConfig as CompletionNotifierConfig;

#[cfg(test)]
mod tests {
    use invitations::config::{Configuration, lookup};

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
