//! How the functions read their configuration, once at cold start: each function's crate defines
//! its own (`recruiter_api::config`, ...) over these readers. Every wrong or missing variable is
//! reported at once, by name, and the function refuses to start: a misconfigured function that
//! starts would fail on every request instead, far from the cause.

use std::fmt;

use crate::domain::EmailAddress;

/// How every email leaves: the sender and the SES configuration set.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `From` of every email, optionally with a display name: `Acme Recruiting <jobs@acme.example>`.
    pub sender_email: String,
    /// The SES configuration set every send uses (bounce/complaint handling, metrics), if any.
    pub ses_configuration_set: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError(Vec<(&'static str, String)>);

impl ConfigError {
    /// The variables found wrong or missing, in the order they were read.
    pub fn variables(&self) -> Vec<&'static str> {
        self.0.iter().map(|(name, _)| *name).collect()
    }
}

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
    pub fn optional(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    pub fn required<T>(
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

    pub fn text(&mut self, name: &'static str) -> Option<String> {
        self.required(name, |value| Ok(value.to_owned()))
    }

    pub fn url(&mut self, name: &'static str) -> Option<String> {
        self.required(name, |value| {
            check_url(value).map(|()| value.trim_end_matches('/').to_owned())
        })
    }

    pub fn mail(&mut self) -> Option<MailConfig> {
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

/// A lookup over fixed `NAME=value` pairs, in place of the environment (tests).
#[cfg(any(test, feature = "test-util"))]
pub fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: std::collections::HashMap<String, String> = pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_only_for_local_use() {
        assert!(check_url("http://localhost:3000/i").is_ok());
        assert!(check_url("http://interview.example").is_err());
        assert!(check_url("https://x.example/i?x=1").is_err());
    }

    #[test]
    fn a_sender_may_carry_a_display_name() {
        assert_eq!(
            sender_address("Acme <jobs@acme.example>"),
            "jobs@acme.example"
        );
        assert_eq!(sender_address("jobs@acme.example"), "jobs@acme.example");
        let mut variables = Variables {
            lookup: &lookup(&[("SENDER_EMAIL", "not an address")]),
            problems: Vec::new(),
        };
        assert!(variables.mail().is_none());
        assert_eq!(variables.problems[0].0, "SENDER_EMAIL");
    }
}
