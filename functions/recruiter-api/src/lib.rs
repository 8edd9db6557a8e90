//! The recruiter API: video interviews and invitations, scoped to the caller's organization.
//!
//! `handle` never fails: every outcome, including a failing dependency, is an HTTP answer (JSON or
//! `application/problem+json`), so API Gateway never has to invent one.

mod interviews;
mod views;

use invitations::clock::Clock;
use invitations::domain::{
    Invitation, InvitationId, InvitationStatus, InvitedBy, OrganizationId, Recruiter,
    VideoInterview, VideoInterviewId,
};
use invitations::email::{candidate_link, invitation_email};
use invitations::http::{
    body_bytes, idempotency_key, json_object, json_response, query_parameters, recruiter,
};
use invitations::idempotency::{
    ClaimTicket, Decision, IdempotencyKey, RequestFingerprint, SavedResponse, decide,
};
use invitations::mailer::{MailError, Mailer, OutgoingEmail};
use invitations::problem::ApiError;
use invitations::requests::{
    NewInvitation, NewVideoInterview, invitation_listing, video_interview_listing,
};
use invitations::store::{KeyedAnswer, SendOutcome, Store, StoreError};
use invitations::token::CandidateToken;
use invitations::validation::FieldErrors;
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use interviews::VideoInterviewCache;
use views::{InvitationView, ListView, VideoInterviewView};

/// What the handler needs from the deployment's configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub candidate_app_url: String,
    pub default_time_zone: invitations::domain::DeadlineTimeZone,
}

impl From<&invitations::config::RecruiterApiConfig> for Settings {
    fn from(config: &invitations::config::RecruiterApiConfig) -> Self {
        Self {
            candidate_app_url: config.candidate_app_url.clone(),
            default_time_zone: config.default_time_zone.clone(),
        }
    }
}

pub struct RecruiterApi<S, M, C> {
    store: S,
    mailer: M,
    clock: C,
    settings: Settings,
    video_interviews: VideoInterviewCache,
}

type Answer = Result<Response<Body>, ApiError>;

enum Route {
    VideoInterviews,
    VideoInterview(String),
    Invitations,
    Invitation(String),
    Cancellation(String),
    Resend(String),
}

fn route(path: &str) -> Option<Route> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["video-interviews"] => Some(Route::VideoInterviews),
        ["video-interviews", id] => Some(Route::VideoInterview((*id).to_owned())),
        ["invitations"] => Some(Route::Invitations),
        ["invitations", id] => Some(Route::Invitation((*id).to_owned())),
        ["invitations", id, "cancellation"] => Some(Route::Cancellation((*id).to_owned())),
        ["invitations", id, "resend"] => Some(Route::Resend((*id).to_owned())),
        _ => None,
    }
}

/// What makes a retry under an Idempotency-Key "the same request".
fn fingerprint(request: &Request) -> RequestFingerprint {
    RequestFingerprint::of(
        request.method().as_str(),
        request.uri().path(),
        body_bytes(request),
    )
}

fn invitation_location(id: InvitationId) -> String {
    format!("/invitations/{id}")
}

impl<S: Store, M: Mailer, C: Clock> RecruiterApi<S, M, C> {
    pub fn new(store: S, mailer: M, clock: C, settings: Settings) -> Self {
        Self {
            store,
            mailer,
            clock,
            settings,
            video_interviews: VideoInterviewCache::default(),
        }
    }

    pub async fn handle(&self, request: Request) -> Response<Body> {
        self.answer(&request)
            .await
            .unwrap_or_else(ApiError::into_response)
    }

    async fn answer(&self, request: &Request) -> Answer {
        let recruiter = recruiter(request)?;
        let sending = request.method() == Method::POST
            && matches!(route(request.uri().path()), Some(Route::Invitations));
        match idempotency_key(request)? {
            // Sending claims its key in its own first write, saving two round trips.
            Some(key) if sending => self.send_invitation(&recruiter, request, Some(&key)).await,
            Some(key) => self.idempotently(&recruiter, request, &key).await,
            None => self.dispatch(&recruiter, request).await,
        }
    }

    /// A POST with an Idempotency-Key: handled once; its answer replayed to the key's retries.
    async fn idempotently(
        &self,
        recruiter: &Recruiter,
        request: &Request,
        key: &IdempotencyKey,
    ) -> Answer {
        let organization = &recruiter.organization_id;
        let fingerprint = fingerprint(request);
        let claim = self
            .store
            .claim_idempotency_key(organization, key, &fingerprint, self.clock.now())
            .await?;
        match decide(claim, &fingerprint) {
            Decision::Replay(saved) => Ok(saved.replay()),
            Decision::StillRunning => Err(ApiError::IdempotencyKeyInUse),
            Decision::KeyReused => Err(ApiError::IdempotencyKeyReused),
            Decision::Proceed(ticket) => {
                let response = self
                    .dispatch(recruiter, request)
                    .await
                    .unwrap_or_else(ApiError::into_response);
                let recorded = match SavedResponse::worth_keeping(&response) {
                    Some(saved) => {
                        self.store
                            .save_idempotent_response(organization, key, &ticket, &saved)
                            .await
                    }
                    None => {
                        self.store
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
        }
    }

    async fn dispatch(&self, recruiter: &Recruiter, request: &Request) -> Answer {
        let method = request.method();
        match route(request.uri().path()).ok_or(ApiError::NotFound)? {
            Route::VideoInterviews if method == Method::POST => {
                self.create_video_interview(recruiter, request).await
            }
            Route::VideoInterviews if method == Method::GET => {
                self.list_video_interviews(recruiter, request).await
            }
            Route::Invitations if method == Method::POST => {
                self.send_invitation(recruiter, request, None).await
            }
            Route::Invitations if method == Method::GET => {
                self.list_invitations(recruiter, request).await
            }
            Route::VideoInterview(id) if method == Method::GET => {
                self.get_video_interview(recruiter, &id).await
            }
            Route::Invitation(id) if method == Method::GET => {
                self.get_invitation(recruiter, &id).await
            }
            Route::Cancellation(id) if method == Method::POST => {
                self.cancel_invitation(recruiter, &id).await
            }
            Route::Resend(id) if method == Method::POST => {
                self.resend_invitation(recruiter, &id).await
            }
            Route::Cancellation(_) | Route::Resend(_) => {
                Err(ApiError::MethodNotAllowed { allowed: "POST" })
            }
            Route::VideoInterviews | Route::Invitations => Err(ApiError::MethodNotAllowed {
                allowed: "GET, POST",
            }),
            Route::VideoInterview(_) | Route::Invitation(_) => {
                Err(ApiError::MethodNotAllowed { allowed: "GET" })
            }
        }
    }

    async fn create_video_interview(&self, recruiter: &Recruiter, request: &Request) -> Answer {
        let new = NewVideoInterview::parse(json_object(request)?).map_err(ApiError::Validation)?;
        let now = self.clock.now();
        let interview = VideoInterview {
            id: VideoInterviewId::generate(now),
            organization_id: recruiter.organization_id.clone(),
            title: new.title,
            questions: new.questions,
            created_by: recruiter.id.clone(),
            created_at: now,
        };
        self.store.put_video_interview(&interview).await?;
        tracing::info!(
            organization = recruiter.organization_id.as_str(),
            video_interview = %interview.id,
            "video interview created"
        );
        Ok(json_response(
            StatusCode::CREATED,
            &VideoInterviewView::from(&interview),
            Some(format!("/video-interviews/{}", interview.id)),
        ))
    }

    async fn list_video_interviews(&self, recruiter: &Recruiter, request: &Request) -> Answer {
        let mut errors = FieldErrors::default();
        let parameters = query_parameters(request, &mut errors);
        let page = video_interview_listing(parameters, errors).map_err(ApiError::Validation)?;
        let page = self
            .store
            .list_video_interviews(&recruiter.organization_id, &page)
            .await?;
        Ok(json_response(
            StatusCode::OK,
            &ListView::new(&page, VideoInterviewView::from),
            None,
        ))
    }

    async fn get_video_interview(&self, recruiter: &Recruiter, id: &str) -> Answer {
        // A malformed id cannot exist: the same 404 as an id of another organization.
        let id: VideoInterviewId = id.parse().map_err(|_| ApiError::NotFound)?;
        let interview = self.video_interview(&recruiter.organization_id, id).await?;
        Ok(json_response(
            StatusCode::OK,
            &VideoInterviewView::from(&interview),
            None,
        ))
    }

    /// Stores the invitation first (status `sending`), then sends the email, then records how
    /// sending went. So no email is ever sent for an invitation that is not stored, and a failed
    /// send leaves a record that says so (`send_failed`) instead of a silent loss.
    ///
    /// With an Idempotency-Key, the key is claimed in the invitation's own write and the answer
    /// saved in the write that records the outcome. A request refused before that (invalid, no
    /// such interview) claims nothing: it changed nothing, and its retry gets the same answer.
    async fn send_invitation(
        &self,
        recruiter: &Recruiter,
        request: &Request,
        key: Option<&IdempotencyKey>,
    ) -> Answer {
        let body = json_object(request)?;
        let now = self.clock.now();
        let new = NewInvitation::parse(body, &self.settings.default_time_zone, now)
            .map_err(ApiError::Validation)?;
        let interview = self
            .video_interview(&recruiter.organization_id, new.video_interview_id)
            .await?;
        let invitation = Invitation {
            id: InvitationId::generate(now),
            organization_id: recruiter.organization_id.clone(),
            video_interview_id: interview.id,
            video_interview_title: interview.title,
            questions: interview.questions,
            candidate: new.candidate,
            language: new.language,
            deadline: new.deadline,
            bcc_myself: new.bcc_myself,
            notify_me: new.notify_me,
            invited_by: InvitedBy::from(recruiter),
            status: InvitationStatus::Sending,
            created_at: now,
            sent_at: None,
            send_failure: None,
            opened_at: None,
            completed_at: None,
            completion_published: false,
            recruiter_notified_at: None,
        };
        let token = CandidateToken::generate(&invitation.organization_id, invitation.id);
        // Rendered before anything is stored: a template failure leaves nothing behind.
        let email = self.render_invitation(&invitation, &token)?;
        let Some(key) = key else {
            self.store
                .insert_invitation(&invitation, &token.hash())
                .await?;
            return self
                .deliver(invitation, &email, StatusCode::CREATED, None)
                .await;
        };
        let fingerprint = fingerprint(request);
        let claim = self
            .store
            .insert_invitation_claiming_key(&invitation, &token.hash(), key, &fingerprint, now)
            .await?;
        match decide(claim, &fingerprint) {
            Decision::Proceed(ticket) => {
                self.deliver(
                    invitation,
                    &email,
                    StatusCode::CREATED,
                    Some((key, &ticket)),
                )
                .await
            }
            Decision::Replay(saved) => Ok(saved.replay()),
            Decision::StillRunning => Err(ApiError::IdempotencyKeyInUse),
            Decision::KeyReused => Err(ApiError::IdempotencyKeyReused),
        }
    }

    fn render_invitation(
        &self,
        invitation: &Invitation,
        token: &CandidateToken,
    ) -> Result<OutgoingEmail, ApiError> {
        invitation_email(
            invitation,
            &candidate_link(&self.settings.candidate_app_url, token),
        )
        .map_err(|error| {
            tracing::error!(%error, "rendering the invitation email failed");
            ApiError::Internal
        })
    }

    /// Sends the email of an invitation stored as `sending`, records how that went (and, for a
    /// claimed Idempotency-Key, the answer with it), and answers with the invitation (`status` on
    /// success) or a 502 naming it.
    async fn deliver(
        &self,
        mut invitation: Invitation,
        email: &OutgoingEmail,
        status: StatusCode,
        key: Option<(&IdempotencyKey, &ClaimTicket)>,
    ) -> Answer {
        let outcome = match self.mailer.send(email).await {
            Ok(message_id) => SendOutcome::Sent {
                at: self.clock.now(),
                message_id,
            },
            Err(error) => SendOutcome::Failed {
                reason: send_failure_reason(&error),
            },
        };
        let response = match &outcome {
            SendOutcome::Sent { at, .. } => {
                invitation.status = InvitationStatus::Sent;
                invitation.sent_at = Some(*at);
                invitation.send_failure = None;
                tracing::info!(
                    organization = invitation.organization_id.as_str(),
                    invitation = %invitation.id,
                    language = invitation.language.code(),
                    bcc = invitation.bcc_myself,
                    "invitation sent"
                );
                json_response(
                    status,
                    &InvitationView::from(&invitation),
                    Some(invitation_location(invitation.id)),
                )
            }
            SendOutcome::Failed { reason } => {
                tracing::warn!(
                    organization = invitation.organization_id.as_str(),
                    invitation = %invitation.id,
                    reason,
                    "invitation email not sent"
                );
                ApiError::SendFailed {
                    invitation_id: invitation.id.to_string(),
                    location: invitation_location(invitation.id),
                }
                .into_response()
            }
        };
        let saved = key.and_then(|_| SavedResponse::worth_keeping(&response));
        let answer = key
            .zip(saved.as_ref())
            .map(|((key, ticket), response)| KeyedAnswer {
                key,
                ticket,
                response,
            });
        let recorded = self
            .store
            .record_send_outcome(&invitation.organization_id, invitation.id, &outcome, answer)
            .await;
        if let Err(error) = &recorded {
            // The invitation stays `sending`: not confirmed either way, which is what we know. A
            // claimed key frees itself when its lease ends.
            tracing::error!(
                %error,
                organization = invitation.organization_id.as_str(),
                invitation = %invitation.id,
                "recording the send outcome failed"
            );
        }
        Ok(response)
    }

    /// Sends the invitation again, with a new personal link: after a failed send, or when the
    /// candidate did not get it. Only before the candidate opened it.
    async fn resend_invitation(&self, recruiter: &Recruiter, id: &str) -> Answer {
        let mut invitation = self.invitation(recruiter, id).await?;
        if !InvitationStatus::UNOPENED.contains(&invitation.status) {
            return Err(ApiError::Conflict(
                "The candidate has opened this invitation, or it is completed or cancelled; it is not sent again",
            ));
        }
        let token = CandidateToken::generate(&invitation.organization_id, invitation.id);
        let email = self.render_invitation(&invitation, &token)?;
        match self
            .store
            .begin_resend(&invitation.organization_id, invitation.id, &token.hash())
            .await
        {
            Ok(()) => invitation.status = InvitationStatus::Sending,
            Err(StoreError::Conflict) => {
                return Err(ApiError::Conflict(
                    "The invitation changed meanwhile (opened, completed or cancelled); it is not sent again",
                ));
            }
            Err(error) => return Err(error.into()),
        }
        self.deliver(invitation, &email, StatusCode::OK, None).await
    }

    async fn list_invitations(&self, recruiter: &Recruiter, request: &Request) -> Answer {
        let mut errors = FieldErrors::default();
        let parameters = query_parameters(request, &mut errors);
        let (filter, page) =
            invitation_listing(parameters, errors).map_err(ApiError::Validation)?;
        let page = self
            .store
            .list_invitations(&recruiter.organization_id, &filter, &page)
            .await?;
        Ok(json_response(
            StatusCode::OK,
            &ListView::new(&page, InvitationView::from),
            None,
        ))
    }

    async fn get_invitation(&self, recruiter: &Recruiter, id: &str) -> Answer {
        let invitation = self.invitation(recruiter, id).await?;
        Ok(json_response(
            StatusCode::OK,
            &InvitationView::from(&invitation),
            None,
        ))
    }
}

impl<S: Store, M: Mailer, C: Clock> RecruiterApi<S, M, C> {
    /// An interview of the caller's organization, from this instance's cache when it has it.
    async fn video_interview(
        &self,
        organization: &OrganizationId,
        id: VideoInterviewId,
    ) -> Result<VideoInterview, ApiError> {
        if let Some(interview) = self.video_interviews.get(organization, id) {
            return Ok(interview);
        }
        let interview = self
            .store
            .get_video_interview(organization, id)
            .await?
            .ok_or(ApiError::NotFound)?;
        self.video_interviews.keep(organization, &interview);
        Ok(interview)
    }

    async fn invitation(&self, recruiter: &Recruiter, id: &str) -> Result<Invitation, ApiError> {
        // A malformed id cannot exist: the same 404 as an id of another organization.
        let id: InvitationId = id.parse().map_err(|_| ApiError::NotFound)?;
        self.store
            .get_invitation(&recruiter.organization_id, id)
            .await?
            .ok_or(ApiError::NotFound)
    }

    /// Withdraws an invitation: the candidate's link then answers 410. Cancelling twice is
    /// harmless; a completed interview cannot be withdrawn.
    async fn cancel_invitation(&self, recruiter: &Recruiter, id: &str) -> Answer {
        let mut invitation = self.invitation(recruiter, id).await?;
        match self
            .store
            .cancel_invitation(&invitation.organization_id, invitation.id)
            .await
        {
            Ok(()) => {
                invitation.status = InvitationStatus::Cancelled;
                tracing::info!(
                    organization = invitation.organization_id.as_str(),
                    invitation = %invitation.id,
                    "invitation cancelled"
                );
            }
            Err(StoreError::Conflict) => {
                invitation = self.invitation(recruiter, id).await?;
                if invitation.status != InvitationStatus::Cancelled {
                    return Err(ApiError::Conflict(
                        "The candidate has completed this video interview; it cannot be cancelled",
                    ));
                }
            }
            Err(error) => return Err(error.into()),
        }
        Ok(json_response(
            StatusCode::OK,
            &InvitationView::from(&invitation),
            None,
        ))
    }
}

/// Why sending failed, as the recruiter will read it on the invitation.
fn send_failure_reason(error: &MailError) -> String {
    match error {
        MailError::Refused(code) => {
            format!("The email service refused the message ({code}); it was not sent.")
        }
        MailError::Unavailable(what) => format!(
            "The email service did not confirm the message ({what}); it was most likely not sent."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_matched_by_path_segments() {
        assert!(matches!(route("/invitations"), Some(Route::Invitations)));
        assert!(matches!(route("/invitations/"), Some(Route::Invitations)));
        assert!(matches!(route("/invitations/abc"), Some(Route::Invitation(id)) if id == "abc"));
        assert!(matches!(
            route("/video-interviews/x"),
            Some(Route::VideoInterview(_))
        ));
        assert!(route("/invitations/a/b").is_none());
        assert!(route("/").is_none());
        assert!(route("/admin").is_none());
    }
}
