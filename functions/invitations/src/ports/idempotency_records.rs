//! The store of `Idempotency-Key` records, after the design of the AWS Lambda Powertools
//! idempotency utility: a record per key (scoped to the organization) is claimed with a conditional
//! write before the request is handled, holding a fingerprint of the request and an in-progress
//! lease; the finished answer is saved on it and replayed to retries; records live 24 hours
//! (DynamoDB TTL).

use std::future::Future;

use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};

use super::StoreError;
use crate::domain::{InvitationId, OrganizationId};

/// How long a key is remembered.
pub const KEY_LIFETIME: SignedDuration = SignedDuration::from_hours(24);

/// How long a claim holds while its request runs: longer than the recruiter API's timeout (15 s),
/// so that a running request keeps it, and short, so that a crashed one frees its key soon.
pub const IN_PROGRESS_LEASE: SignedDuration = SignedDuration::from_secs(30);

/// A client's key: 1 to 255 visible ASCII characters (a UUID, typically).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let visible = raw.bytes().all(|byte| byte.is_ascii_graphic());
        if (1..=255).contains(&raw.len()) && visible {
            Ok(Self(raw.to_owned()))
        } else {
            Err("must be 1 to 255 visible ASCII characters, such as a UUID".to_owned())
        }
    }

    /// How the key is stored: a hash, so that any key makes a well-formed sort key.
    pub fn digest(&self) -> String {
        hex_sha256(self.0.as_bytes())
    }
}

/// What makes two requests "the same": method, path and the exact body (SHA-256, hex); equal
/// when that is. Its [`RouteFingerprint`] is kept apart, because it outlives an erasure.
#[derive(Debug, Clone)]
pub struct RequestFingerprint {
    request: String,
    /// `None` in a record stored before routes were kept.
    route: Option<RouteFingerprint>,
}

impl PartialEq for RequestFingerprint {
    fn eq(&self, other: &Self) -> bool {
        self.request == other.request
    }
}

impl Eq for RequestFingerprint {}

impl RequestFingerprint {
    pub fn of(method: &str, path: &str, body: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(method.as_bytes());
        hasher.update(b" ");
        hasher.update(path.as_bytes());
        hasher.update(b"\n");
        hasher.update(body);
        Self {
            request: hex(&hasher.finalize()),
            route: Some(RouteFingerprint::of(method, path)),
        }
    }

    pub fn from_stored(request: String, route: Option<RouteFingerprint>) -> Self {
        Self { request, route }
    }

    /// The whole request's.
    pub fn as_str(&self) -> &str {
        &self.request
    }

    pub fn route(&self) -> Option<&RouteFingerprint> {
        self.route.as_ref()
    }
}

/// The method and path of a request alone (SHA-256, hex): nothing of the candidate, so an erased
/// key keeps it, and still tells a request to another route (422) from a retry of its own (410).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteFingerprint(String);

impl RouteFingerprint {
    fn of(method: &str, path: &str) -> Self {
        Self(hex_sha256(format!("{method} {path}").as_bytes()))
    }

    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn hex_sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A finished answer, as kept for replay: an HTTP response's status, `Content-Type`,
/// `Location` and body text (the `http` layer turns it back into a response).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedResponse {
    pub status: u16,
    pub content_type: String,
    pub location: Option<String>,
    pub body: String,
}

/// Names one claim of a key, so that the claimant (and only it) recognizes the record as its own:
/// when a write whose answer was lost is retried by the SDK, and when it saves its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimTicket(String);

impl ClaimTicket {
    pub fn new() -> Self {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).expect("the operating system's random source is available");
        Self(hex(&bytes))
    }

    pub fn from_stored(ticket: String) -> Self {
        Self(ticket)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ClaimTicket {
    fn default() -> Self {
        Self::new()
    }
}

/// What the store holds for a key when a request tries to claim it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyClaim {
    /// The key was free (new, expired, or left in progress by a request that died): go ahead.
    Claimed(ClaimTicket),
    /// Another request with this key is running.
    InProgress { fingerprint: RequestFingerprint },
    /// A request with this key finished.
    Completed {
        fingerprint: RequestFingerprint,
        response: SavedResponse,
    },
    /// A request with this key concerned an invitation since erased: its answer (which held the
    /// candidate's data) and fingerprint are gone, and the key answers that until it expires. Its
    /// route stays; `None` in a record erased before routes were kept.
    Erased { route: Option<RouteFingerprint> },
}

/// The instants a claim made at `now` records.
pub fn claim_times(now: Timestamp) -> (Timestamp, Timestamp) {
    (now + IN_PROGRESS_LEASE, now + KEY_LIFETIME)
}

/// A saved answer with this status and a `Location`, for tests.
#[cfg(test)]
pub(crate) fn saved_response(status: u16) -> SavedResponse {
    SavedResponse {
        status,
        content_type: "application/json".into(),
        location: Some("/invitations/1".into()),
        body: "{}".into(),
    }
}

/// Idempotency records, each in its organization.
pub trait IdempotencyRecords: Send + Sync {
    /// Claims an idempotency key for a request, or tells what holds it.
    fn claim_idempotency_key(
        &self,
        organization: &OrganizationId,
        key: &IdempotencyKey,
        fingerprint: &RequestFingerprint,
        now: Timestamp,
    ) -> impl Future<Output = Result<KeyClaim, StoreError>> + Send;

    /// Keeps the finished answer of the request that claimed the key, for its retries. An answer
    /// `about` an invitation is recorded on it in the same write, so that erasing the invitation
    /// erases the answer too; `Conflict` (nothing saved) when that invitation is gone.
    fn save_idempotent_response(
        &self,
        organization: &OrganizationId,
        key: &IdempotencyKey,
        ticket: &ClaimTicket,
        response: &SavedResponse,
        about: Option<InvitationId>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Frees a claimed key at once (the request changed nothing), so that a retry may go ahead.
    fn release_idempotency_key(
        &self,
        organization: &OrganizationId,
        key: &IdempotencyKey,
        ticket: &ClaimTicket,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert!(IdempotencyKey::parse("6f1c1d1e-8a01-4b7a-9d3e-5a2b1c0d9e8f").is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(255)).is_ok());
        for bad in ["", " ", "a b", "ä", "a\r\nb", &"k".repeat(256)] {
            assert!(IdempotencyKey::parse(bad).is_err(), "{bad:?}");
        }
        let key = IdempotencyKey::parse("key#with/odd:chars").unwrap();
        assert_eq!(key.digest().len(), 64);
    }

    #[test]
    fn the_fingerprint_covers_method_path_and_every_byte_of_the_body() {
        let base = RequestFingerprint::of("POST", "/invitations", b"{\"a\":1}");
        assert_eq!(
            base,
            RequestFingerprint::of("POST", "/invitations", b"{\"a\":1}")
        );
        assert_ne!(
            base,
            RequestFingerprint::of("POST", "/invitations", b"{\"a\":2}")
        );
        assert_ne!(
            base,
            RequestFingerprint::of("POST", "/video-interviews", b"{\"a\":1}")
        );
        assert_ne!(
            base,
            RequestFingerprint::of("PUT", "/invitations", b"{\"a\":1}")
        );
    }
}
