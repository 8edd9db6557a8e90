//! Values people and identity providers give us, valid by construction ("parse, don't
//! validate"): tenants, recruiters, names, titles, email addresses and languages.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// The tenant. It becomes part of DynamoDB keys, so it is restricted to characters that cannot
/// forge a key of another tenant (no `#`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrganizationId(String);

impl OrganizationId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let valid = (1..=64).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err("must be 1 to 64 letters, digits, '-' or '_'".to_owned())
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The recruiter's user id (`sub` of the identity provider).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecruiterId(String);

impl RecruiterId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if (1..=128).contains(&raw.len()) && !raw.chars().any(char::is_control) {
            Ok(Self(raw.to_owned()))
        } else {
            Err("must be 1 to 128 characters without control characters".to_owned())
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Trims and checks free text typed by a person: a length in characters (not bytes, so that
/// non-Latin names get the same room) and no control characters, which have no business in a name
/// or title and are how header injection starts.
fn parse_text(raw: &str, max_chars: usize) -> Result<String, String> {
    let text = raw.trim();
    let length = text.chars().count();
    if length == 0 {
        Err("must not be empty".to_owned())
    } else if length > max_chars {
        Err(format!("must be at most {max_chars} characters"))
    } else if text.chars().any(char::is_control) {
        Err("must not contain control characters such as line breaks or tabs".to_owned())
    } else {
        Ok(text.to_owned())
    }
}

macro_rules! text_newtype {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;
            pub fn parse(raw: &str) -> Result<Self, String> {
                parse_text(raw, Self::MAX_CHARS).map(Self)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_newtype!(
    /// A first or last name of a person, as they write it.
    PersonName,
    100
);
text_newtype!(
    /// The title of a video interview, shown to candidates.
    VideoInterviewTitle,
    200
);
text_newtype!(
    /// One question of a video interview.
    QuestionText,
    1000
);

/// An email address that SES can deliver to: no display name, no domain literal, a dotted domain
/// (internationalized domains are stored in their ASCII form), an ASCII local part (SES does not
/// support SMTPUTF8), at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, String> {
        const INVALID: &str = "must be a valid email address such as name@example.com";
        let raw = raw.trim();
        if raw.chars().count() > Self::MAX_LEN {
            return Err(format!("must be at most {} characters", Self::MAX_LEN));
        }
        let options = email_address::Options::default()
            .with_required_tld()
            .without_domain_literal()
            .without_display_text();
        let parsed = email_address::EmailAddress::parse_with_options(raw, options)
            .map_err(|_| INVALID.to_owned())?;
        if !parsed.local_part().is_ascii() {
            return Err("must have only ASCII characters before the @".to_owned());
        }
        let domain =
            idna::domain_to_ascii_strict(parsed.domain()).map_err(|_| INVALID.to_owned())?;
        let address = format!("{}@{}", parsed.local_part(), domain);
        if address.len() > Self::MAX_LEN {
            return Err(format!("must be at most {} characters", Self::MAX_LEN));
        }
        Ok(Self(address))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The languages the candidate's interview app and our emails are written in. The UI language of
/// an invitation changes the interface and the emails, never the questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    En,
    Fi,
    Sv,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::En, Language::Fi, Language::Sv];

    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fi => "fi",
            Language::Sv => "sv",
        }
    }

    pub fn supported_list() -> String {
        Self::ALL.map(Self::code).join(", ")
    }

    /// A BCP 47 locale such as `fi-FI` or `sv_SE` (from an identity provider), when its language is
    /// one of ours.
    pub fn from_locale(locale: &str) -> Option<Self> {
        let primary = locale.split(['-', '_']).next()?;
        primary.to_ascii_lowercase().parse().ok()
    }
}

impl FromStr for Language {
    type Err = String;
    fn from_str(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|language| language.code() == code)
            .ok_or_else(|| {
                format!(
                    "must be one of the supported languages: {}",
                    Self::supported_list()
                )
            })
    }
}

impl Serialize for Language {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded_in_characters() {
        assert_eq!(PersonName::parse("  Anna ").unwrap().as_str(), "Anna");
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse("").is_err());
        assert!(PersonName::parse(&"ä".repeat(100)).is_ok());
        assert!(PersonName::parse(&"ä".repeat(101)).is_err());
        assert!(PersonName::parse("王秀英").is_ok());
    }

    #[test]
    fn names_with_control_characters_are_rejected() {
        for bad in [
            "Anna\r\nBcc: x@evil.com",
            "An\tna",
            "Anna\u{0}",
            "Anna\u{7f}x",
        ] {
            assert!(PersonName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn titles_and_questions_have_their_own_bounds() {
        assert!(VideoInterviewTitle::parse(&"t".repeat(200)).is_ok());
        assert!(VideoInterviewTitle::parse(&"t".repeat(201)).is_err());
        assert!(QuestionText::parse(&"q".repeat(1000)).is_ok());
        assert!(QuestionText::parse(&"q".repeat(1001)).is_err());
    }

    #[test]
    fn email_addresses_are_checked_and_normalized() {
        assert_eq!(
            EmailAddress::parse(" anna.virtanen@example.fi ")
                .unwrap()
                .as_str(),
            "anna.virtanen@example.fi"
        );
        assert_eq!(
            EmailAddress::parse("anna@bücher.example").unwrap().as_str(),
            "anna@xn--bcher-kva.example"
        );
        for bad in [
            "",
            "anna",
            "anna@",
            "@example.com",
            "anna@localhost",
            "Anna <anna@example.com>",
            "anna@[127.0.0.1]",
            "anna@example.com.",
            "anna@example..com",
            "änna@example.com",
            "anna@example.com\r\nBcc: x@evil.com",
            "a b@example.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
        let local = "a".repeat(64);
        let long = format!("{local}@{}.com", vec!["b".repeat(60); 3].join("."));
        assert!(long.len() <= 254 && EmailAddress::parse(&long).is_ok());
        let too_long = format!("{local}@{}.com", vec!["b".repeat(60); 4].join("."));
        assert!(EmailAddress::parse(&too_long).is_err());
    }

    #[test]
    fn languages_are_the_supported_ones() {
        assert_eq!("fi".parse::<Language>(), Ok(Language::Fi));
        let error = "de".parse::<Language>().unwrap_err();
        assert!(error.contains("en, fi, sv"), "{error}");
        assert!("EN".parse::<Language>().is_err());
        assert_eq!(Language::from_locale("sv-SE"), Some(Language::Sv));
        assert_eq!(Language::from_locale("FI_fi"), Some(Language::Fi));
        assert_eq!(Language::from_locale("de-DE"), None);
    }

    #[test]
    fn organization_ids_cannot_forge_keys() {
        assert!(OrganizationId::parse("acme-01_x").is_ok());
        for bad in ["", "a#b", "ORG#x", "a b", &"a".repeat(65)] {
            assert!(OrganizationId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
