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

/// As a string (a queue message names its organization so), parsed as any other.
impl Serialize for OrganizationId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for OrganizationId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
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

/// How a kind of free text is kept once it passed the rules.
#[derive(Clone, Copy)]
enum Kept {
    /// As the PRECIS Nickname profile (RFC 8266) enforces it: width-mapped and NFKC-normalized,
    /// spaces trimmed and collapsed, so that one name has one spelling (`Ｒｉｔａ` is `Rita`).
    AsName,
    /// As typed, trimmed: NFKC would change what a title or a question says (`m²` into `m2`).
    AsTyped,
}

/// Free text typed by a person (a name, a title, a question): refused when it holds a code point
/// PRECIS's FreeformClass (RFC 8264) disallows (names: or that its Unicode 6.3 tables do not know): controls (line breaks, tabs: how header injection
/// starts), invisible and direction-changing format characters (zero-width spaces, bidi marks,
/// overrides and isolates), private-use and unassigned ones. Joiners pass where their script uses
/// them (RFC 5892's context rules: ZWJ/ZWNJ after a virama, ZWNJ between joining Arabic-script
/// letters); a ZWNJ where nothing can join is dropped, since it shows nothing there. The text must
/// hold a letter or a digit, and its length is counted in characters (not bytes, so that
/// non-Latin names get the same room).
fn parse_text(raw: &str, max_chars: usize, kept: Kept) -> Result<String, String> {
    const HIDDEN: &str = "must not contain control, invisible or direction-changing characters \
                          (such as line breaks, tabs, zero-width spaces or bidi overrides)";
    let too_long = || format!("must be at most {max_chars} characters");
    let trimmed = raw.trim();
    // Bounds the work below, whatever arrives; normalizing never triples a length.
    if trimmed.chars().count() > 3 * max_chars {
        return Err(too_long());
    }
    let allowed = without_unjoinable_zwnj(trimmed).map_err(|_| HIDDEN.to_owned())?;
    if allowed.trim().is_empty() {
        return Err("must not be empty".to_owned());
    }
    let text = match kept {
        Kept::AsName => {
            use precis_core::profile::PrecisFastInvocation;
            // The profile's first rule (RFC 8266 §2.2: every space separator made U+0020, trimmed,
            // runs made one) is applied here: precis-profiles 0.1.13 applies it by cutting the
            // text at a character count taken for a byte offset, which panics (with the name in
            // the message) on a name like "Jürgen\u{a0}Müller". Applied first, it has nothing
            // left to do there.
            let spaced = allowed
                .split(is_space_separator)
                .filter(|word| !word.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            precis_profiles::Nickname::enforce(spaced.as_str())
                .map_err(|_| HIDDEN.to_owned())?
                .into_owned()
        }
        Kept::AsTyped => allowed,
    };
    if !text.chars().any(char::is_alphanumeric) {
        return Err("must contain a letter or a digit".to_owned());
    }
    if text.chars().count() > max_chars {
        return Err(too_long());
    }
    Ok(text)
}

/// Unicode's space separators (general category Zs, unchanged since Unicode 6.3).
fn is_space_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

/// `text` when FreeformClass allows it once each ZWNJ (U+200C) that RFC 5892's context rule
/// refuses is taken out (in one pass over the text as given); else the first code point refused.
/// PRECIS's tables stop at Unicode 6.3: what they call unassigned (emoji, scripts encoded since)
/// passes here, since only what they disallow (controls, format and ignorable characters,
/// private use) can hide or reorder text.
fn without_unjoinable_zwnj(text: &str) -> Result<String, ()> {
    use precis_core::context::{get_context_rule, rule_zero_width_nonjoiner};
    use precis_core::{DerivedPropertyValue as Property, FreeformClass, StringClass};
    const ZWNJ: char = '\u{200C}';
    let kept: String = text
        .chars()
        .enumerate()
        .filter(|&(offset, c)| c != ZWNJ || rule_zero_width_nonjoiner(text, offset) == Ok(true))
        .map(|(_, c)| c)
        .collect();
    let class = FreeformClass::default();
    let allowed =
        kept.chars()
            .enumerate()
            .all(|(offset, c)| match class.get_value_from_char(c) {
                Property::PValid | Property::SpecClassPval | Property::Unassigned => true,
                Property::ContextJ | Property::ContextO => get_context_rule(u32::from(c))
                    .is_some_and(|rule| rule(&kept, offset) == Ok(true)),
                Property::SpecClassDis | Property::Disallowed => false,
            });
    if allowed { Ok(kept) } else { Err(()) }
}

macro_rules! text_newtype {
    ($(#[$doc:meta])* $name:ident, $max:expr, $kept:expr) => {
        text_newtype!($(#[$doc])* $name, $max, $kept, |_: &str| Ok(()));
    };
    ($(#[$doc:meta])* $name:ident, $max:expr, $kept:expr, $also:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;
            pub fn parse(raw: &str) -> Result<Self, String> {
                let text = parse_text(raw, Self::MAX_CHARS, $kept)?;
                let also: fn(&str) -> Result<(), String> = $also;
                also(&text)?;
                Ok(Self(text))
            }
            /// The text as the store holds it. It was checked when it was written and is not
            /// checked again, so that a rule made stricter never makes a stored record unreadable.
            pub fn from_stored(stored: &str) -> Self {
                Self(stored.to_owned())
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
    100,
    Kept::AsName
);
text_newtype!(
    /// The title of a video interview, shown to candidates.
    VideoInterviewTitle,
    200,
    Kept::AsTyped
);
text_newtype!(
    /// The name an organization goes by with candidates ("Acme Oy"), as its recruiters write it
    /// in the organization profile; kept as names are (PRECIS Nickname, RFC 8266). It becomes the
    /// display name of `From`, so it holds no `@`: a name such as `security@bank.example` would
    /// pass for an address in mail clients that show only the display name.
    OrganizationName,
    100,
    Kept::AsName,
    |name| {
        if name.contains('@') {
            Err("must not contain @ (it would read as an email address)".to_owned())
        } else {
            Ok(())
        }
    }
);
text_newtype!(
    /// What a webhook subscription is for, as the integrator describes it ("ATS sync").
    WebhookDescription,
    200,
    Kept::AsTyped
);
text_newtype!(
    /// One question of a video interview.
    QuestionText,
    1000,
    Kept::AsTyped
);

/// An email address that SES can deliver to: no display name, no domain literal, a local part that
/// is a dot-atom of ASCII (RFC 5322 §3.2.3: no quoted string, no comment, no empty part; SES does
/// not support SMTPUTF8) of at most 64 characters (RFC 5321 §4.5.3.1.1), and a DNS host name of
/// letters, digits and hyphens whose last label is not all digits (internationalized domains are
/// stored in their ASCII form), at most 254 characters in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_LEN: usize = 254;
    pub const MAX_LOCAL_LEN: usize = 64;

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
        let local = parsed.local_part();
        if !local.is_ascii() {
            return Err("must have only ASCII characters before the @".to_owned());
        }
        if !is_dot_atom(local) {
            return Err(
                "must have only letters, digits and !#$%&'*+-/=?^_`{|}~ before the @, \
                        in parts joined by single dots (no quotes, spaces or brackets)"
                    .to_owned(),
            );
        }
        if local.len() > Self::MAX_LOCAL_LEN {
            return Err(format!(
                "must have at most {} characters before the @",
                Self::MAX_LOCAL_LEN
            ));
        }
        let domain =
            idna::domain_to_ascii_strict(parsed.domain()).map_err(|_| INVALID.to_owned())?;
        if !is_host_name(&domain) {
            return Err("must end in a domain name such as example.com".to_owned());
        }
        let address = format!("{}@{}", parsed.local_part(), domain);
        if address.len() > Self::MAX_LEN {
            return Err(format!("must be at most {} characters", Self::MAX_LEN));
        }
        Ok(Self(address))
    }

    /// The address as mail servers and SES compare it: without ASCII case (an `EmailAddress` is
    /// ASCII, its domain already in IDNA form), so `Anna@Example.FI` and `anna@example.fi` are one
    /// candidate.
    pub fn lookup_form(&self) -> String {
        self.as_str().to_ascii_lowercase()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address as the store holds it (see `PersonName::from_stored`).
    pub fn from_stored(stored: &str) -> Self {
        Self(stored.to_owned())
    }
}

/// RFC 5322's dot-atom: `atext` characters in parts joined by single dots.
fn is_dot_atom(text: &str) -> bool {
    const SPECIALS: &[u8] = b"!#$%&'*+-/=?^_`{|}~";
    text.split('.').all(|part| {
        !part.is_empty()
            && part
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || SPECIALS.contains(&byte))
    })
}

/// A DNS host name in ASCII: labels of letters, digits and inner hyphens, 1 to 63 long, at least
/// two of them, the last not all digits (that would be an IP address, which SES does not take).
fn is_host_name(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    labels.len() >= 2
        && labels.iter().all(label_ok)
        && labels
            .last()
            .is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
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
    fn invisible_and_direction_changing_text_is_refused() {
        for bad in [
            "\u{200B}\u{200B}",     // zero-width spaces: a name that shows as nothing
            "Anna\u{200B}",         // ... or hides inside one
            "Virtanen\u{202E}",     // right-to-left override, left open
            "\u{202D}Virtanen",     // left-to-right override
            "\u{2066}Anna\u{2069}", // isolates
            "Anna\u{200E}",         // left-to-right mark
            "\u{FEFF}Anna",         // byte order mark
            "Anna\u{2060}",         // word joiner
            "Anna\u{00AD}",         // soft hyphen
            "Anna\u{E000}",         // private use
            "Anna\u{2028}Bcc",      // line separator
            "Anna\u{85}Bcc",        // next line
        ] {
            assert!(PersonName::parse(bad).is_err(), "{bad:?} was accepted");
            assert!(
                VideoInterviewTitle::parse(bad).is_err(),
                "{bad:?} was accepted"
            );
            assert!(QuestionText::parse(bad).is_err(), "{bad:?} was accepted");
        }
        // A code point PRECIS's tables (Unicode 6.3) do not know is no part of a name; in a title
        // or a question it is an emoji or a newer script's letter, and shows as itself or a box.
        assert!(PersonName::parse("Anna\u{0378}").is_err());
        assert!(VideoInterviewTitle::parse("Anna\u{0378}").is_ok());
        assert_eq!(
            PersonName::parse("\u{3000}\u{2003} ").unwrap_err(),
            "must not be empty",
            "spaces of any width are no name"
        );
        assert_eq!(
            PersonName::parse("!!! ---").unwrap_err(),
            "must contain a letter or a digit"
        );
    }

    #[test]
    fn names_people_really_have_are_kept_as_they_write_them() {
        for name in [
            "محمد علي",          // Arabic, right to left
            "فاطمه\u{200C}زهرا", // Persian, ZWNJ between joining letters
            "נועה כהן",          // Hebrew
            "अनुष्का",             // Devanagari, with a virama
            "क्\u{200D}ष",        // ZWJ after a virama
            "王秀英",
            "Äänekoski",
            "Máret Sárá", // Northern Sámi
            "Ánde Čorgá-Ŋuolga",
            "O'Hara",
            "D\u{2019}Angelo", // typographic apostrophe
            "Jean-Luc",
            "Anna Maria",
        ] {
            assert_eq!(PersonName::parse(name).unwrap().as_str(), name, "{name}");
        }
        // A ZWNJ after a letter that cannot join (Alef) shows nothing: it is dropped.
        assert_eq!(
            PersonName::parse("مهسا\u{200C}رضایی").unwrap().as_str(),
            "مهسارضایی"
        );
        // Width and compatibility forms become their plain letters (NFKC); inner spaces collapse.
        assert_eq!(PersonName::parse("Ｒｉｔａ").unwrap().as_str(), "Rita");
        assert_eq!(
            PersonName::parse("  Anna   Maria ").unwrap().as_str(),
            "Anna Maria"
        );
        assert_eq!(
            PersonName::parse("\u{200C}").unwrap_err(),
            "must not be empty"
        );
    }

    #[test]
    fn titles_and_questions_keep_what_they_say() {
        for text in [
            "Office of 120 m²",
            "½ day on site™",
            "C++ ja Rust – 2 vuotta",
            "Why us? 🙂",
        ] {
            assert_eq!(
                QuestionText::parse(text).as_ref().map(QuestionText::as_str),
                Ok(text)
            );
            assert_eq!(VideoInterviewTitle::parse(text).unwrap().as_str(), text);
        }
        let flood = "a\u{200C}".repeat(QuestionText::MAX_CHARS);
        assert!(
            QuestionText::parse(&flood).is_ok(),
            "each unjoinable ZWNJ dropped"
        );
        let huge = "a\u{200C}".repeat(3 * QuestionText::MAX_CHARS);
        assert!(
            QuestionText::parse(&huge).is_err(),
            "refused before any work"
        );
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
            // What SES cannot deliver to, though RFC 5322 may allow it.
            "\"maija@evil.example\"@example.org",
            "\"anna\"@example.com",
            "\"a b\"@example.com",
            "anna(comment)@example.com",
            "anna..virtanen@example.com",
            ".anna@example.com",
            "anna.@example.com",
            "anna@exa_mple.com",
            "anna@-example.com",
            "anna@example-.com",
            "anna@example.123",
            "anna@127.0.0.1",
            &format!("{}@example.com", "a".repeat(65)),
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
        for good in [
            "anna.virtanen@example.fi",
            "o'hara+jobs@example.co.uk",
            "x!#$%&'*+-/=?^_`{|}~y@example.com",
            "anna@sub-domain.example.com",
            "anna@1.example.com",
        ] {
            assert!(EmailAddress::parse(good).is_ok(), "{good:?} was refused");
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

    /// Found by the contract test: precis-profiles panicked on non-ASCII or repeated spaces after
    /// a non-ASCII letter (a 500, and the name in the panic's message).
    #[test]
    fn names_with_any_spaces_after_any_letters_are_kept_not_a_panic() {
        for (raw, kept) in [
            ("Jürgen\u{a0}Müller", "Jürgen Müller"),
            ("Ünal  Öz", "Ünal Öz"),
            (
                "\u{169b}\u{1684}\u{1693}\u{1690} \u{1691}\u{1684}\u{169c}",
                "\u{169b}\u{1684}\u{1693}\u{1690} \u{1691}\u{1684}\u{169c}",
            ),
            ("Ōta\u{3000}Hanako", "Ōta Hanako"),
            ("Åsa\u{1680}\u{2003}Lind", "Åsa Lind"),
        ] {
            assert_eq!(PersonName::parse(raw).unwrap().as_str(), kept, "{raw:?}");
        }
    }
}
