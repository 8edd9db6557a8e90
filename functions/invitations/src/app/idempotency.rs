//! What a request with an `Idempotency-Key` does, given what holds the key: go ahead, replay the
//! saved answer, or refuse (409 while the first is running, 422 for another request, 410 once its
//! invitation is erased).

use crate::ports::{ClaimTicket, KeyClaim, RequestFingerprint, SavedResponse};

/// Why a request that carries a key does not go ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Held {
    /// The same request finished: its saved answer is the answer.
    Replay(SavedResponse),
    /// The same request is still running: retry shortly (409).
    StillRunning,
    /// The key was used for another request (422).
    KeyReused,
    /// The key's request, to this same route, concerned an invitation since erased (410). Its
    /// body is not known any more: a caller that can tell an invalid body answers that instead,
    /// since it cannot have been the first request's (only answers that changed something are
    /// kept).
    Erased,
}

/// Goes ahead with the ticket of a claimed key, or says why the key is held.
pub fn decide(claim: KeyClaim, fingerprint: &RequestFingerprint) -> Result<ClaimTicket, Held> {
    match claim {
        KeyClaim::Claimed(ticket) => Ok(ticket),
        KeyClaim::Erased { route: Some(held) } if fingerprint.route() != Some(&held) => {
            Err(Held::KeyReused)
        }
        KeyClaim::Erased { .. } => Err(Held::Erased),
        KeyClaim::InProgress { fingerprint: held }
        | KeyClaim::Completed {
            fingerprint: held, ..
        } if held != *fingerprint => Err(Held::KeyReused),
        KeyClaim::InProgress { .. } => Err(Held::StillRunning),
        KeyClaim::Completed { response, .. } => Err(Held::Replay(response)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ports::saved_response as saved;

    #[test]
    fn decisions() {
        let mine = RequestFingerprint::of("POST", "/x", b"1");
        let other = RequestFingerprint::of("POST", "/x", b"2");
        let ticket = ClaimTicket::new();
        assert_ne!(ticket, ClaimTicket::new());
        assert_eq!(decide(KeyClaim::Claimed(ticket.clone()), &mine), Ok(ticket));
        let running = |fingerprint: &RequestFingerprint| KeyClaim::InProgress {
            fingerprint: fingerprint.clone(),
        };
        assert_eq!(decide(running(&mine), &mine), Err(Held::StillRunning));
        assert_eq!(decide(running(&other), &mine), Err(Held::KeyReused));
        let done = |fingerprint: &RequestFingerprint| KeyClaim::Completed {
            fingerprint: fingerprint.clone(),
            response: saved(201),
        };
        assert_eq!(decide(done(&mine), &mine), Err(Held::Replay(saved(201))));
        assert_eq!(decide(done(&other), &mine), Err(Held::KeyReused));
        let erased = |fingerprint: &RequestFingerprint| KeyClaim::Erased {
            route: fingerprint.route().cloned(),
        };
        // Another body on the same route can't be told from the erased request: it was erased.
        assert_eq!(decide(erased(&other), &mine), Err(Held::Erased));
        let elsewhere = RequestFingerprint::of("POST", "/y", b"1");
        assert_eq!(decide(erased(&elsewhere), &mine), Err(Held::KeyReused));
        // A record stored before routes were kept is still the same request's.
        let routeless = RequestFingerprint::from_stored(mine.as_str().to_owned(), None);
        assert_eq!(
            decide(done(&routeless), &mine),
            Err(Held::Replay(saved(201)))
        );
        let unknown = KeyClaim::Erased { route: None };
        assert_eq!(decide(unknown, &mine), Err(Held::Erased));
    }
}
