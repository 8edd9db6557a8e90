//! The candidate's personal link carries a bearer token: whoever holds it may answer the interview.
//!
//! It is a split token: a selector that names the invitation (its organization and id, not secret)
//! and a verifier of 256 random bits, encoded together as one opaque base64url string. The
//! selector lets the candidate API fetch the invitation with one GetItem; only the SHA-256 of the
//! verifier is stored, on the invitation, so a leak of the table does not leak working links. The
//! hash comparison needs no constant time: knowing the stored hash does not give a working token.
//!
//! The invitation email and each resend carry a random verifier. Follow-up emails (deadline
//! reminders, extension notices) carry one *follow-up link* per invitation whose verifier is
//! derived, HMAC-SHA-256 (RFC 2104) under the deployment's [`LinkKey`], from the invitation's
//! organization and id: it can be derived again for every follow-up, so however many follow-ups go
//! out, an invitation has one more working link, not one per email, and every link any email
//! carried keeps working while the invitation is open. Its hash is stored like the others (the
//! candidate API needs no key), and without the key the table gives no working link.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
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

/// The key of an HMAC-SHA-256 (RFC 2104), read from Secrets Manager. Deliberately not
/// `Debug`-printable.
pub(crate) struct HmacKey(Vec<u8>);

impl HmacKey {
    /// As many bytes as the HMAC-SHA-256 output: shorter keys weaken it (RFC 2104 §3).
    pub(crate) const MIN_BYTES: usize = 32;

    /// A key of at least [`Self::MIN_BYTES`] bytes, or why not.
    pub(crate) fn new(bytes: Vec<u8>) -> Result<Self, String> {
        if bytes.len() < Self::MIN_BYTES {
            return Err(format!("must be at least {} bytes", Self::MIN_BYTES));
        }
        Ok(Self(bytes))
    }

    /// A MAC under this key, to feed.
    pub(crate) fn mac(&self) -> Hmac<Sha256> {
        Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length")
    }
}

/// The deployment's key of follow-up links: at least 32 bytes (`LinkKey::MIN_BYTES`).
pub struct LinkKey(HmacKey);

impl LinkKey {
    pub const MIN_BYTES: usize = HmacKey::MIN_BYTES;

    /// A key of at least [`Self::MIN_BYTES`] bytes, or why not.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, String> {
        HmacKey::new(bytes.into()).map(Self)
    }
}

impl CandidateToken {
    const VERIFIER_BYTES: usize = 32;
    const ID_BYTES: usize = 16;

    /// A new random token: the invitation email's, or a resend's.
    pub fn generate(organization: &OrganizationId, invitation: InvitationId) -> Self {
        let mut verifier = [0u8; Self::VERIFIER_BYTES];
        getrandom::fill(&mut verifier).expect("the operating system's random source is available");
        Self::with_verifier(organization, invitation, verifier)
    }

    /// The invitation's follow-up token of link `generation` (a corrected address starts the
    /// next): the same every time it is derived under `key`.
    pub fn follow_up(
        key: &LinkKey,
        organization: &OrganizationId,
        invitation: InvitationId,
        generation: u32,
    ) -> Self {
        let mut mac = key.0.mac();
        // Each part's length is fixed or the part is last, so no two inputs run together.
        mac.update(b"follow-up-link/1");
        mac.update(&generation.to_be_bytes());
        mac.update(&invitation.to_bytes());
        mac.update(organization.as_str().as_bytes());
        Self::with_verifier(organization, invitation, mac.finalize().into_bytes().into())
    }

    fn with_verifier(
        organization: &OrganizationId,
        invitation: InvitationId,
        verifier: [u8; Self::VERIFIER_BYTES],
    ) -> Self {
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
    fn a_follow_up_token_is_derived_again_the_same_and_differs_by_invitation_and_key() {
        let (organization, id) = invitation();
        let key = LinkKey::new([7u8; 32]).unwrap();
        let first = CandidateToken::follow_up(&key, &organization, id, 0);
        let again = CandidateToken::follow_up(&key, &organization, id, 0);
        assert_eq!(first.expose(), again.expose());
        let parsed = CandidateToken::parse(first.expose()).unwrap();
        assert_eq!(parsed.invitation(), (&organization, id));
        assert_eq!(parsed.hash(), first.hash());
        let (_, other) = invitation();
        assert_ne!(
            CandidateToken::follow_up(&key, &organization, other, 0).hash(),
            first.hash()
        );
        let other_organization = OrganizationId::parse("globex").unwrap();
        assert_ne!(
            CandidateToken::follow_up(&key, &other_organization, id, 0).hash(),
            first.hash()
        );
        assert_ne!(
            CandidateToken::follow_up(&key, &organization, id, 1).hash(),
            first.hash(),
            "a corrected address starts a new link"
        );
        let other_key = LinkKey::new([8u8; 32]).unwrap();
        assert_ne!(
            CandidateToken::follow_up(&other_key, &organization, id, 0).hash(),
            first.hash()
        );
        assert!(LinkKey::new([7u8; 31]).is_err());
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
