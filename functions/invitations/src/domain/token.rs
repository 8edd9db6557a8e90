//! The candidate's personal link carries a bearer token: whoever holds it may answer the interview.
//!
//! It is a split token: a selector that names the invitation (its organization and id, not secret)
//! and a verifier of 256 random bits, encoded together as one opaque base64url string. The
//! selector lets the candidate API fetch the invitation with one GetItem; only the SHA-256 of the
//! verifier is stored, on the invitation, so a leak of the table does not leak working links. The
//! hash comparison needs no constant time: knowing the stored hash does not give a working token.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::domain::{InvitationId, OrganizationId};

/// The secret itself. Deliberately not `Debug`-printable and not `Serialize`, so it cannot end up
/// in a log line or a stored item by accident.
pub struct CandidateToken {
    organization: OrganizationId,
    invitation: InvitationId,
    verifier: [u8; CandidateToken::VERIFIER_BYTES],
    encoded: String,
}

/// What is stored: the hex SHA-256 of the token's verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateTokenHash(String);

impl CandidateToken {
    const VERIFIER_BYTES: usize = 32;
    const ID_BYTES: usize = 16;

    pub fn generate(organization: &OrganizationId, invitation: InvitationId) -> Self {
        let mut verifier = [0u8; Self::VERIFIER_BYTES];
        getrandom::fill(&mut verifier).expect("the operating system's random source is available");
        let mut bytes = Vec::with_capacity(Self::VERIFIER_BYTES + Self::ID_BYTES + 64);
        bytes.extend_from_slice(&verifier);
        bytes.extend_from_slice(&invitation.to_bytes());
        bytes.extend_from_slice(organization.as_str().as_bytes());
        Self {
            organization: organization.clone(),
            invitation,
            verifier,
            encoded: URL_SAFE_NO_PAD.encode(bytes),
        }
    }

    /// A token from a link; only well-formed tokens are looked up.
    pub fn parse(raw: &str) -> Option<Self> {
        let decoded = URL_SAFE_NO_PAD.decode(raw).ok()?;
        let (verifier, selector) = decoded.split_first_chunk::<{ Self::VERIFIER_BYTES }>()?;
        let (id, organization) = selector.split_first_chunk::<{ Self::ID_BYTES }>()?;
        let organization = OrganizationId::parse(std::str::from_utf8(organization).ok()?).ok()?;
        Some(Self {
            organization,
            invitation: InvitationId::from_bytes(*id),
            verifier: *verifier,
            encoded: raw.to_owned(),
        })
    }

    /// The invitation the token claims to open; only the stored hash proves it does.
    pub fn invitation(&self) -> (&OrganizationId, InvitationId) {
        (&self.organization, self.invitation)
    }

    pub fn hash(&self) -> CandidateTokenHash {
        let digest = Sha256::digest(self.verifier);
        CandidateTokenHash(digest.iter().map(|byte| format!("{byte:02x}")).collect())
    }

    /// Only for building the candidate's link.
    pub fn expose(&self) -> &str {
        &self.encoded
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
    use jiff::Timestamp;

    use super::*;

    fn invitation() -> (OrganizationId, InvitationId) {
        (
            OrganizationId::parse("acme").unwrap(),
            InvitationId::generate(Timestamp::now()),
        )
    }

    #[test]
    fn tokens_are_long_random_url_safe_and_name_their_invitation() {
        let (organization, id) = invitation();
        let a = CandidateToken::generate(&organization, id);
        let b = CandidateToken::generate(&organization, id);
        assert_ne!(a.expose(), b.expose());
        assert_ne!(a.hash(), b.hash());
        // 32 + 16 + 4 bytes, base64url without padding.
        assert_eq!(a.expose().len(), 70);
        assert!(
            a.expose()
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        let parsed = CandidateToken::parse(a.expose()).unwrap();
        assert_eq!(parsed.invitation(), (&organization, id));
        assert_eq!(parsed.hash(), a.hash());
    }

    #[test]
    fn the_hash_is_stable_and_reveals_nothing_of_the_token() {
        let (organization, id) = invitation();
        let token = CandidateToken::generate(&organization, id);
        let hash = token.hash();
        assert_eq!(hash, CandidateToken::parse(token.expose()).unwrap().hash());
        assert_eq!(hash.as_str().len(), 64);
        assert!(!hash.as_str().contains(token.expose()));
        assert_eq!(format!("{token:?}"), "CandidateToken(<redacted>)");
    }

    #[test]
    fn malformed_tokens_are_not_looked_up() {
        let (organization, id) = invitation();
        let token = CandidateToken::generate(&organization, id);
        let raw = token.expose();
        // Cut inside the verifier or the id, or with no organization left.
        assert!(CandidateToken::parse(&raw[..42]).is_none());
        assert!(CandidateToken::parse(&raw[..64]).is_none());
        // A character more: the organization would end in a NUL byte.
        assert!(CandidateToken::parse(&format!("{raw}A")).is_none());
        assert!(CandidateToken::parse("../../etc/passwd").is_none());
        assert!(CandidateToken::parse("").is_none());
        // An organization that could not exist.
        let forged = URL_SAFE_NO_PAD.encode([&[0u8; 48][..], b"acme/../x"].concat());
        assert!(CandidateToken::parse(&forged).is_none());
    }
}
