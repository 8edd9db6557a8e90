//! The candidate's personal link carries a bearer token: whoever holds it may answer the interview.
//! It is random (256 bits), shown once (in the email) and stored only as a SHA-256 hash, so a leak
//! of the table does not leak working links. A hash lookup needs no constant-time comparison: the
//! attacker does not control the stored value being compared against.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// The secret itself. Deliberately not `Debug`-printable and not `Serialize`, so it cannot end up
/// in a log line or a stored item by accident.
pub struct CandidateToken(String);

/// What is stored: the hex SHA-256 of the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateTokenHash(String);

impl CandidateToken {
    const BYTES: usize = 32;

    pub fn generate() -> Self {
        let mut bytes = [0u8; Self::BYTES];
        getrandom::fill(&mut bytes).expect("the operating system's random source is available");
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token from a link; only well-formed tokens are hashed and looked up.
    pub fn parse(raw: &str) -> Option<Self> {
        let decoded = URL_SAFE_NO_PAD.decode(raw).ok()?;
        (decoded.len() == Self::BYTES).then(|| Self(raw.to_owned()))
    }

    pub fn hash(&self) -> CandidateTokenHash {
        let digest = Sha256::digest(self.0.as_bytes());
        CandidateTokenHash(digest.iter().map(|byte| format!("{byte:02x}")).collect())
    }

    /// Only for building the candidate's link.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CandidateToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CandidateToken(<redacted>)")
    }
}

impl CandidateTokenHash {
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let a = CandidateToken::generate();
        let b = CandidateToken::generate();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), 43);
        assert!(
            a.expose()
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }

    #[test]
    fn the_hash_is_stable_and_reveals_nothing_of_the_token() {
        let token = CandidateToken::generate();
        let hash = token.hash();
        assert_eq!(hash, CandidateToken::parse(token.expose()).unwrap().hash());
        assert_eq!(hash.as_str().len(), 64);
        assert!(!hash.as_str().contains(token.expose()));
        assert_eq!(format!("{token:?}"), "CandidateToken(<redacted>)");
    }

    #[test]
    fn malformed_tokens_are_not_looked_up() {
        let token = CandidateToken::generate();
        assert!(CandidateToken::parse(&token.expose()[..42]).is_none());
        assert!(CandidateToken::parse(&format!("{}A", token.expose())).is_none());
        assert!(CandidateToken::parse("../../etc/passwd").is_none());
        assert!(CandidateToken::parse("").is_none());
    }
}
