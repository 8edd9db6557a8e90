//! The organization as candidates meet it: the employer its recruiters' emails name, from the
//! profile they keep (`GET/PUT /organization`), or the deployment's default when it has none.

use std::fmt;

use jiff::Timestamp;

use super::{OrganizationId, OrganizationName, RecruiterId};

/// An `https` URL to show to people (a logo, a careers site, a privacy notice), as the WHATWG URL
/// Standard parses it (the `url` crate): absolute, `https` only (an email must not load or link
/// anything in the clear), a host that is a domain name (not an IP address, not `localhost`), no
/// user name or password (`https://bank.example@evil.example` fools readers), at most
/// [`HttpsUrl::MAX_LEN`] bytes once serialized. Kept in its serialized form (punycode host,
/// percent-encoded path), which is safe to put in an `href` or `src` once HTML-escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpsUrl(String);

impl HttpsUrl {
    /// Beyond this, a URL is not one anybody types; 2,000 is what every browser and mail client
    /// handles.
    pub const MAX_LEN: usize = 2000;

    pub fn parse(raw: &str) -> Result<Self, String> {
        const FORM: &str = "must be an https:// URL such as https://acme.example/privacy";
        let url = url::Url::parse(raw.trim()).map_err(|_| FORM.to_owned())?;
        if url.scheme() != "https" {
            return Err(FORM.to_owned());
        }
        let domain = match url.host() {
            Some(url::Host::Domain(domain)) => domain,
            _ => return Err("must name a host by its domain name, not an IP address".to_owned()),
        };
        if !domain.contains('.') {
            return Err("must name a public host such as acme.example".to_owned());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not hold a user name or password".to_owned());
        }
        let serialized = String::from(url);
        if serialized.len() > Self::MAX_LEN {
            return Err(format!("must be at most {} characters", Self::MAX_LEN));
        }
        Ok(Self(serialized))
    }

    /// The URL as the store holds it (see `PersonName::from_stored`).
    pub fn from_stored(stored: &str) -> Self {
        Self(stored.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The colour of the emails' button: an sRGB colour, written `#RRGGBB` (or `#RGB`) as CSS writes
/// it, kept as lowercase `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccentColor([u8; 3]);

impl AccentColor {
    /// The service's own blue, for organizations that chose none.
    pub const DEFAULT: AccentColor = AccentColor([0x1b, 0x5f, 0xd9]);

    pub fn parse(raw: &str) -> Result<Self, String> {
        const FORM: &str = "must be a colour written #RRGGBB, such as #1b5fd9";
        let digits = raw.trim().strip_prefix('#').ok_or(FORM)?;
        let hex = |text: &str| u8::from_str_radix(text, 16).map_err(|_| FORM.to_owned());
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(FORM.to_owned());
        }
        match digits.len() {
            6 => Ok(Self([
                hex(&digits[0..2])?,
                hex(&digits[2..4])?,
                hex(&digits[4..6])?,
            ])),
            // `#abc` is `#aabbcc`.
            3 => {
                let doubled = |i: usize| hex(&digits[i..=i].repeat(2));
                Ok(Self([doubled(0)?, doubled(1)?, doubled(2)?]))
            }
            _ => Err(FORM.to_owned()),
        }
    }

    /// The colour of text on it: white or black, whichever contrasts more by WCAG 2.2's contrast
    /// ratio (relative luminance, success criterion 1.4.3), so that a light brand colour still
    /// makes a readable button. One of the two always reaches 4.5:1 (at worst about 4.58:1, for a
    /// colour of relative luminance 0.179); a softer dark would not (#1d2330 falls to 3.98:1).
    pub fn text_color(self) -> &'static str {
        if contrast(self.luminance(), 1.0) >= contrast(self.luminance(), 0.0) {
            "#ffffff"
        } else {
            "#000000"
        }
    }

    /// The contrast ratio of [`Self::text_color`] on this colour.
    #[cfg(test)]
    fn contrast_with_text(self) -> f64 {
        contrast(self.luminance(), 1.0).max(contrast(self.luminance(), 0.0))
    }

    /// WCAG 2.2's relative luminance of an sRGB colour.
    fn luminance(self) -> f64 {
        let linear = |channel: u8| {
            let c = f64::from(channel) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0.map(linear);
        0.2126 * r + 0.7152 * g + 0.0722 * b
    }
}

fn contrast(a: f64, b: f64) -> f64 {
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

impl fmt::Display for AccentColor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

/// What an organization tells candidates about itself, as its recruiters set it
/// (`PUT /organization`, parsed).
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationProfileForm {
    pub display_name: OrganizationName,
    /// An image the emails show above their text.
    pub logo_url: Option<HttpsUrl>,
    pub accent_color: Option<AccentColor>,
    pub careers_site_url: Option<HttpsUrl>,
    /// Where candidates read who processes their data and how (GDPR articles 13 and 14): every
    /// email to a candidate links to it.
    pub privacy_notice_url: HttpsUrl,
}

/// An organization's profile as stored: the form, and who last changed it when.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationProfile {
    pub organization_id: OrganizationId,
    pub form: OrganizationProfileForm,
    pub updated_by: RecruiterId,
    pub updated_at: Timestamp,
}

/// The employer as every email shows it: the organization's profile, or the deployment's default
/// for an organization that has none.
#[derive(Debug, Clone, PartialEq)]
pub struct Employer {
    pub name: OrganizationName,
    /// The display name of `From` on emails to candidates: the organization's own name when it
    /// has a profile; none (the configured sender's, as before profiles) for the default.
    pub sender_name: Option<OrganizationName>,
    pub logo_url: Option<HttpsUrl>,
    pub accent_color: AccentColor,
    pub careers_site_url: Option<HttpsUrl>,
    pub privacy_notice_url: Option<HttpsUrl>,
}

impl Employer {
    /// The deployment's default employer: a name and, optionally, a privacy notice.
    pub fn default_for_deployment(
        name: OrganizationName,
        privacy_notice_url: Option<HttpsUrl>,
    ) -> Self {
        Self {
            name,
            sender_name: None,
            logo_url: None,
            accent_color: AccentColor::DEFAULT,
            careers_site_url: None,
            privacy_notice_url,
        }
    }

    /// The employer an organization's emails name: from its profile, else `default`.
    pub fn of(profile: Option<&OrganizationProfile>, default: &Employer) -> Self {
        match profile {
            Some(profile) => {
                let form = &profile.form;
                Self {
                    name: form.display_name.clone(),
                    sender_name: Some(form.display_name.clone()),
                    logo_url: form.logo_url.clone(),
                    accent_color: form.accent_color.unwrap_or(AccentColor::DEFAULT),
                    careers_site_url: form.careers_site_url.clone(),
                    privacy_notice_url: Some(form.privacy_notice_url.clone()),
                }
            }
            None => default.clone(),
        }
    }
}

/// An employer for the emails' tests.
#[cfg(any(test, feature = "test-util"))]
pub fn fixture_employer() -> Employer {
    Employer {
        name: OrganizationName::parse("Acme Oy").unwrap(),
        sender_name: Some(OrganizationName::parse("Acme Oy").unwrap()),
        logo_url: Some(HttpsUrl::parse("https://cdn.acme.example/logo.png").unwrap()),
        accent_color: AccentColor::parse("#0a7d3b").unwrap(),
        careers_site_url: Some(HttpsUrl::parse("https://careers.acme.example").unwrap()),
        privacy_notice_url: Some(HttpsUrl::parse("https://acme.example/privacy").unwrap()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_urls_of_named_hosts_without_credentials_pass() {
        let url = HttpsUrl::parse(" https://Acme.example/Privacy Notice ").unwrap();
        assert_eq!(url.as_str(), "https://acme.example/Privacy%20Notice");
        // Internationalized hosts are kept in their ASCII form.
        assert_eq!(
            HttpsUrl::parse("https://työpaikat.example/")
                .unwrap()
                .as_str(),
            "https://xn--typaikat-o4a.example/"
        );
        for bad in [
            "http://acme.example/privacy",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "//acme.example/privacy",
            "acme.example/privacy",
            "https://10.0.0.1/logo.png",
            "https://[::1]/logo.png",
            "https://localhost/logo.png",
            "https://bank.example@evil.example/",
            "https://user:secret@acme.example/",
            "",
        ] {
            assert!(HttpsUrl::parse(bad).is_err(), "{bad}");
        }
        let long = format!("https://acme.example/{}", "a".repeat(HttpsUrl::MAX_LEN));
        assert!(HttpsUrl::parse(&long).is_err());
    }

    #[test]
    fn an_organization_name_cannot_pass_for_an_address() {
        assert_eq!(
            OrganizationName::parse(" Äänekosken Rekry, Oy ")
                .unwrap()
                .as_str(),
            "Äänekosken Rekry, Oy"
        );
        for spoof in ["security@bank.example", "Acme ＠ Bank"] {
            assert!(OrganizationName::parse(spoof).is_err(), "{spoof}");
        }
    }

    #[test]
    fn colours_are_css_hex_and_kept_lowercase() {
        assert_eq!(
            AccentColor::parse("#1B5FD9").unwrap().to_string(),
            "#1b5fd9"
        );
        assert_eq!(AccentColor::parse("#fa0").unwrap().to_string(), "#ffaa00");
        for bad in [
            "1b5fd9",
            "#1b5fd",
            "#1b5fd9ff",
            "#gggggg",
            "red",
            "#",
            "#+1+1+1",
        ] {
            assert!(AccentColor::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn button_text_is_whichever_of_white_and_black_reads_better() {
        assert_eq!(AccentColor::DEFAULT.text_color(), "#ffffff");
        assert_eq!(
            AccentColor::parse("#000000").unwrap().text_color(),
            "#ffffff"
        );
        // A light yellow brand colour gets black text.
        assert_eq!(
            AccentColor::parse("#ffd400").unwrap().text_color(),
            "#000000"
        );
        assert_eq!(
            AccentColor::parse("#ffffff").unwrap().text_color(),
            "#000000"
        );
        // Every colour, mid greys and saturated hues included, keeps WCAG AA's 4.5:1.
        let steps = (0..=255).step_by(15);
        for r in steps.clone() {
            for g in steps.clone() {
                for b in steps.clone() {
                    let colour = AccentColor([r, g, b]);
                    assert!(colour.contrast_with_text() >= 4.5, "{colour}");
                }
            }
        }
        for grey in 0..=255 {
            let colour = AccentColor([grey, grey, grey]);
            assert!(colour.contrast_with_text() >= 4.5, "{colour}");
        }
    }

    #[test]
    fn an_organization_without_a_profile_is_the_deployments_default_employer() {
        let default = Employer::default_for_deployment(
            OrganizationName::parse("Acme Recruiting").unwrap(),
            None,
        );
        assert_eq!(Employer::of(None, &default), default);
        let profile = OrganizationProfile {
            organization_id: OrganizationId::parse("acme").unwrap(),
            form: OrganizationProfileForm {
                display_name: OrganizationName::parse("Acme Oy").unwrap(),
                logo_url: None,
                accent_color: None,
                careers_site_url: None,
                privacy_notice_url: HttpsUrl::parse("https://acme.example/privacy").unwrap(),
            },
            updated_by: RecruiterId::parse("rita").unwrap(),
            updated_at: Timestamp::UNIX_EPOCH,
        };
        let employer = Employer::of(Some(&profile), &default);
        assert_eq!(employer.name.as_str(), "Acme Oy");
        assert_eq!(employer.accent_color, AccentColor::DEFAULT);
        assert_eq!(
            employer.privacy_notice_url.unwrap().as_str(),
            "https://acme.example/privacy"
        );
    }
}
