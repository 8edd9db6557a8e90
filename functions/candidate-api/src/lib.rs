//! The candidate API: public, and authorized only by the personal token in the path; it also
//! serves the API's contract, `GET /openapi.json` (docs/openapi.json, made by the `api-contract`
//! crate, whose test keeps the copy compiled in here current). An unknown or
//! malformed token is a 404 that says nothing more, so that tokens cannot be probed. The use cases
//! are `invitations::app::candidate`; this crate routes, parses the token and shows the answer.
//!
//! `handle` never fails: every outcome is an HTTP answer (JSON or `application/problem+json`).

pub mod config;

use invitations::app::candidate::CandidateSide;
use invitations::domain::{CandidateToken, Invitation, InvitationStatus, Language};
use invitations::http::problem::ApiError;
use invitations::http::{QuestionView, json_response, route_path};
use invitations::ports::{Clock, EventBus, Invitations};
use lambda_http::http::{Method, StatusCode, header};
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use utoipa::ToSchema;

use invitations::http::schemas;

pub struct CandidateApi<S, B, C> {
    store: S,
    bus: B,
    clock: C,
}

type Answer = Result<Response<Body>, ApiError>;

enum Route {
    Invitation(String),
    Completion(String),
    OpenApi,
}

/// The API's OpenAPI document, as committed.
pub const OPENAPI_DOCUMENT: &str = include_str!("../../../docs/openapi.json");

/// Every route of this function, as API Gateway's route keys name them (`METHOD /path`).
pub const ROUTES: [(&str, &str); 3] = [
    ("GET", "/candidate/invitations/{token}"),
    ("POST", "/candidate/invitations/{token}/completion"),
    ("GET", "/openapi.json"),
];

fn route(path: &str) -> Option<Route> {
    match path
        .trim_matches('/')
        .split('/')
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["candidate", "invitations", token] => Some(Route::Invitation((*token).to_owned())),
        ["candidate", "invitations", token, "completion"] => {
            Some(Route::Completion((*token).to_owned()))
        }
        ["openapi.json"] => Some(Route::OpenApi),
        _ => None,
    }
}

impl<S: Invitations, B: EventBus, C: Clock> CandidateApi<S, B, C> {
    pub fn new(store: S, bus: B, clock: C) -> Self {
        Self { store, bus, clock }
    }

    pub async fn handle(&self, request: Request) -> Response<Body> {
        self.dispatch(&request)
            .await
            .unwrap_or_else(ApiError::into_response)
    }

    async fn dispatch(&self, request: &Request) -> Answer {
        let method = request.method();
        let candidate = CandidateSide {
            invitations: &self.store,
            bus: &self.bus,
            clock: &self.clock,
        };
        let invitation = match route(route_path(request)).ok_or(ApiError::NotFound)? {
            Route::Invitation(token) if method == Method::GET => {
                candidate.open(&token_of(&token)?).await?
            }
            Route::Completion(token) if method == Method::POST => {
                candidate.complete(&token_of(&token)?).await?
            }
            Route::OpenApi if method == Method::GET => {
                return Ok(Response::builder()
                    .status(StatusCode::OK)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::Text(OPENAPI_DOCUMENT.to_owned()))
                    .expect("static headers are valid"));
            }
            Route::Invitation(_) | Route::OpenApi => {
                return Err(ApiError::MethodNotAllowed { allowed: "GET" });
            }
            Route::Completion(_) => return Err(ApiError::MethodNotAllowed { allowed: "POST" }),
        };
        Ok(json_response(
            StatusCode::OK,
            &CandidateInvitationView::from(&invitation),
            None,
        ))
    }
}

/// The token in the path; a malformed one opens nothing, as an unknown one.
fn token_of(raw: &str) -> Result<CandidateToken, ApiError> {
    CandidateToken::parse(raw).ok_or(ApiError::NotFound)
}

/// The video interview as the candidate sees it: its title and questions.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CandidateVideoInterview)]
pub struct VideoInterviewView<'a> {
    title: &'a str,
    questions: Vec<QuestionView<'a>>,
}

/// Only what the interview app needs: no email address, no last name, nothing of the recruiter's.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CandidateInvitation)]
pub struct CandidateInvitationView<'a> {
    first_name: &'a str,
    #[schema(schema_with = schemas::language)]
    language: Language,
    video_interview: VideoInterviewView<'a>,
    /// The last day to answer, inclusive, in `timeZone`.
    #[schema(format = Date)]
    answer_deadline: String,
    /// The deadline's IANA time zone.
    time_zone: &'a str,
    /// The end of the deadline day: the instant answers are no longer taken.
    #[schema(format = DateTime)]
    expires_at: String,
    #[schema(schema_with = schemas::invitation_status)]
    status: InvitationStatus,
    #[schema(format = DateTime, required = true)]
    completed_at: Option<String>,
}

impl<'a> From<&'a Invitation> for CandidateInvitationView<'a> {
    fn from(invitation: &'a Invitation) -> Self {
        let deadline = &invitation.deadline;
        Self {
            first_name: invitation.candidate.first_name.as_str(),
            language: invitation.language,
            video_interview: VideoInterviewView {
                title: invitation.video_interview_title.as_str(),
                questions: invitation
                    .questions
                    .iter()
                    .map(QuestionView::from)
                    .collect(),
            },
            answer_deadline: deadline.date().to_string(),
            time_zone: deadline.time_zone().name(),
            expires_at: deadline.expires_at().to_string(),
            status: invitation.status,
            completed_at: invitation.completed_at.map(|at| at.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_matched_by_path_segments() {
        assert!(matches!(
            route("/candidate/invitations/abc"),
            Some(Route::Invitation(token)) if token == "abc"
        ));
        assert!(matches!(
            route("/candidate/invitations/abc/completion"),
            Some(Route::Completion(token)) if token == "abc"
        ));
        assert!(route("/candidate/invitations").is_none());
        assert!(route("/candidate/invitations/a/b").is_none());
        assert!(route("/invitations/abc").is_none());
        assert!(matches!(route("/openapi.json"), Some(Route::OpenApi)));
    }

    #[test]
    fn every_listed_route_is_routed() {
        for (_, path) in ROUTES {
            let path = path.replace("{token}", "abc");
            assert!(route(&path).is_some(), "{path}");
        }
    }
}
