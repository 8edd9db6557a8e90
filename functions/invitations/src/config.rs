//! The deployment's configuration, read once at cold start. Every wrong or missing variable is
//! reported at once, by name, and the function refuses to start: a misconfigured function that
//! starts would fail on every request instead, far from the cause.

use std::fmt;

use crate::domain::{DeadlineTimeZone, EmailAddress};

/// How every email leaves: the sender and the SES configuration set.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `From` of every email, optionally with a display name: `Acme Recruiting <jobs@acme.example>`.
    pub sender_email: String,
    /// The SES configuration set every send uses (bounce/complaint handling, metrics), if any.
    pub ses_configuration_set: Option<String>,
}

/// The recruiter API (`recruiter-api`).
#[derive(Debug, Clone)]
pub struct RecruiterApiConfig {
    pub table_name: String,
    pub mail: MailConfig,
    pub candidate_app_url: String,
    pub default_time_zone: DeadlineTimeZone,
}

/// The candidate API (`candidate-api`).
#[derive(Debug, Clone)]
pub struct CandidateApiConfig {
    pub table_name: String,
    /// The EventBridge bus the completion event goes to.
    pub event_bus_name: String,
}

/// The notify-me sender (`completion-notifier`).
#[derive(Debug, Clone)]
pub struct CompletionNotifierConfig {
    pub table_name: String,
    pub mail: MailConfig,
    pub recruiter_app_url: String,
}

#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError(Vec<(&'static str, String)>);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid configuration:")?;
        for (name, problem) in &self.0 {
            write!(f, " {name} {problem};")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// A function's configuration, read from its environment variables.
pub trait Configuration: Sized {
    /// Reads every variable (recording each problem), and gives the configuration when all were right.
    fn read(variables: &mut Variables<'_>) -> Option<Self>;

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut variables = Variables {
            lookup: &lookup,
            problems: Vec::new(),
        };
        let config = Self::read(&mut variables);
        variables.finish(config)
    }

    fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }
}

/// Reads variables and collects every problem, so that one start reports them all.
pub struct Variables<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
    problems: Vec<(&'static str, String)>,
}

impl Variables<'_> {
    fn optional(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    fn required<T>(
        &mut self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let Some(value) = self.optional(name) else {
            self.problems.push((name, "is not set".to_owned()));
            return None;
        };
        parse(&value)
            .inspect_err(|problem| self.problems.push((name, problem.clone())))
            .ok()
    }

    fn text(&mut self, name: &'static str) -> Option<String> {
        self.required(name, |value| Ok(value.to_owned()))
    }

    fn url(&mut self, name: &'static str) -> Option<String> {
        self.required(name, |value| {
            check_url(value).map(|()| value.trim_end_matches('/').to_owned())
        })
    }

    fn mail(&mut self) -> Option<MailConfig> {
        let sender_email = self.required("SENDER_EMAIL", |value| {
            check_sender(value).map(|()| value.to_owned())
        });
        Some(MailConfig {
            sender_email: sender_email?,
            ses_configuration_set: self.optional("SES_CONFIGURATION_SET"),
        })
    }

    /// The configuration, when every variable was right.
    fn finish<T>(self, config: Option<T>) -> Result<T, ConfigError> {
        match config {
            Some(config) if self.problems.is_empty() => Ok(config),
            _ => Err(ConfigError(self.problems)),
        }
    }
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

impl Configuration for CandidateApiConfig {
    fn read(variables: &mut Variables<'_>) -> Option<Self> {
        let table_name = variables.text("TABLE_NAME");
        let event_bus_name = variables.text("EVENT_BUS_NAME");
        Some(Self {
            table_name: table_name?,
            event_bus_name: event_bus_name?,
        })
    }
}

impl Configuration for CompletionNotifierConfig {
    fn read(variables: &mut Variables<'_>) -> Option<Self> {
        let table_name = variables.text("TABLE_NAME");
        let mail = variables.mail();
        let recruiter_app_url = variables.url("RECRUITER_APP_URL");
        Some(Self {
            table_name: table_name?,
            mail: mail?,
            recruiter_app_url: recruiter_app_url?,
        })
    }
}

/// The address part of a sender: either a bare address or `Display Name <address>`.
pub fn sender_address(value: &str) -> &str {
    match value.rsplit_once('<') {
        Some((name, rest)) if rest.ends_with('>') && !name.contains(['\r', '\n']) => {
            &rest[..rest.len() - 1]
        }
        _ => value,
    }
}

fn check_sender(value: &str) -> Result<(), String> {
    EmailAddress::parse(sender_address(value))
        .map(drop)
        .map_err(|problem| format!("{problem} (optionally with a display name: Name <address>)"))
}

fn check_url(value: &str) -> Result<(), String> {
    let local = ["http://localhost", "http://127.0.0.1"]
        .iter()
        .any(|prefix| value.starts_with(prefix));
    let shaped = (value.starts_with("https://") || local)
        && value.len() > "https://".len()
        && !value.contains(|c: char| c.is_whitespace() || c.is_control() || c == '?' || c == '#');
    if shaped {
        Ok(())
    } else {
        Err(
            "must be an https:// URL without query or fragment (http:// only for localhost)"
                .to_owned(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    const VALID: [(&str, &str); 6] = [
        ("TABLE_NAME", "invitations"),
        ("SENDER_EMAIL", "Acme Recruiting <jobs@acme.example>"),
        ("CANDIDATE_APP_URL", "https://interview.acme.example/i/"),
        ("RECRUITER_APP_URL", "https://recruit.acme.example/"),
        ("DEFAULT_TIME_ZONE", "Europe/Helsinki"),
        ("EVENT_BUS_NAME", "recruiting"),
    ];

    #[test]
    fn each_function_reads_its_own_configuration() {
        let recruiter = RecruiterApiConfig::from_lookup(env(&VALID)).unwrap();
        assert_eq!(
            recruiter.candidate_app_url,
            "https://interview.acme.example/i"
        );
        assert_eq!(recruiter.default_time_zone.name(), "Europe/Helsinki");
        assert_eq!(recruiter.mail.ses_configuration_set, None);
        let candidate = CandidateApiConfig::from_lookup(env(&VALID)).unwrap();
        assert_eq!(candidate.event_bus_name, "recruiting");
        let notifier = CompletionNotifierConfig::from_lookup(env(&VALID)).unwrap();
        assert_eq!(notifier.recruiter_app_url, "https://recruit.acme.example");
        assert_eq!(
            notifier.mail.sender_email,
            "Acme Recruiting <jobs@acme.example>"
        );
    }

    #[test]
    fn a_function_needs_only_its_own_variables() {
        let only = |names: &[&str]| {
            let pairs: Vec<_> = VALID
                .into_iter()
                .filter(|(name, _)| names.contains(name))
                .collect();
            env(&pairs)
        };
        assert!(CandidateApiConfig::from_lookup(only(&["TABLE_NAME", "EVENT_BUS_NAME"])).is_ok());
        assert!(
            CompletionNotifierConfig::from_lookup(only(&[
                "TABLE_NAME",
                "SENDER_EMAIL",
                "RECRUITER_APP_URL"
            ]))
            .is_ok()
        );
        let error = CandidateApiConfig::from_lookup(only(&["TABLE_NAME"])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid configuration: EVENT_BUS_NAME is not set;"
        );
    }

    #[test]
    fn every_problem_is_named() {
        let error = RecruiterApiConfig::from_lookup(env(&[
            ("SENDER_EMAIL", "not an address"),
            ("CANDIDATE_APP_URL", "ftp://x"),
            ("SES_CONFIGURATION_SET", "  "),
            ("DEFAULT_TIME_ZONE", "Mars/Base"),
        ]))
        .unwrap_err();
        let names: Vec<_> = error.0.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            names,
            [
                "TABLE_NAME",
                "SENDER_EMAIL",
                "CANDIDATE_APP_URL",
                "DEFAULT_TIME_ZONE"
            ]
        );
        assert!(error.to_string().contains("TABLE_NAME is not set"));
    }

    #[test]
    fn plain_http_is_only_for_local_use() {
        assert!(check_url("http://localhost:3000/i").is_ok());
        assert!(check_url("http://interview.example").is_err());
        assert!(check_url("https://x.example/i?x=1").is_err());
    }
}
