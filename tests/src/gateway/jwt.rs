//! The recruiters' tokens, signed with a local RSA key and verified as API Gateway's JWT
//! authorizer verifies them (the API Gateway developer guide, "Control access to HTTP APIs with
//! JWT authorizers"): an RSA signature by a key of the issuer (`kid`), `iss`, `aud` (or `client_id`
//! when there is no `aud`) against the audience, `exp`, `nbf` and `iat` against the clock, and
//! `scope`/`scp` against the route's scopes. The claims then reach the function as strings.

use std::collections::HashMap;
use std::path::Path;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value, json};

use crate::Error;

/// The issuer (`iss`) of local tokens; as Cognito's, an https URL naming the pool.
pub const LOCAL_ISSUER: &str = "https://local-idp.invalid/recruiters";
/// The audience (`aud`, the app client's id) local tokens are issued for.
pub const LOCAL_AUDIENCE: &str = "local-recruiting-app";
/// The key id (`kid`) of the local signing key.
pub const LOCAL_KEY_ID: &str = "local-1";

/// The ID token claims of a recruiter of `organization` as the stack's Cognito pool issues them
/// (`sub`, `email`, `email_verified`, `name`, `given_name`, `custom:organization_id`): the claims
/// the recruiter API reads (`invitations::http::RECRUITER_CLAIMS`).
pub fn recruiter_claims(organization: &str) -> Value {
    json!({
        "sub": format!("recruiter-{organization}"),
        "email": format!("recruiter@{organization}.example"),
        "email_verified": true,
        "name": "Robin Recruiter",
        "given_name": "Robin",
        "custom:organization_id": organization,
    })
}

/// A local identity provider: one RSA key that signs recruiters' ID tokens and verifies them.
pub struct LocalIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

/// A token API Gateway accepted: its claims as the authorizer passes them on, and the scopes when
/// the route asks for some.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorized {
    pub claims: HashMap<String, String>,
    pub scopes: Option<Vec<String>>,
}

/// Why a request gets no further than the authorizer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// 401: no token, or one that does not verify (the `www-authenticate` error description).
    Unauthorized(Option<&'static str>),
    /// 403: a valid token without any of the route's scopes.
    Forbidden,
}

impl Rejection {
    /// The `www-authenticate` header API Gateway sends with a 401 (the developer guide's
    /// "Troubleshooting issues with HTTP API JWT authorizers" shows its form).
    pub fn www_authenticate(&self) -> Option<String> {
        match self {
            Self::Unauthorized(None) => Some("Bearer".to_owned()),
            Self::Unauthorized(Some(description)) => Some(format!(
                "Bearer scope=\"\" error=\"invalid_token\" error_description=\"{description}\""
            )),
            Self::Forbidden => None,
        }
    }
}

impl LocalIssuer {
    /// The key in `path` (PKCS #8 PEM), or a new one written there readable by its owner only.
    pub fn load_or_create(path: &Path) -> Result<Self, Error> {
        if let Ok(pem) = std::fs::read_to_string(path) {
            return Self::from_pem(&pem)
                .map_err(|error| format!("{}: not a usable key ({error})", path.display()).into());
        }
        let pem = new_key_pem()?;
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)?;
        }
        write_private(path, &pem)?;
        Self::from_pem(&pem)
    }

    /// A key of its own, kept in memory (the tests').
    pub fn generate() -> Result<Self, Error> {
        Self::from_pem(&new_key_pem()?)
    }

    fn from_pem(pem: &str) -> Result<Self, Error> {
        let der = base64::engine::general_purpose::STANDARD.decode(
            pem.lines()
                .filter(|line| !line.starts_with("-----"))
                .collect::<String>(),
        )?;
        let pair = KeyPair::from_pkcs8(&der).map_err(|error| error.to_string())?;
        let public = pair.public_key();
        Ok(Self {
            encoding: EncodingKey::from_rsa_pem(pem.as_bytes())?,
            decoding: DecodingKey::from_rsa_raw_components(
                public.modulus().big_endian_without_leading_zero(),
                public.exponent().big_endian_without_leading_zero(),
            ),
        })
    }

    /// A token with `claims` and the issuer's own (`iss`, `aud`, `iat`, `nbf`, `exp` after
    /// `lifetime_seconds`, `token_use: id`); `claims` wins where it names one of them, and a null
    /// there leaves that claim out.
    pub fn mint(&self, claims: &Value, lifetime_seconds: i64) -> Result<String, Error> {
        let now = jiff::Timestamp::now().as_second();
        let mut payload = json!({
            "iss": LOCAL_ISSUER, "aud": LOCAL_AUDIENCE, "token_use": "id",
            "iat": now, "nbf": now, "exp": now + lifetime_seconds,
            "auth_time": now,
        });
        let object = payload.as_object_mut().ok_or("an object")?;
        for (name, value) in claims.as_object().ok_or("claims are an object")? {
            match value {
                Value::Null => object.remove(name),
                value => object.insert(name.clone(), value.clone()),
            };
        }
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(LOCAL_KEY_ID.to_owned());
        Ok(jsonwebtoken::encode(&header, &payload, &self.encoding)?)
    }

    /// What API Gateway's authorizer makes of the identity source's value `presented` on a route
    /// that requires one of `scopes` (none: any valid token).
    pub fn verify(
        &self,
        presented: Option<&str>,
        scopes: &[String],
    ) -> Result<Authorized, Rejection> {
        let presented = presented.unwrap_or_default().trim();
        // The identity source holds the token, or the token prefixed with Bearer.
        let token = presented
            .strip_prefix("Bearer")
            .or_else(|| presented.strip_prefix("bearer"))
            .filter(|rest| rest.is_empty() || rest.starts_with(' '))
            .unwrap_or(presented)
            .trim();
        if token.is_empty() {
            return Err(Rejection::Unauthorized(None));
        }
        let invalid = Rejection::Unauthorized;
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| invalid(Some("the token is not a valid JWT")))?;
        if !matches!(
            header.alg,
            Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512
        ) {
            return Err(invalid(Some("signing method is invalid")));
        }
        if header.kid.as_deref() != Some(LOCAL_KEY_ID) {
            return Err(invalid(Some(
                "the token's key id matches no key of the issuer",
            )));
        }
        let mut validation = Validation::new(header.alg);
        validation.leeway = 0;
        validation.validate_nbf = true;
        validation.set_issuer(&[LOCAL_ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss"]);
        // aud, or client_id when there is no aud: checked below, as jsonwebtoken knows only aud.
        validation.validate_aud = false;
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &self.decoding, &validation)
            .map_err(|error| {
                use jsonwebtoken::errors::ErrorKind;
                invalid(Some(match error.kind() {
                    ErrorKind::ExpiredSignature => "the token has expired",
                    ErrorKind::ImmatureSignature => "the token is not valid yet",
                    ErrorKind::InvalidIssuer => "the token does not have a valid issuer",
                    ErrorKind::InvalidSignature => "the token's signature is invalid",
                    ErrorKind::MissingRequiredClaim(_) => "the token lacks a required claim",
                    _ => "the token is invalid",
                }))
            })?
            .claims;
        let audience_ok = match claims.get("aud").or_else(|| claims.get("client_id")) {
            Some(Value::String(audience)) => audience == LOCAL_AUDIENCE,
            Some(Value::Array(audiences)) => audiences.iter().any(|a| a == LOCAL_AUDIENCE),
            _ => false,
        };
        if !audience_ok {
            return Err(invalid(Some("the token does not have a valid audience")));
        }
        let now = jiff::Timestamp::now().as_second();
        if claims
            .get("iat")
            .and_then(Value::as_i64)
            .is_some_and(|iat| iat > now)
        {
            return Err(invalid(Some("the token was issued in the future")));
        }
        let granted: Vec<String> = match claims.get("scp").or_else(|| claims.get("scope")) {
            Some(Value::String(scopes)) => scopes.split_whitespace().map(str::to_owned).collect(),
            Some(Value::Array(scopes)) => scopes.iter().map(claim_text).collect(),
            _ => Vec::new(),
        };
        let scopes = if scopes.is_empty() {
            None
        } else if granted.iter().any(|scope| scopes.contains(scope)) {
            Some(granted)
        } else {
            return Err(Rejection::Forbidden);
        };
        Ok(Authorized {
            claims: claims_as_strings(&claims),
            scopes,
        })
    }
}

/// The claims as the authorizer passes them to the integration: every value as text (numbers and
/// booleans as written, an array as `[a b]`, an object as its JSON), null-valued ones left out.
pub fn claims_as_strings(claims: &Map<String, Value>) -> HashMap<String, String> {
    claims
        .iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(name, value)| (name.clone(), claim_text(value)))
        .collect()
}

fn claim_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(claim_text).collect::<Vec<_>>().join(" ")
        ),
        other => other.to_string(),
    }
}

/// A new 2048-bit RSA key as PKCS #8 PEM.
fn new_key_pem() -> Result<String, Error> {
    let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|error| error.to_string())?;
    let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair)
        .map_err(|error| error.to_string())?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for line in encoded.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line)?);
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    Ok(pem)
}

/// Writes `text` to a new file that only its owner may read (0600), never widening an existing one.
fn write_private(path: &Path, text: &str) -> Result<(), Error> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer() -> LocalIssuer {
        LocalIssuer::generate().unwrap()
    }

    fn recruiter() -> Value {
        json!({"sub": "u1", "email": "r@acme.example", "custom:organization_id": "acme",
               "email_verified": true, "cognito:groups": ["admins", "recruiters"],
               "address": {"country": "FI"}})
    }

    #[test]
    fn a_valid_token_passes_with_its_claims_as_strings() {
        let issuer = issuer();
        let token = issuer.mint(&recruiter(), 60).unwrap();
        let authorized = issuer
            .verify(Some(format!("Bearer {token}").as_str()), &[])
            .unwrap();
        let claims = &authorized.claims;
        assert_eq!(claims["custom:organization_id"], "acme");
        assert_eq!(claims["email_verified"], "true");
        assert_eq!(claims["cognito:groups"], "[admins recruiters]");
        assert_eq!(claims["address"], r#"{"country":"FI"}"#);
        let with_null = json!({"picture": null, "name": "Rita"});
        let strings = claims_as_strings(with_null.as_object().unwrap());
        assert_eq!(strings.len(), 1, "a null-valued claim is left out");
        assert!(claims["exp"].parse::<i64>().is_ok());
        assert_eq!(authorized.scopes, None);
        // The token alone, without the Bearer prefix, is accepted too.
        assert!(issuer.verify(Some(token.as_str()), &[]).is_ok());
    }

    #[test]
    fn bad_tokens_are_refused_with_the_reason() {
        let issuer = issuer();
        let description = |presented: Option<&str>| match issuer.verify(presented, &[]) {
            Err(Rejection::Unauthorized(description)) => description,
            other => panic!("{other:?}"),
        };
        assert_eq!(description(None), None);
        assert_eq!(description(Some("Bearer ")), None);
        let expired = issuer.mint(&recruiter(), -10).unwrap();
        assert_eq!(
            description(Some(expired.as_str())),
            Some("the token has expired")
        );
        let other_key = LocalIssuer::generate()
            .unwrap()
            .mint(&recruiter(), 60)
            .unwrap();
        assert_eq!(
            description(Some(other_key.as_str())),
            Some("the token's signature is invalid")
        );
        let mut claims = recruiter();
        claims["aud"] = json!("someone-else");
        let wrong_audience = issuer.mint(&claims, 60).unwrap();
        assert_eq!(
            description(Some(wrong_audience.as_str())),
            Some("the token does not have a valid audience")
        );
        // No aud: client_id is the audience.
        let mut claims = recruiter();
        claims["aud"] = Value::Null;
        claims["client_id"] = json!(LOCAL_AUDIENCE);
        let access = issuer.mint(&claims, 60).unwrap();
        assert!(issuer.verify(Some(access.as_str()), &[]).is_ok());
        let mut claims = recruiter();
        claims["iss"] = json!("https://evil.example");
        let foreign = issuer.mint(&claims, 60).unwrap();
        assert_eq!(
            description(Some(foreign.as_str())),
            Some("the token does not have a valid issuer")
        );
        let mut claims = recruiter();
        claims["nbf"] = json!(jiff::Timestamp::now().as_second() + 600);
        let early = issuer.mint(&claims, 6000).unwrap();
        assert_eq!(
            description(Some(early.as_str())),
            Some("the token is not valid yet")
        );
        let hs256 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &json!({"iss": LOCAL_ISSUER, "aud": LOCAL_AUDIENCE, "exp": 4_000_000_000_i64}),
            &EncodingKey::from_secret(b"guessable").unwrap(),
        )
        .unwrap();
        assert_eq!(
            description(Some(hs256.as_str())),
            Some("signing method is invalid")
        );
    }

    #[test]
    fn a_route_with_scopes_needs_one_of_them() {
        let issuer = issuer();
        let mut claims = recruiter();
        claims["scope"] = json!("invitations/read openid");
        let token = issuer.mint(&claims, 60).unwrap();
        let read = ["invitations/read".to_owned()];
        assert_eq!(
            issuer.verify(Some(token.as_str()), &read).unwrap().scopes,
            Some(vec!["invitations/read".to_owned(), "openid".to_owned()])
        );
        let write = ["invitations/write".to_owned()];
        assert_eq!(
            issuer.verify(Some(token.as_str()), &write),
            Err(Rejection::Forbidden)
        );
    }

    #[test]
    fn the_key_file_is_created_readable_by_its_owner_only_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let folder = std::env::temp_dir().join(format!("local-api-key-{}", ulid::Ulid::new()));
        let path = folder.join("key.pem");
        let first = LocalIssuer::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let token = first.mint(&recruiter(), 60).unwrap();
        let again = LocalIssuer::load_or_create(&path).unwrap();
        assert!(again.verify(Some(token.as_str()), &[]).is_ok());
        std::fs::remove_dir_all(folder).unwrap();
    }
}
