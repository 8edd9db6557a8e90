//! `Idempotency-Key` on the recruiter API's POSTs, over HTTP: the header, what makes a retry "the
//! same request", which answers are kept and how a kept one is replayed, and the wrapper that
//! handles a keyed request once. The records themselves are behind
//! [`IdempotencyRecords`](crate::ports::IdempotencyRecords); a retry with another body gets 422, a
//! retry while the first is still running 409.

use std::future::Future;

use jiff::Timestamp;
use lambda_http::http::{HeaderValue, Method, StatusCode, header};
use lambda_http::{Body, Request, Response};

use super::problem::ApiError;
use super::validation::FieldError;
use super::{body_bytes, route_path};
use crate::app::idempotency::{Held, decide};
use crate::domain::{InvitationId, OrganizationId};
use crate::ports::{
    IdempotencyKey, IdempotencyRecords, RequestFingerprint, SavedResponse, StoreError,
};

pub const HEADER: &str = "idempotency-key";

/// The `Idempotency-Key` of a POST, if it has one; a 422 naming the header when it is malformed.
pub fn idempotency_key(request: &Request) -> Result<Option<IdempotencyKey>, ApiError> {
    if request.method() != Method::POST {
        return Ok(None);
    }
    let Some(value) = request.headers().get(HEADER) else {
        return Ok(None);
    };
    value
        .to_str()
        .map_err(|_| "must be visible ASCII".to_owned())
        .and_then(IdempotencyKey::parse)
        .map(Some)
        .map_err(|detail| ApiError::Validation(vec![FieldError::header("Idempotency-Key", detail)]))
}

/// What makes a retry under an Idempotency-Key "the same request": method, path (without the
/// stage) and body.
pub fn fingerprint(request: &Request) -> RequestFingerprint {
    RequestFingerprint::of(
        request.method().as_str(),
        route_path(request),
        body_bytes(request),
    )
}

/// The answer to keep, when it is one a retry should get again: the answer of a request that
/// changed something, a success or a 502 (the invitation it names is stored). A refusal (4xx) or a
/// 500/503 changed nothing, so a retry is free to run again, with the key, as Stripe's keys do;
/// and sending an invitation claims its key only in its first write.
pub fn worth_keeping(response: &Response<Body>) -> Option<SavedResponse> {
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
    Some(SavedResponse {
        status: status.as_u16(),
        content_type: text(header::CONTENT_TYPE).unwrap_or_default(),
        location: text(header::LOCATION),
        body,
    })
}

/// The saved answer again, marked as a replay.
pub fn replay(saved: &SavedResponse) -> Response<Body> {
    let mut response = Response::builder()
        .status(saved.status)
        .header(header::CONTENT_TYPE, &saved.content_type)
        .header("idempotent-replayed", "true");
    if let Some(location) = &saved.location {
        response = response.header(header::LOCATION, location);
    }
    response
        .body(Body::Text(saved.body.clone()))
        .expect("a saved response was a valid one")
}

/// The answer to a request whose key is held: the replay, or a 409/422 problem.
pub fn answer_held(held: Held) -> Result<Response<Body>, ApiError> {
    match held {
        Held::Replay(saved) => Ok(replay(&saved)),
        Held::StillRunning => Err(ApiError::IdempotencyKeyInUse),
        Held::KeyReused => Err(ApiError::IdempotencyKeyReused),
        Held::Erased => Err(ApiError::IdempotencyKeyErased),
    }
}

/// Handles a request with an Idempotency-Key once: claims the key, runs `handle`, and keeps its
/// answer for the key's retries (or frees the key when the answer changed nothing). Retries get
/// the kept answer, or a 409/422 problem (410 once the invitation it was `about` is erased: the
/// answer is recorded on it, see `IdempotencyRecords::save_idempotent_response`). `check` is the
/// request's own validation, run before that 410: an erased key's request is known by its route
/// alone, and an invalid request to the same route can't have been the one whose answer was kept.
#[allow(clippy::too_many_arguments)]
pub async fn idempotently<R, F>(
    records: &R,
    organization: &OrganizationId,
    key: &IdempotencyKey,
    fingerprint: &RequestFingerprint,
    now: Timestamp,
    about: Option<InvitationId>,
    check: impl FnOnce() -> Result<(), ApiError>,
    handle: F,
) -> Result<Response<Body>, ApiError>
where
    R: IdempotencyRecords,
    F: Future<Output = Response<Body>>,
{
    let claim = records
        .claim_idempotency_key(organization, key, fingerprint, now)
        .await?;
    let ticket = match decide(claim, fingerprint) {
        Ok(ticket) => ticket,
        Err(Held::Erased) => {
            check()?;
            return Err(ApiError::IdempotencyKeyErased);
        }
        Err(held) => return answer_held(held),
    };
    let response = handle.await;
    let recorded = match worth_keeping(&response) {
        Some(saved) => match records
            .save_idempotent_response(organization, key, &ticket, &saved, about)
            .await
        {
            // Its invitation was erased meanwhile: no copy of it is kept.
            Err(StoreError::Conflict) if about.is_some() => {
                records
                    .release_idempotency_key(organization, key, &ticket)
                    .await
            }
            other => other,
        },
        None => {
            records
                .release_idempotency_key(organization, key, &ticket)
                .await
        }
    };
    if let Err(error) = recorded {
        // The claim then frees itself when its lease ends; the answer stands.
        tracing::warn!(%error, "the idempotency record was not updated");
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ports::saved_response as saved;

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
            assert!(worth_keeping(&response(kept)).is_some(), "{kept}");
        }
        for dropped in [400, 404, 409, 422, 500, 503, 504] {
            assert!(worth_keeping(&response(dropped)).is_none(), "{dropped}");
        }
    }

    #[test]
    fn a_replay_is_the_saved_answer_marked_as_such() {
        let replay = replay(&saved(201));
        assert_eq!(replay.status(), 201);
        assert_eq!(replay.headers()[header::LOCATION], "/invitations/1");
        assert_eq!(replay.headers()["idempotent-replayed"], "true");
    }
}
