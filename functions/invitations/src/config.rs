//! How the functions read their configuration, once at cold start: each function's crate defines
//! its own (`recruiter_api::config`, ...) over these readers. Every wrong or missing variable is
//! reported at once, by name, and the function refuses to start: a misconfigured function that
//! starts would fail on every request instead, far from the cause.

use std::fmt;

use jiff::SignedDuration;
use jiff::civil::Time;

use crate::domain::webhooks::TargetRule;
use crate::domain::{
    EmailAddress, Employer, HttpsUrl, IanaTimeZone, OrganizationName, PersonName, ReminderPolicy,
};
use crate::ports::Mailbox;

/// How every email leaves: the sender and the SES configuration set.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `From` of every email, optionally with a display name: `Acme Recruiting <jobs@acme.example>`.
    pub sender: Mailbox,
    /// The SES configuration set every send uses (bounce/complaint handling, metrics), if any.
    pub ses_configuration_set: Option<String>,
    /// The employer the emails of an organization without a profile name.
    pub default_employer: Employer,
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

    /// A variable that may be left unset, parsed when it is set: `Some(None)` when unset, `None`
    /// (the problem recorded) when set but wrong.
    pub fn optional_parsed<T>(
        &mut self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<Option<T>> {
        match self.optional(name) {
            Some(_) => self.required(name, parse).map(Some),
            None => Some(None),
        }
    }

    /// `WEBHOOK_ALLOW_LOOPBACK`: `true` lets webhooks go to loopback addresses (and plain `http`
    /// there), for the tests' local receiver only; unset or `false` in every deployment.
    pub fn webhook_targets(&mut self) -> Option<TargetRule> {
        self.optional_parsed("WEBHOOK_ALLOW_LOOPBACK", |value| match value {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err("must be true or false".to_owned()),
        })
        .map(|allow| TargetRule {
            allow_loopback: allow.unwrap_or(false),
        })
    }

    pub fn text(&mut self, name: &'static str) -> Option<String> {
        self.required(name, |value| Ok(value.to_owned()))
    }

    pub fn url(&mut self, name: &'static str) -> Option<String> {
        self.required(name, |value| {
            check_url(value).map(|()| value.trim_end_matches('/').to_owned())
        })
    }

    /// `SENDER_EMAIL`, `SES_CONFIGURATION_SET`, and the default employer: `DEFAULT_EMPLOYER_NAME`
    /// (else the sender's display name, else its domain, so that a deployment from before the
    /// setting keeps working) and `DEFAULT_PRIVACY_NOTICE_URL` (optional).
    pub fn mail(&mut self) -> Option<MailConfig> {
        let sender = self.required("SENDER_EMAIL", sender);
        let name = self.optional_parsed("DEFAULT_EMPLOYER_NAME", OrganizationName::parse);
        let privacy_notice_url =
            self.optional_parsed("DEFAULT_PRIVACY_NOTICE_URL", HttpsUrl::parse);
        let sender = sender?;
        let name = name?.unwrap_or_else(|| employer_named_by_sender(&sender));
        Some(MailConfig {
            sender,
            ses_configuration_set: self.optional("SES_CONFIGURATION_SET"),
            default_employer: Employer::default_for_deployment(name, privacy_notice_url?),
        })
    }

    /// The deployment's deadline reminders (`domain::reminders`), each variable optional, its
    /// default `ReminderPolicy::default()`'s: `REMINDER_HOURS_BEFORE_DEADLINE` (0 to 720 whole
    /// hours; 0 turns that reminder off; 48), `REMINDER_MIN_LEAD_HOURS` (0 to 2160; 96) and
    /// `LAST_DAY_REMINDER_TIME` (`HH:MM` in the deadline's zone, or `off`; 09:00).
    pub fn reminder_policy(&mut self) -> Option<ReminderPolicy> {
        let hours = |most: i64| {
            move |value: &str| {
                value
                    .parse::<i64>()
                    .ok()
                    .filter(|hours| (0..=most).contains(hours))
                    .map(SignedDuration::from_hours)
                    .ok_or_else(|| format!("must be a whole number of hours from 0 to {most}"))
            }
        };
        let before = self.optional_parsed("REMINDER_HOURS_BEFORE_DEADLINE", hours(720));
        let min_lead = self.optional_parsed("REMINDER_MIN_LEAD_HOURS", hours(2160));
        let last_day_at = self.optional_parsed("LAST_DAY_REMINDER_TIME", |value| {
            if value == "off" {
                return Ok(None);
            }
            let shaped = value.len() == 5 && value.as_bytes()[2] == b':';
            shaped
                .then(|| value.parse::<Time>().ok())
                .flatten()
                .map(Some)
                .ok_or_else(|| "must be HH:MM (such as 09:00) or off".to_owned())
        });
        let default = ReminderPolicy::default();
        Some(ReminderPolicy {
            before_deadline: match before? {
                Some(hours) if hours.is_zero() => None,
                Some(hours) => Some(hours),
                None => default.before_deadline,
            },
            min_lead: min_lead?.unwrap_or(default.min_lead),
            last_day_at: last_day_at?.unwrap_or(default.last_day_at),
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

/// `SENDER_EMAIL`: an address, or `Display Name <address>` with the name as RFC 5322 allows it
/// (quoted where it holds specials such as a comma, any script), parsed by lettre's mailbox parser;
/// the address must be one SES delivers from (`EmailAddress`).
pub fn sender(value: &str) -> Result<Mailbox, String> {
    const FORM: &str = "must be an address or Display Name <address> (quote a name with commas: \"Acme, Inc.\" <jobs@acme.example>)";
    let parsed: lettre::message::Mailbox = value.parse().map_err(|_| FORM.to_owned())?;
    let address = EmailAddress::parse(parsed.email.as_ref())
        .map_err(|problem| format!("{problem} ({FORM})"))?;
    let Some(name) = parsed
        .name
        .as_deref()
        .filter(|name| !name.trim().is_empty())
    else {
        return Ok(Mailbox::new(None, address));
    };
    // Encoded already, it would be encoded again and read as `=?UTF-8?...` by every recipient.
    if name.contains("=?") {
        return Err(format!(
            "must give the display name as it reads, not as an RFC 2047 encoded word: it is encoded when sent ({FORM})"
        ));
    }
    // A name people read follows the rules of names people type (no invisible or bidi tricks).
    let name = PersonName::parse(name).map_err(|problem| format!("display name {problem}"))?;
    Ok(Mailbox::new(Some(name.as_str()), address))
}

/// The employer as the sender names it: its display name (checked as a name already), else the
/// domain of its address.
fn employer_named_by_sender(sender: &Mailbox) -> OrganizationName {
    let address = sender.address.as_str();
    let domain = &address[address.rfind('@').map_or(0, |at| at + 1)..];
    OrganizationName::from_stored(sender.name.as_deref().unwrap_or(domain))
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

/// What a function that emails recruiters about their invitations reads (`completion-notifier`:
/// notify me; `email-events`: the bounce notice).
#[derive(Debug, Clone)]
pub struct RecruiterNoticesConfig {
    pub table_name: String,
    pub mail: MailConfig,
    /// `RECRUITER_APP_URL`: base of the link to an invitation in the recruiting app.
    pub recruiter_app_url: String,
    /// `DEFAULT_TIME_ZONE`: the zone of a notice to a recruiter whose identity provider gave no
    /// `zoneinfo` claim.
    pub default_time_zone: IanaTimeZone,
}

impl Configuration for RecruiterNoticesConfig {
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

/// What a function that emails recruiters needs at hand, from its [`RecruiterNoticesConfig`].
#[derive(Debug, Clone)]
pub struct RecruiterNoticeSettings {
    /// Base of the link to an invitation in the recruiting app.
    pub recruiter_app_url: String,
    /// The zone of a notice to a recruiter without a `zoneinfo` claim.
    pub default_time_zone: IanaTimeZone,
    /// The employer named in the notices of an organization without a profile.
    pub default_employer: Employer,
}

impl From<&RecruiterNoticesConfig> for RecruiterNoticeSettings {
    fn from(config: &RecruiterNoticesConfig) -> Self {
        Self {
            recruiter_app_url: config.recruiter_app_url.clone(),
            default_time_zone: config.default_time_zone.clone(),
            default_employer: config.mail.default_employer.clone(),
        }
    }
}

/// What the function binary at `path` printed (stdout, then stderr) when it refused to start with
/// only `variables` in its environment: the functions' cold-start tests. Panics when it started.
#[cfg(any(test, feature = "test-util"))]
pub fn refused_cold_start(path: &str, variables: &[(&str, &str)]) -> String {
    let output = std::process::Command::new(path)
        .env_clear()
        .envs(variables.iter().copied())
        .output()
        .expect("the function's binary runs");
    assert!(!output.status.success(), "{path} started");
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
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

    struct Reminders(ReminderPolicy);

    impl Configuration for Reminders {
        fn read(variables: &mut Variables<'_>) -> Option<Self> {
            variables.reminder_policy().map(Self)
        }
    }

    #[test]
    fn reminders_default_to_the_policys_and_each_can_be_changed_or_turned_off() {
        let read = |pairs: &[(&str, &str)]| Reminders::from_lookup(lookup(pairs)).map(|r| r.0);
        assert_eq!(read(&[]), Ok(ReminderPolicy::default()));
        let changed = read(&[
            ("REMINDER_HOURS_BEFORE_DEADLINE", "24"),
            ("REMINDER_MIN_LEAD_HOURS", "30"),
            ("LAST_DAY_REMINDER_TIME", "07:30"),
        ])
        .unwrap();
        assert_eq!(
            changed.before_deadline,
            Some(SignedDuration::from_hours(24))
        );
        assert_eq!(changed.min_lead, SignedDuration::from_hours(30));
        assert_eq!(changed.last_day_at, Some(Time::constant(7, 30, 0, 0)));
        let off = read(&[
            ("REMINDER_HOURS_BEFORE_DEADLINE", "0"),
            ("LAST_DAY_REMINDER_TIME", "off"),
        ])
        .unwrap();
        assert_eq!((off.before_deadline, off.last_day_at), (None, None));
        let error = read(&[
            ("REMINDER_HOURS_BEFORE_DEADLINE", "-1"),
            ("REMINDER_MIN_LEAD_HOURS", "2 days"),
            ("LAST_DAY_REMINDER_TIME", "9"),
        ])
        .unwrap_err();
        assert_eq!(
            error.variables(),
            [
                "REMINDER_HOURS_BEFORE_DEADLINE",
                "REMINDER_MIN_LEAD_HOURS",
                "LAST_DAY_REMINDER_TIME"
            ]
        );
    }

    #[test]
    fn plain_http_is_only_for_local_use() {
        assert!(check_url("http://localhost:3000/i").is_ok());
        assert!(check_url("http://interview.example").is_err());
        assert!(check_url("https://x.example/i?x=1").is_err());
    }

    #[test]
    fn a_sender_may_carry_a_display_name_in_any_script_and_with_specials() {
        for (value, name, address) in [
            ("jobs@acme.example", None, "jobs@acme.example"),
            (
                "Acme <jobs@acme.example>",
                Some("Acme"),
                "jobs@acme.example",
            ),
            (
                "Rekrytointi Äänekoski Oy <no-reply@invites.example.com>",
                Some("Rekrytointi Äänekoski Oy"),
                "no-reply@invites.example.com",
            ),
            (
                "\"Acme, Inc.\" <jobs@acme.example>",
                Some("Acme, Inc."),
                "jobs@acme.example",
            ),
            (
                "\"Rita \\\"the recruiter\\\" O'Hara\" <rita@acme.example>",
                Some("Rita \"the recruiter\" O'Hara"),
                "rita@acme.example",
            ),
            (
                "Sámi Oy <jobs@sámi.example>",
                Some("Sámi Oy"),
                "jobs@xn--smi-ela.example",
            ),
        ] {
            let parsed = sender(value).unwrap_or_else(|problem| panic!("{value}: {problem}"));
            assert_eq!(parsed.name.as_deref(), name, "{value}");
            assert_eq!(parsed.address.as_str(), address, "{value}");
        }
        for bad in [
            "Acme, Inc. <jobs@acme.example>",
            "Acme <not an address>",
            "Acme <jobs@acme.example",
            "\"Acme <jobs@acme.example>",
            "jobs@acme.example, other@acme.example",
            "Acme <\"x y\"@acme.example>",
            "=?UTF-8?B?w4RhbmVrb3NraQ==?= <jobs@acme.example>",
            "\"Acme\u{202E}\" <jobs@acme.example>",
        ] {
            assert!(sender(bad).is_err(), "{bad:?} was accepted");
        }
        let mut variables = Variables {
            lookup: &lookup(&[("SENDER_EMAIL", "not an address")]),
            problems: Vec::new(),
        };
        assert!(variables.mail().is_none());
        assert_eq!(variables.problems[0].0, "SENDER_EMAIL");
    }

    fn mail(pairs: &[(&str, &str)]) -> Result<MailConfig, Vec<&'static str>> {
        let mut variables = Variables {
            lookup: &lookup(pairs),
            problems: Vec::new(),
        };
        let config = variables.mail();
        variables.finish(config).map_err(|error| error.variables())
    }

    #[test]
    fn the_default_employer_is_the_setting_else_the_senders_name_else_its_domain() {
        let named = mail(&[
            ("SENDER_EMAIL", "Acme Recruiting <jobs@acme.example>"),
            ("DEFAULT_EMPLOYER_NAME", " Acme Oy "),
            ("DEFAULT_PRIVACY_NOTICE_URL", "https://acme.example/privacy"),
        ])
        .unwrap();
        assert_eq!(named.default_employer.name.as_str(), "Acme Oy");
        assert_eq!(
            named.default_employer.privacy_notice_url.unwrap().as_str(),
            "https://acme.example/privacy"
        );
        let by_sender = mail(&[("SENDER_EMAIL", "Acme Recruiting <jobs@acme.example>")]).unwrap();
        assert_eq!(by_sender.default_employer.name.as_str(), "Acme Recruiting");
        assert_eq!(by_sender.default_employer.privacy_notice_url, None);
        let bare = mail(&[("SENDER_EMAIL", "jobs@acme.example")]).unwrap();
        assert_eq!(bare.default_employer.name.as_str(), "acme.example");
        let wrong = mail(&[
            ("SENDER_EMAIL", "jobs@acme.example"),
            ("DEFAULT_EMPLOYER_NAME", "Acme\u{200B}"),
            ("DEFAULT_PRIVACY_NOTICE_URL", "http://acme.example/privacy"),
        ]);
        assert_eq!(
            wrong.unwrap_err(),
            ["DEFAULT_EMPLOYER_NAME", "DEFAULT_PRIVACY_NOTICE_URL"]
        );
    }
}
