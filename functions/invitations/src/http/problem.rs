//! Every error the HTTP API answers, mapped to an RFC 9457 `application/problem+json` response in
//! this one place.

use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Response};
use serde::Serialize;

use super::validation::{FieldError, MalformedJson};
use crate::app::{AppError, GoneReason};
use crate::domain::{ExtensionRefused, MAX_RESENDS, RESEND_COOL_DOWN, ResendRefused};
use crate::ports::StoreError;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("the request carries no valid recruiter identity")]
    Unauthorized,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed { allowed: &'static str },
    #[error("the body must be application/json")]
    UnsupportedMediaType,
    #[error("the body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{0}")]
    MalformedJson(MalformedJson),
    #[error("invalid fields")]
    Validation(Vec<FieldError>),
    /// A dependency (the database) failed or timed out; nothing was changed.
    #[error("a dependency is unavailable")]
    Unavailable,
    /// A batch is stored, but some of its invitations could not be (the database failed
    /// half-way): its rows read `missing` at `location`; those are never sent.
    #[error("the batch is stored, but not all of its invitations")]
    BatchIncomplete { location: String },
    /// The invitation is stored with status `send_failed`: the email did not go out.
    #[error("the invitation email could not be sent")]
    SendFailed {
        invitation_id: String,
        location: String,
    },
    /// The candidate's invitation can no longer be answered.
    #[error("the invitation is {}", .0.code())]
    Gone(GoneReason),
    /// The recruiter's email address is not verified by the identity provider.
    #[error("the recruiter's email address is not verified")]
    EmailNotVerified,
    /// The request contradicts the invitation's state (such as cancelling a completed one).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// A conditional request (`If-Match`, `If-None-Match`) whose condition did not hold.
    #[error("the precondition did not hold")]
    PreconditionFailed,
    /// A resend of an invitation whose last email may be out (`send_unconfirmed`), without the
    /// recruiter's `acceptDuplicate`.
    #[error("the last email may have been delivered")]
    SendUnconfirmed,
    /// The organization's invitation emails for today (UTC) are used up: retry after this many
    /// seconds, when the next day begins.
    #[error("the daily email quota is used up")]
    QuotaExhausted { retry_after_seconds: i64 },
    /// A resend after the answer deadline: the new link would answer 410.
    #[error("the answer deadline has passed")]
    DeadlinePassed,
    /// The invitation was sent again as often as it may be (`MAX_RESENDS`).
    #[error("the resend limit is reached")]
    ResendLimitReached,
    /// A resend sooner than `RESEND_COOL_DOWN` after the last email: retry after this many
    /// seconds.
    #[error("the last email went out too recently")]
    ResendTooSoon { retry_after_seconds: i64 },
    /// A request with this Idempotency-Key is still running.
    #[error("the idempotency key is in use")]
    IdempotencyKeyInUse,
    /// The Idempotency-Key was used for a different request.
    #[error("the idempotency key was used for another request")]
    IdempotencyKeyReused,
    /// The Idempotency-Key's request concerned an invitation that was erased since.
    #[error("the idempotency key's invitation was erased")]
    IdempotencyKeyErased,
    /// The completion is stored, but its event is not yet on the bus; repeating the call finishes it.
    #[error("the completion could not be announced")]
    CompletionNotAnnounced,
    #[error("internal error")]
    Internal,
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "store operation failed");
        match error {
            StoreError::Unavailable(_) => Self::Unavailable,
            // A used-up quota reaches the answer as `AppError::QuotaExhausted`, with its wait.
            StoreError::Conflict | StoreError::QuotaExhausted | StoreError::Corrupt(_) => {
                Self::Internal
            }
        }
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::NotFound => Self::NotFound,
            AppError::Conflict(why) => Self::Conflict(why),
            AppError::PreconditionFailed => Self::PreconditionFailed,
            AppError::QuotaExhausted { until_next_day } => Self::QuotaExhausted {
                retry_after_seconds: whole_seconds(until_next_day),
            },
            AppError::ResendRefused(refused) => match refused {
                ResendRefused::NotUnopened(_) => Self::Conflict(
                    "The candidate has opened this invitation, or it is completed or cancelled; it is not sent again",
                ),
                ResendRefused::Unconfirmed => Self::SendUnconfirmed,
                ResendRefused::DeadlinePassed => Self::DeadlinePassed,
                ResendRefused::LimitReached => Self::ResendLimitReached,
                ResendRefused::TooSoon { wait } => Self::ResendTooSoon {
                    retry_after_seconds: whole_seconds(wait),
                },
            },
            AppError::ExtensionRefused(refused) => match refused {
                ExtensionRefused::Deadline(error) => {
                    Self::Validation(vec![FieldError::body("/answerDeadline", error.to_string())])
                }
                ExtensionRefused::NotLater => Self::Validation(vec![FieldError::body(
                    "/answerDeadline",
                    "must end later than the current deadline",
                )]),
                ExtensionRefused::NotExtendable(_) => Self::Conflict(
                    "The invitation is completed or cancelled; its deadline is not moved",
                ),
                ExtensionRefused::LimitReached => Self::Conflict(
                    "This invitation's deadline was moved as often as it may be; invite the candidate anew",
                ),
            },
            AppError::Gone(reason) => Self::Gone(reason),
            AppError::EmailNotVerified => Self::EmailNotVerified,
            AppError::CompletionNotAnnounced => Self::CompletionNotAnnounced,
            AppError::ErasureNotAnnounced => Self::Unavailable,
            // The batch route answers it with the batch's Location (`BatchIncomplete`).
            AppError::BatchIncomplete(_) => Self::Unavailable,
            AppError::Store(error) => error.into(),
            AppError::Render(error) => {
                tracing::error!(%error, "rendering an email failed");
                Self::Internal
            }
            AppError::Mail(error) => {
                tracing::error!(%error, "an email was not sent");
                Self::Unavailable
            }
        }
    }
}

/// A wait as `Retry-After` gives it (RFC 9110 §10.2.3, delay-seconds): whole seconds, rounded up,
/// at least one.
fn whole_seconds(wait: jiff::SignedDuration) -> i64 {
    (wait.as_secs() + i64::from(wait.subsec_nanos() > 0)).max(1)
}

/// The problem document (RFC 9457 members plus our extensions), `application/problem+json`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Problem<'a> {
    /// The problem type: a URI reference, resolved against the API's base URL, whose page in
    /// docs/api.md ("Problems") explains it.
    #[serde(rename = "type")]
    #[schema(format = "uri-reference")]
    kind: &'a str,
    /// The problem type's short summary (the same for every occurrence).
    title: &'a str,
    /// The HTTP status code.
    #[schema(minimum = 400, maximum = 599)]
    status: u16,
    /// What happened this time, and what to do, for a person.
    detail: String,
    /// Every invalid field of the request (`/problems/validation` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Vec<FieldError>)]
    errors: Option<&'a [FieldError]>,
    /// The invitation the problem is about, where one was stored (`/problems/send-failed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    invitation_id: Option<&'a str>,
    /// The invitation's status, where the problem is about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    invitation_status: Option<&'a str>,
}

impl ApiError {
    /// The invitation status a problem reports, where it is about one invitation's state.
    fn invitation_status(&self) -> Option<&'static str> {
        match self {
            Self::SendFailed { .. } => Some("send_failed"),
            Self::SendUnconfirmed => Some("send_unconfirmed"),
            Self::Gone(reason) => Some(reason.code()),
            Self::CompletionNotAnnounced => Some("completed"),
            _ => None,
        }
    }
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MalformedJson(_) => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::SendFailed { .. } => StatusCode::BAD_GATEWAY,
            Self::BatchIncomplete { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Gone(_) => StatusCode::GONE,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::Conflict(_)
            | Self::SendUnconfirmed
            | Self::DeadlinePassed
            | Self::ResendLimitReached
            | Self::IdempotencyKeyInUse => StatusCode::CONFLICT,
            Self::ResendTooSoon { .. } | Self::QuotaExhausted { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Self::EmailNotVerified => StatusCode::FORBIDDEN,
            Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::IdempotencyKeyErased => StatusCode::GONE,
            Self::CompletionNotAnnounced => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem type (a URI reference, documented in docs/api.md) and its title.
    pub fn kind(&self) -> (&'static str, &'static str) {
        match self {
            Self::Unauthorized => ("/problems/unauthorized", "Unauthorized"),
            Self::NotFound => ("/problems/not-found", "Not found"),
            Self::MethodNotAllowed { .. } => ("/problems/method-not-allowed", "Method not allowed"),
            Self::UnsupportedMediaType => {
                ("/problems/unsupported-media-type", "Unsupported media type")
            }
            Self::PayloadTooLarge { .. } => ("/problems/payload-too-large", "Payload too large"),
            Self::MalformedJson(_) => ("/problems/malformed-json", "Malformed JSON"),
            Self::Validation(_) => ("/problems/validation", "Invalid request"),
            Self::Unavailable => ("/problems/unavailable", "Service temporarily unavailable"),
            Self::SendFailed { .. } => ("/problems/send-failed", "Invitation email not sent"),
            Self::BatchIncomplete { .. } => {
                ("/problems/batch-incomplete", "Batch stored incompletely")
            }
            Self::Gone(GoneReason::Expired) => {
                ("/problems/invitation-expired", "Invitation expired")
            }
            Self::Gone(GoneReason::Cancelled) => {
                ("/problems/invitation-cancelled", "Invitation cancelled")
            }
            Self::Conflict(_) => ("/problems/conflict", "Conflict"),
            Self::PreconditionFailed => ("/problems/precondition-failed", "Changed meanwhile"),
            Self::SendUnconfirmed => (
                "/problems/send-unconfirmed",
                "The last email may have been delivered",
            ),
            Self::DeadlinePassed => ("/problems/deadline-passed", "Answer deadline passed"),
            Self::ResendLimitReached => (
                "/problems/resend-limit-reached",
                "Sent again as often as allowed",
            ),
            Self::ResendTooSoon { .. } => ("/problems/resend-too-soon", "Sent too recently"),
            Self::QuotaExhausted { .. } => (
                "/problems/daily-email-quota",
                "Daily invitation emails used up",
            ),
            Self::EmailNotVerified => {
                ("/problems/email-not-verified", "Email address not verified")
            }
            Self::IdempotencyKeyInUse => (
                "/problems/idempotency-key-in-use",
                "Request with this key in progress",
            ),
            Self::IdempotencyKeyReused => (
                "/problems/idempotency-key-reused",
                "Idempotency key used for another request",
            ),
            Self::IdempotencyKeyErased => (
                "/problems/invitation-erased",
                "The request's invitation was erased",
            ),
            Self::CompletionNotAnnounced => (
                "/problems/completion-not-announced",
                "Completion stored, not yet announced",
            ),
            Self::Internal => ("/problems/internal", "Internal error"),
        }
    }

    fn detail(&self) -> String {
        match self {
            Self::Unauthorized => "Sign in again: the request carries no valid recruiter identity.".to_owned(),
            Self::NotFound => "There is nothing here, or it is not yours to see.".to_owned(),
            Self::MethodNotAllowed { allowed } => format!("This resource allows {allowed}."),
            Self::UnsupportedMediaType => "Send the body as application/json.".to_owned(),
            Self::PayloadTooLarge { limit } => format!("The body must be at most {limit} bytes."),
            Self::MalformedJson(error) => format!("The body could not be read: {error}."),
            Self::Validation(errors) => format!(
                "{} field{} invalid; see errors.",
                errors.len(),
                if errors.len() == 1 { " is" } else { "s are" }
            ),
            Self::Unavailable => "A service we depend on is unavailable. Nothing was changed; try again shortly.".to_owned(),
            Self::SendFailed { .. } => "The invitation is stored, but its email could not be sent. It is listed with status send_failed.".to_owned(),
            Self::BatchIncomplete { .. } => "The batch is stored, but a service we depend on failed while storing its invitations. Its rows (Location) tell which are missing; those are not sent. Send them again in a new batch: the others are skipped as already invited.".to_owned(),
            Self::Gone(GoneReason::Expired) => "The answer deadline of this video interview has passed.".to_owned(),
            Self::Gone(GoneReason::Cancelled) => "This video interview invitation was cancelled.".to_owned(),
            Self::Conflict(why) => format!("{why}."),
            Self::PreconditionFailed => "It changed since you read it (or is not as If-Match or If-None-Match expected); nothing was changed. Read it again, with its ETag, and retry.".to_owned(),
            Self::QuotaExhausted { retry_after_seconds } => format!("Your organization has fewer invitation emails left today (UTC) than this request needs; nothing was stored or sent. Sending works again when the next day begins, in {retry_after_seconds} seconds."),
            Self::DeadlinePassed => "The answer deadline of this invitation has passed, so the candidate could no longer answer; it is not sent again.".to_owned(),
            Self::ResendLimitReached => format!("This invitation was sent again {MAX_RESENDS} times already; it is not sent again. If the candidate still has no email, check the address and invite them anew."),
            Self::ResendTooSoon { retry_after_seconds } => format!("The last email of this invitation went out less than {} minutes ago. Give it time to arrive; you can send it again in {retry_after_seconds} seconds.", RESEND_COOL_DOWN.as_mins()),
            Self::SendUnconfirmed => "The email service did not confirm this invitation's last email, so the candidate may have it. To send it again anyway, accepting that they may get it twice, send {\"acceptDuplicate\": true}.".to_owned(),
            Self::EmailNotVerified => "Your email address is not verified. Copies, notices and candidates' replies would go to it, so no invitation is sent until you verify it (then sign in again).".to_owned(),
            Self::IdempotencyKeyInUse => "A request with this Idempotency-Key is still being handled. Retry shortly to get its answer.".to_owned(),
            Self::IdempotencyKeyReused => "This Idempotency-Key was already used for a different request (another path or body). Use a new key for a new request.".to_owned(),
            Self::IdempotencyKeyErased => "The invitation this Idempotency-Key's request concerned was erased, with its saved answer; nothing was done again. Use a new key for a new request.".to_owned(),
            Self::CompletionNotAnnounced => "Your answers are saved. Confirming them failed for a moment: send the same request again.".to_owned(),
            Self::Internal => "Something went wrong on our side.".to_owned(),
        }
    }

    pub fn into_response(self) -> Response<Body> {
        let (kind, title) = self.kind();
        let status = self.status();
        let (invitation_id, location) = match &self {
            Self::SendFailed {
                invitation_id,
                location,
            } => (Some(invitation_id.as_str()), Some(location.as_str())),
            Self::BatchIncomplete { location } => (None, Some(location.as_str())),
            _ => (None, None),
        };
        let problem = Problem {
            kind,
            title,
            status: status.as_u16(),
            detail: self.detail(),
            errors: match &self {
                Self::Validation(errors) => Some(errors),
                _ => None,
            },
            invitation_id,
            invitation_status: self.invitation_status(),
        };
        let body = serde_json::to_string(&problem).expect("a problem always serializes");
        let mut response = Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "application/problem+json");
        if let Self::MethodNotAllowed { allowed } = &self {
            response = response.header(header::ALLOW, *allowed);
        }
        if let Some(location) = location {
            response = response.header(header::LOCATION, location);
        }
        if matches!(
            self,
            Self::Unavailable | Self::CompletionNotAnnounced | Self::IdempotencyKeyInUse
        ) {
            response = response.header(header::RETRY_AFTER, "1");
        }
        if let Self::ResendTooSoon {
            retry_after_seconds,
        }
        | Self::QuotaExhausted {
            retry_after_seconds,
        } = &self
        {
            response = response.header(header::RETRY_AFTER, retry_after_seconds.to_string());
        }
        response
            .body(Body::Text(body))
            .expect("static headers are valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(response: &Response<Body>) -> serde_json::Value {
        match response.body() {
            Body::Text(text) => serde_json::from_str(text).unwrap(),
            _ => panic!("not text"),
        }
    }

    #[test]
    fn validation_problems_list_every_field() {
        let response = ApiError::Validation(vec![
            FieldError {
                pointer: Some("/email".into()),
                parameter: None,
                header: None,
                detail: "bad".into(),
            },
            FieldError {
                pointer: None,
                parameter: Some("limit".into()),
                header: None,
                detail: "bad".into(),
            },
        ])
        .into_response();
        assert_eq!(response.status(), 422);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let body = body(&response);
        assert_eq!(body["status"], 422);
        assert_eq!(body["type"], "/problems/validation");
        assert_eq!(body["errors"][0]["pointer"], "/email");
        assert_eq!(body["errors"][1]["parameter"], "limit");
        assert_eq!(body["detail"], "2 fields are invalid; see errors.");
    }

    #[test]
    fn a_failed_send_names_the_stored_invitation() {
        let response = ApiError::SendFailed {
            invitation_id: "01ABC".into(),
            location: "/invitations/01ABC".into(),
        }
        .into_response();
        assert_eq!(response.status(), 502);
        assert_eq!(response.headers()[header::LOCATION], "/invitations/01ABC");
        let body = body(&response);
        assert_eq!(body["invitationId"], "01ABC");
        assert_eq!(body["invitationStatus"], "send_failed");
    }

    #[test]
    fn gone_says_whether_expired_or_cancelled() {
        for (reason, kind) in [
            (GoneReason::Expired, "/problems/invitation-expired"),
            (GoneReason::Cancelled, "/problems/invitation-cancelled"),
        ] {
            let response = ApiError::Gone(reason).into_response();
            assert_eq!(response.status(), 410);
            let body = body(&response);
            assert_eq!(body["type"], kind);
            assert_eq!(body["invitationStatus"], reason.code());
        }
    }

    #[test]
    fn retryable_failures_say_when_to_retry() {
        for error in [ApiError::Unavailable, ApiError::CompletionNotAnnounced] {
            let response = error.into_response();
            assert_eq!(response.status(), 503);
            assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        }
    }
}
