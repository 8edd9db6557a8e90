//! The candidate API: public, and authorized only by the personal token in the path. An unknown or
//! malformed token is a 404 that says nothing more, so that tokens cannot be probed.
//!
//! `handle` never fails: every outcome is an HTTP answer (JSON or `application/problem+json`).

use invitations::clock::Clock;
use invitations::completion::{EventBus, VideoInterviewCompleted};
use invitations::domain::{CandidateAccess, Invitation, InvitationStatus, Language};
use invitations::http::{QuestionView, json_response};
use invitations::problem::{ApiError, GoneReason};
use invitations::store::{Store, StoreError};
use invitations::token::CandidateToken;
use jiff::Timestamp;
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use serde::Serialize;

pub struct CandidateApi<S, B, C> {
    store: S,
    bus: B,
    clock: C,
}

type Answer = Result<Response<Body>, ApiError>;

enum Route {
    Invitation(String),
    Completion(String),
}

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
        _ => None,
    }
}

impl<S: Store, B: EventBus, C: Clock> CandidateApi<S, B, C> {
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
        match route(request.uri().path()).ok_or(ApiError::NotFound)? {
            Route::Invitation(token) if method == Method::GET => self.open(&token).await,
            Route::Completion(token) if method == Method::POST => self.complete(&token).await,
            Route::Invitation(_) => Err(ApiError::MethodNotAllowed { allowed: "GET" }),
            Route::Completion(_) => Err(ApiError::MethodNotAllowed { allowed: "POST" }),
        }
    }

    async fn invitation(&self, raw_token: &str) -> Result<Invitation, ApiError> {
        let token = CandidateToken::parse(raw_token).ok_or(ApiError::NotFound)?;
        self.store
            .find_invitation_by_token(&token)
            .await?
            .ok_or(ApiError::NotFound)
    }

    /// Brings `invitation` up to date after a conditional write: `applied` makes the change in
    /// hand (and names it for the log) when the write went through; when the stored invitation had
    /// changed under us (another tab, the recruiter, the notifier), it is read again.
    async fn settle(
        &self,
        invitation: &mut Invitation,
        written: Result<(), StoreError>,
        applied: impl FnOnce(&mut Invitation) -> &'static str,
    ) -> Result<(), ApiError> {
        match written {
            Ok(()) => {
                let what = applied(invitation);
                tracing::info!(
                    organization = invitation.organization_id.as_str(),
                    invitation = %invitation.id,
                    "{what}"
                );
            }
            Err(StoreError::Conflict) => {
                *invitation = self
                    .store
                    .get_invitation(&invitation.organization_id, invitation.id)
                    .await?
                    .ok_or(ApiError::NotFound)?;
            }
            Err(error) => return Err(error.into()),
        }
        Ok(())
    }

    /// What the interview app shows. The first open while answering is allowed marks it opened.
    async fn open(&self, token: &str) -> Answer {
        let mut invitation = self.invitation(token).await?;
        let now = self.clock.now();
        if invitation.candidate_access(now) == CandidateAccess::Open
            && InvitationStatus::UNOPENED.contains(&invitation.status)
        {
            let written = self
                .store
                .record_opened(&invitation.organization_id, invitation.id, now)
                .await;
            self.settle(&mut invitation, written, |invitation| {
                invitation.status = InvitationStatus::Opened;
                invitation.opened_at = Some(now);
                "invitation opened"
            })
            .await?;
        }
        answerable(&invitation, now)?;
        Ok(json_response(
            StatusCode::OK,
            &CandidateInvitationView::from(&invitation),
            None,
        ))
    }

    /// The candidate submitted. Recorded once (a repeat changes nothing), then announced on the
    /// bus. If announcing fails, the caller gets a retryable 503 and the repeat announces it: the
    /// notifier is idempotent, so an event published twice is harmless, one never published is not.
    async fn complete(&self, token: &str) -> Answer {
        let mut invitation = self.invitation(token).await?;
        let now = self.clock.now();
        if invitation.candidate_access(now) == CandidateAccess::Open {
            let written = self
                .store
                .record_completion(&invitation.organization_id, invitation.id, now)
                .await;
            self.settle(&mut invitation, written, |invitation| {
                invitation.status = InvitationStatus::Completed;
                invitation.completed_at = Some(now);
                "video interview completed"
            })
            .await?;
        }
        answerable(&invitation, now)?;
        let completed_at = match (invitation.status, invitation.completed_at) {
            (InvitationStatus::Completed, Some(at)) => at,
            _ => {
                tracing::error!(invitation = %invitation.id, "completion not recorded as expected");
                return Err(ApiError::Internal);
            }
        };
        if !invitation.completion_published {
            self.announce(&invitation, completed_at).await?;
            invitation.completion_published = true;
        }
        Ok(json_response(
            StatusCode::OK,
            &CandidateInvitationView::from(&invitation),
            None,
        ))
    }

    async fn announce(
        &self,
        invitation: &Invitation,
        completed_at: Timestamp,
    ) -> Result<(), ApiError> {
        let event = VideoInterviewCompleted {
            organization_id: invitation.organization_id.clone(),
            invitation_id: invitation.id,
            completed_at,
        };
        if let Err(error) = self.bus.publish(&event).await {
            tracing::error!(%error, invitation = %invitation.id, "completion event not published");
            return Err(ApiError::CompletionNotAnnounced);
        }
        // Only saves a repeat's publish: if this write fails, a repeat publishes a duplicate, which
        // the notifier ignores.
        if let Err(error) = self
            .store
            .record_completion_published(&invitation.organization_id, invitation.id)
            .await
        {
            tracing::warn!(%error, invitation = %invitation.id, "recording the publication failed");
        }
        Ok(())
    }
}

/// 410 unless the candidate may still see the interview (open, or done).
fn answerable(invitation: &Invitation, now: Timestamp) -> Result<(), ApiError> {
    match invitation.candidate_access(now) {
        CandidateAccess::Open | CandidateAccess::Completed => Ok(()),
        CandidateAccess::Expired => Err(ApiError::Gone(GoneReason::Expired)),
        CandidateAccess::Cancelled => Err(ApiError::Gone(GoneReason::Cancelled)),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VideoInterviewView<'a> {
    title: &'a str,
    questions: Vec<QuestionView<'a>>,
}

/// Only what the interview app needs: no email address, no last name, nothing of the recruiter's.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CandidateInvitationView<'a> {
    first_name: &'a str,
    language: Language,
    video_interview: VideoInterviewView<'a>,
    answer_deadline: String,
    time_zone: &'a str,
    expires_at: String,
    status: InvitationStatus,
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
    }
}
