//! The deployment's configuration, read once at cold start. Every wrong or missing variable is
//! reported at once, by name, and the function refuses to start: a misconfigured function that
//! starts would fail on every request instead, far from the cause.

use std::fmt;

use crate::domain::{DeadlineTimeZone, EmailAddress};

#[derive(Debug, Clone)]
pub struct Config {
    pub table_name: String,
    /// `From` of every email, optionally with a display name: `Acme Recruiting <jobs@acme.example>`.
    pub sender_email: String,
    pub candidate_app_url: String,
    pub recruiter_app_url: String,
    pub default_time_zone: DeadlineTimeZone,
    /// The SES configuration set every send uses (bounce/complaint handling, metrics), if any.
    pub ses_configuration_set: Option<String>,
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

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut problems = Vec::new();
        let mut read =
            |name: &'static str, check: &dyn Fn(&str) -> Result<(), String>| match lookup(name)
                .filter(|value| !value.trim().is_empty())
            {
                None => {
                    problems.push((name, "is not set".to_owned()));
                    None
                }
                Some(value) => match check(value.trim()) {
                    Ok(()) => Some(value.trim().to_owned()),
                    Err(problem) => {
                        problems.push((name, problem));
                        None
                    }
                },
            };
        let table_name = read("TABLE_NAME", &|_| Ok(()));
        let sender_email = read("SENDER_EMAIL", &check_sender);
        let candidate_app_url = read("CANDIDATE_APP_URL", &check_url);
        let recruiter_app_url = read("RECRUITER_APP_URL", &check_url);
        let default_time_zone = read("DEFAULT_TIME_ZONE", &|name| {
            DeadlineTimeZone::parse(name).map(drop)
        });
        let ses_configuration_set = lookup("SES_CONFIGURATION_SET")
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty());
        match (
            table_name,
            sender_email,
            candidate_app_url,
            recruiter_app_url,
            default_time_zone,
        ) {
            (
                Some(table_name),
                Some(sender_email),
                Some(candidate_app_url),
                Some(recruiter_app_url),
                Some(default_time_zone),
            ) if problems.is_empty() => Ok(Self {
                table_name,
                sender_email,
                candidate_app_url: candidate_app_url.trim_end_matches('/').to_owned(),
                recruiter_app_url: recruiter_app_url.trim_end_matches('/').to_owned(),
                default_time_zone: DeadlineTimeZone::parse(&default_time_zone)
                    .expect("checked above"),
                ses_configuration_set,
            }),
            _ => Err(ConfigError(problems)),
        }
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

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    const VALID: [(&str, &str); 5] = [
        ("TABLE_NAME", "invitations"),
        ("SENDER_EMAIL", "Acme Recruiting <jobs@acme.example>"),
        ("CANDIDATE_APP_URL", "https://interview.acme.example/i/"),
        ("RECRUITER_APP_URL", "https://recruit.acme.example"),
        ("DEFAULT_TIME_ZONE", "Europe/Helsinki"),
    ];

    #[test]
    fn a_complete_configuration_is_read() {
        let config = Config::from_lookup(env(&VALID)).unwrap();
        assert_eq!(config.candidate_app_url, "https://interview.acme.example/i");
        assert_eq!(config.default_time_zone.name(), "Europe/Helsinki");
        assert_eq!(config.ses_configuration_set, None);
    }

    #[test]
    fn every_problem_is_named() {
        let error = Config::from_lookup(env(&[
            ("SENDER_EMAIL", "not an address"),
            ("CANDIDATE_APP_URL", "ftp://x"),
            ("RECRUITER_APP_URL", "https://ok.example"),
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
