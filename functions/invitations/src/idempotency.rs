//! `Idempotency-Key` for the recruiter API's POSTs, after the design of the AWS Lambda Powertools
//! idempotency utility: a record per key (scoped to the organization) is claimed with a conditional
//! write before the request is handled, holding a fingerprint of the request and an in-progress
//! expiry; the finished response is saved on it and replayed to retries; records live 24 hours
//! (DynamoDB TTL). A retry with another body gets 422, a retry while the first is still running 409.

use jiff::{SignedDuration, Timestamp};
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Response};
use sha2::{Digest, Sha256};

pub const HEADER: &str = "idempotency-key";

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

/// What makes two requests "the same": method, path and the exact body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFingerprint(String);

impl RequestFingerprint {
    pub fn of(method: &str, path: &str, body: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(method.as_bytes());
        hasher.update(b" ");
        hasher.update(path.as_bytes());
        hasher.update(b"\n");
        hasher.update(body);
        Self(hex(&hasher.finalize()))
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

/// A finished answer, as kept for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedResponse {
    pub status: u16,
    pub content_type: String,
    pub location: Option<String>,
    pub body: String,
}

impl SavedResponse {
    /// The answer to keep, when it is one a retry should get again: the answer of a request that
    /// changed something, a success or a 502 (the invitation it names is stored). A refusal (4xx)
    /// or a 500/503 changed nothing, so a retry is free to run again, with the key, as Stripe's
    /// keys do; and sending an invitation claims its key only in its first write.
    pub fn worth_keeping(response: &Response<Body>) -> Option<Self> {
        let status = response.status();
        if !(status.is_success() || status == StatusCode::BAD_GATEWAY) {
            return None;
        }
        let text = |name| {
            response
                .headers()
                .get(name)
                .and_then(|value: &HeaderValue| value.to_str().ok())
                .map(str::to_owned)
        };
        let body = match response.body() {
            Body::Text(text) => text.clone(),
            Body::Empty => String::new(),
            _ => return None,
        };
        Some(Self {
            status: status.as_u16(),
            content_type: text(header::CONTENT_TYPE).unwrap_or_default(),
            location: text(header::LOCATION),
            body,
        })
    }

    /// The saved answer again, marked as a replay.
    pub fn replay(&self) -> Response<Body> {
        let mut response = Response::builder()
            .status(self.status)
            .header(header::CONTENT_TYPE, &self.content_type)
            .header("idempotent-replayed", "true");
        if let Some(location) = &self.location {
            response = response.header(header::LOCATION, location);
        }
        response
            .body(Body::Text(self.body.clone()))
            .expect("a saved response was a valid one")
    }
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
}

/// What to do with a request that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Proceed(ClaimTicket),
    Replay(SavedResponse),
    /// The same request is still running: retry shortly (409).
    StillRunning,
    /// The key was used for another request (422).
    KeyReused,
}

pub fn decide(claim: KeyClaim, fingerprint: &RequestFingerprint) -> Decision {
    match claim {
        KeyClaim::Claimed(ticket) => Decision::Proceed(ticket),
        KeyClaim::InProgress { fingerprint: held }
        | KeyClaim::Completed {
            fingerprint: held, ..
        } if held != *fingerprint => Decision::KeyReused,
        KeyClaim::InProgress { .. } => Decision::StillRunning,
        KeyClaim::Completed { response, .. } => Decision::Replay(response),
    }
}

/// The instants a claim made at `now` records.
pub fn claim_times(now: Timestamp) -> (Timestamp, Timestamp) {
    (now + IN_PROGRESS_LEASE, now + KEY_LIFETIME)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(status: u16) -> SavedResponse {
        SavedResponse {
            status,
            content_type: "application/json".into(),
            location: Some("/invitations/1".into()),
            body: "{}".into(),
        }
    }

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

    #[test]
    fn decisions() {
        let mine = RequestFingerprint::of("POST", "/x", b"1");
        let other = RequestFingerprint::of("POST", "/x", b"2");
        let ticket = ClaimTicket::new();
        assert_ne!(ticket, ClaimTicket::new());
        assert_eq!(
            decide(KeyClaim::Claimed(ticket.clone()), &mine),
            Decision::Proceed(ticket)
        );
        let running = |fingerprint: &RequestFingerprint| KeyClaim::InProgress {
            fingerprint: fingerprint.clone(),
        };
        assert_eq!(decide(running(&mine), &mine), Decision::StillRunning);
        assert_eq!(decide(running(&other), &mine), Decision::KeyReused);
        let done = |fingerprint: &RequestFingerprint| KeyClaim::Completed {
            fingerprint: fingerprint.clone(),
            response: saved(201),
        };
        assert_eq!(decide(done(&mine), &mine), Decision::Replay(saved(201)));
        assert_eq!(decide(done(&other), &mine), Decision::KeyReused);
    }

    #[test]
    fn answers_that_changed_nothing_are_not_kept() {
        let response = |status: u16| {
            Response::builder()
                .status(status)
                .header(header::CONTENT_TYPE, "application/problem+json")
                .body(Body::Text("{}".into()))
                .unwrap()
        };
        for kept in [200, 201, 502] {
            assert!(
                SavedResponse::worth_keeping(&response(kept)).is_some(),
                "{kept}"
            );
        }
        for dropped in [400, 404, 409, 422, 500, 503, 504] {
            assert!(
                SavedResponse::worth_keeping(&response(dropped)).is_none(),
                "{dropped}"
            );
        }
    }

    #[test]
    fn a_replay_is_the_saved_answer_marked_as_such() {
        let replay = saved(201).replay();
        assert_eq!(replay.status(), 201);
        assert_eq!(replay.headers()[header::LOCATION], "/invitations/1");
        assert_eq!(replay.headers()["idempotent-replayed"], "true");
    }
}
