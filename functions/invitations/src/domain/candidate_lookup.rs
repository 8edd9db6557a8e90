//! Finding a candidate's invitations by address, for erasure and access requests (GDPR articles
//! 17 and 15), without a table scan and without storing the address where it can be matched.
//!
//! Each invitation carries a [`CandidateEmailDigest`]: HMAC-SHA-256 (RFC 2104) of the normalised
//! address and the organization under the deployment's [`CandidateLookupKey`] (a Secrets Manager
//! secret). A table dump therefore does not reveal whether an address is present (the digest of a
//! guessed address cannot be computed without the key), nor link one candidate across
//! organizations (the organization is part of the input).

use std::fmt;

use hmac::Mac;

use super::token::HmacKey;
use super::{EmailAddress, OrganizationId};

/// The deployment's key of candidate lookups: at least 32 bytes (`CandidateLookupKey::MIN_BYTES`).
pub struct CandidateLookupKey(HmacKey);

impl CandidateLookupKey {
    pub const MIN_BYTES: usize = HmacKey::MIN_BYTES;

    /// A key of at least [`Self::MIN_BYTES`] bytes, or why not.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, String> {
        HmacKey::new(bytes.into()).map(Self)
    }
}

/// The keyed digest of a candidate's address in one organization: 64 hex digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CandidateEmailDigest(String);

impl CandidateEmailDigest {
    /// The digest of `address` in `organization`, of its [`EmailAddress::lookup_form`]: so
    /// `Anna@Example.FI` finds what was sent to `anna@example.fi`.
    pub fn of(
        key: &CandidateLookupKey,
        organization: &OrganizationId,
        address: &EmailAddress,
    ) -> Self {
        let mut mac = key.0.mac();
        // The label and the organization's length keep the parts from running together, and apart
        // from the follow-up links' inputs under any key.
        mac.update(b"candidate-email/1");
        let organization = organization.as_str().as_bytes();
        mac.update(&[u8::try_from(organization.len()).expect("an organization id is short")]);
        mac.update(organization);
        mac.update(address.lookup_form().as_bytes());
        Self(
            mac.finalize()
                .into_bytes()
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect(),
        )
    }

    /// A digest as the store holds it.
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Only a prefix: a digest is pseudonymous data, not for logs.
impl fmt::Debug for CandidateEmailDigest {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "CandidateEmailDigest({}…)",
            &self.0[..8.min(self.0.len())]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> CandidateLookupKey {
        CandidateLookupKey::new([byte; 32]).unwrap()
    }

    fn address(raw: &str) -> EmailAddress {
        EmailAddress::parse(raw).unwrap()
    }

    #[test]
    fn the_same_address_in_any_case_has_one_digest_per_organization_and_key() {
        let acme = OrganizationId::parse("acme").unwrap();
        let globex = OrganizationId::parse("globex").unwrap();
        let digest = CandidateEmailDigest::of(&key(1), &acme, &address("anna@example.fi"));
        assert_eq!(digest.as_str().len(), 64);
        assert_eq!(
            digest,
            CandidateEmailDigest::of(&key(1), &acme, &address(" Anna@EXAMPLE.fi "))
        );
        assert_ne!(
            digest,
            CandidateEmailDigest::of(&key(1), &globex, &address("anna@example.fi")),
            "organizations cannot link a candidate through the digest"
        );
        assert_ne!(
            digest,
            CandidateEmailDigest::of(&key(2), &acme, &address("anna@example.fi")),
            "without the key, a guessed address gives another digest"
        );
        assert_ne!(
            digest,
            CandidateEmailDigest::of(&key(1), &acme, &address("anna2@example.fi"))
        );
    }

    #[test]
    fn a_short_key_is_refused_and_a_digest_is_not_logged_whole() {
        assert!(CandidateLookupKey::new([0u8; 31]).is_err());
        let acme = OrganizationId::parse("acme").unwrap();
        let digest = CandidateEmailDigest::of(&key(1), &acme, &address("anna@example.fi"));
        assert!(!format!("{digest:?}").contains(digest.as_str()));
    }
}
