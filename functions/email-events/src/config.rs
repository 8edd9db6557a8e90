//! The email events function's configuration (README, Configuration), read once at cold start.

/// The email events (`email-events`), whose bounce notice goes to the recruiter: what every
/// function that emails recruiters reads.
pub use invitations::config::RecruiterNoticesConfig as EmailEventsConfig;

#[cfg(test)]
mod tests {
    use invitations::config::{Configuration, lookup};

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
