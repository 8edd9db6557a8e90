//! The recruiter API: video interviews and invitations, scoped to the caller's organization. This
//! crate routes, parses requests (`requests`) and shows answers (`views`); the use cases are
//! `invitations::app`, and `Idempotency-Key` is `invitations::http::idempotency`.
//!
//! `handle` never fails: every outcome, including a failing dependency, is an HTTP answer (JSON or
//! `application/problem+json`), so API Gateway never has to invent one.

pub mod config;
mod interviews;
pub mod requests;
pub mod views;

use invitations::adapters::dns::SystemResolver;
use invitations::adapters::secrets::{LinkKeys, LookupKeys, WebhookKeys};
use invitations::app::AppError;
use invitations::app::erasure::Eraser;
use invitations::app::follow_ups::FollowUpSender;
use invitations::app::invitations::{
    InvitationSender, Keyed, KeyedRequest, cancel_invitation, invitation,
};
use invitations::app::organizations::{Employers, organization_profile, save_organization_profile};
use invitations::app::video_interviews::{create_video_interview, video_interview};
use invitations::app::webhooks::{SubscriptionRefused, Subscriptions, TargetRefused};
use std::collections::HashMap;

use invitations::domain::webhooks::{TargetRule, WebhookSubscription};
use invitations::domain::{
    CandidateLookupKey, Employer, Invitation, InvitationId, InvitationStatus, OrganizationId,
    OrganizationProfile, Recruiter, RowProblem, SendOutcome, VideoInterview, VideoInterviewId,
};
use invitations::http::idempotency::{
    answer_held, fingerprint, idempotency_key, idempotently, worth_keeping,
};
use invitations::http::problem::ApiError;
use invitations::http::validation::{FieldError, FieldErrors};
use invitations::http::{
    MAX_BATCH_BODY_BYTES, body_bytes, json_object, json_object_within, json_response, location,
    query_parameters, recruiter, route_path,
};
use invitations::ports::{
    Clock, EmailQuota, EventBus, IdempotencyKey, IdempotencyRecords, InvitationBatches,
    Invitations, Mailer, OrganizationProfiles, ProfileCondition, SendQueue, VideoInterviews,
    WebhookDeliveries, WebhookSubscriptions,
};
use lambda_http::http::{HeaderValue, Method, StatusCode, header};
use lambda_http::{Body, Request, Response};

use interviews::VideoInterviewCache;
use requests::batch::{NewInvitationBatch, parse_new_invitation_batch};
use requests::webhooks::{parse_new_webhook_subscription, parse_secret_rotation};
use requests::{
    DeadlineExtensionForm, ResendForm, candidate_data_request, invitation_listing,
    parse_candidate_erasure, parse_deadline_extension, parse_new_invitation,
    parse_new_video_interview, parse_organization_profile, parse_resend, video_interview_listing,
};
use views::{
    CandidateDataView, ErasureView, InvitationBatchSummaryView, InvitationBatchView,
    InvitationView, ListView, OrganizationProfileView, VideoInterviewSummaryView,
    VideoInterviewView, WebhookDeliveryView, WebhookSubscriptionListView,
    WebhookSubscriptionSecretView, WebhookSubscriptionView,
};

/// What the handler needs from the deployment's configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub candidate_app_url: String,
    pub default_time_zone: invitations::domain::IanaTimeZone,
    /// Invitation emails per organization and UTC day.
    pub daily_email_quota: u32,
    /// The employer named in the emails of an organization without a profile.
    pub default_employer: invitations::domain::Employer,
    /// The deadline reminders planned with each invitation, and anew when its deadline moves.
    pub reminder_policy: invitations::domain::ReminderPolicy,
    /// How long an invitation is kept after its deadline (`RETENTION_DAYS`).
    pub retention: invitations::domain::RetentionPeriod,
    /// Where webhooks may go (`WEBHOOK_ALLOW_LOOPBACK`).
    pub webhook_targets: TargetRule,
}

impl From<&config::RecruiterApiConfig> for Settings {
    fn from(config: &config::RecruiterApiConfig) -> Self {
        Self {
            candidate_app_url: config.candidate_app_url.clone(),
            default_time_zone: config.default_time_zone.clone(),
            daily_email_quota: config.daily_email_quota,
            default_employer: config.mail.default_employer.clone(),
            reminder_policy: config.reminder_policy.clone(),
            retention: config.retention,
            webhook_targets: config.webhook_targets,
        }
    }
}

/// The deployment's keys the recruiter API uses, each read when first needed.
pub struct Keys {
    /// Of candidates' follow-up links (deadline notices).
    pub links: LinkKeys,
    /// Of the candidate's address digest (sends, corrections, erasure and access requests).
    pub lookups: LookupKeys,
    /// Of webhook subscriptions' secrets (subscribing and rotating).
    pub webhooks: WebhookKeys,
}

/// A key that cannot be read: logged (its purpose, never its value), and the route answers 503.
fn key_unavailable(problem: String) -> ApiError {
    tracing::error!(problem, "a key could not be read");
    ApiError::Unavailable
}

pub struct RecruiterApi<S, M, C, B, Q> {
    store: S,
    mailer: M,
    /// Where erasures are announced (`CandidateDataErased`).
    bus: B,
    /// Where a batch's invitations wait for `invitation-sender`.
    queue: Q,
    clock: C,
    settings: Settings,
    /// The deployment's keys (read from Secrets Manager when first needed).
    keys: Keys,
    video_interviews: VideoInterviewCache,
    employers: Employers,
    /// Resolves a webhook URL's host when subscribing.
    resolver: SystemResolver,
}

type Answer = Result<Response<Body>, ApiError>;

enum Route {
    Organization,
    VideoInterviews,
    VideoInterview(String),
    Invitations,
    Invitation(String),
    Cancellation(String),
    CandidateErasures,
    CandidateData,
    Resend(String),
    DeadlineExtension(String),
    InvitationBatches,
    InvitationBatch(String),
    WebhookSubscriptions,
    WebhookSubscription(String),
    SecretRotation(String),
    WebhookDeliveries(String),
    Redelivery(String, String),
}

impl Route {
    /// The invitation a route is about, when it names one: a keyed answer about it is erased
    /// with it.
    fn invitation(&self) -> Option<InvitationId> {
        match self {
            Self::Invitation(id)
            | Self::Cancellation(id)
            | Self::Resend(id)
            | Self::DeadlineExtension(id) => id.parse().ok(),
            _ => None,
        }
    }
}

impl Route {
    /// The methods the route answers (a 405's `Allow`); API Gateway's routes are these.
    fn allowed(&self) -> &'static str {
        match self {
            Self::Organization => "GET, PUT",
            Self::VideoInterviews
            | Self::Invitations
            | Self::InvitationBatches
            | Self::WebhookSubscriptions => "GET, POST",
            Self::VideoInterview(_)
            | Self::CandidateData
            | Self::InvitationBatch(_)
            | Self::WebhookDeliveries(_) => "GET",
            Self::Invitation(_) | Self::WebhookSubscription(_) => "GET, DELETE",
            Self::Cancellation(_)
            | Self::Resend(_)
            | Self::DeadlineExtension(_)
            | Self::SecretRotation(_)
            | Self::Redelivery(..)
            | Self::CandidateErasures => "POST",
        }
    }

    /// Whether the route's answer shows a secret: it is never kept as an `Idempotency-Key`'s
    /// saved answer, so such a route refuses the key.
    fn shows_secret(&self, method: &Method) -> bool {
        method == Method::POST
            && matches!(self, Self::WebhookSubscriptions | Self::SecretRotation(_))
    }
}

/// Every route of this function, as API Gateway's route keys name them (`METHOD /path`): the
/// template's routes, and the contract's paths, are these (tests/tests/contract.rs).
pub const ROUTES: [(&str, &str); 24] = [
    ("GET", "/organization"),
    ("PUT", "/organization"),
    ("POST", "/video-interviews"),
    ("GET", "/video-interviews"),
    ("GET", "/video-interviews/{id}"),
    ("POST", "/invitations"),
    ("GET", "/invitations"),
    ("GET", "/invitations/{id}"),
    ("DELETE", "/invitations/{id}"),
    ("POST", "/candidate-erasures"),
    ("GET", "/candidate-data"),
    ("POST", "/invitations/{id}/cancellation"),
    ("POST", "/invitations/{id}/resend"),
    ("POST", "/invitations/{id}/deadline-extension"),
    ("POST", "/invitation-batches"),
    ("GET", "/invitation-batches"),
    ("GET", "/invitation-batches/{id}"),
    ("POST", "/webhook-subscriptions"),
    ("GET", "/webhook-subscriptions"),
    ("GET", "/webhook-subscriptions/{id}"),
    ("DELETE", "/webhook-subscriptions/{id}"),
    ("POST", "/webhook-subscriptions/{id}/secret-rotation"),
    ("GET", "/webhook-subscriptions/{id}/deliveries"),
    (
        "POST",
        "/webhook-subscriptions/{id}/deliveries/{deliveryId}/redelivery",
    ),
];

fn route(path: &str) -> Option<Route> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["organization"] => Some(Route::Organization),
        ["video-interviews"] => Some(Route::VideoInterviews),
        ["video-interviews", id] => Some(Route::VideoInterview((*id).to_owned())),
        ["invitations"] => Some(Route::Invitations),
        ["invitations", id] => Some(Route::Invitation((*id).to_owned())),
        ["invitations", id, "cancellation"] => Some(Route::Cancellation((*id).to_owned())),
        ["invitations", id, "resend"] => Some(Route::Resend((*id).to_owned())),
        ["candidate-erasures"] => Some(Route::CandidateErasures),
        ["invitation-batches"] => Some(Route::InvitationBatches),
        ["invitation-batches", id] => Some(Route::InvitationBatch((*id).to_owned())),
        ["candidate-data"] => Some(Route::CandidateData),
        ["webhook-subscriptions"] => Some(Route::WebhookSubscriptions),
        ["webhook-subscriptions", id] => Some(Route::WebhookSubscription((*id).to_owned())),
        ["webhook-subscriptions", id, "secret-rotation"] => {
            Some(Route::SecretRotation((*id).to_owned()))
        }
        ["webhook-subscriptions", id, "deliveries"] => {
            Some(Route::WebhookDeliveries((*id).to_owned()))
        }
        [
            "webhook-subscriptions",
            id,
            "deliveries",
            delivery,
            "redelivery",
        ] => Some(Route::Redelivery((*id).to_owned(), (*delivery).to_owned())),
        ["invitations", id, "deadline-extension"] => {
            Some(Route::DeadlineExtension((*id).to_owned()))
        }
        _ => None,
    }
}

fn invitation_location(request: &Request, id: InvitationId) -> String {
    location(request, &format!("/invitations/{id}"))
}

/// The profile's entity tag (RFC 9110 §8.8.3): the instant it was saved, in nanoseconds, as a
/// strong validator (every save is a new instant).
fn profile_etag(profile: &OrganizationProfile) -> String {
    format!("\"{}\"", profile.updated_at.as_nanosecond())
}

/// The profile as an answer, with its `ETag`.
fn profile_response(
    status: StatusCode,
    profile: &OrganizationProfile,
    location: Option<String>,
) -> Response<Body> {
    let mut response = json_response(status, &OrganizationProfileView::from(profile), location);
    if let Ok(etag) = HeaderValue::from_str(&profile_etag(profile)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

/// What a `PUT /organization` requires of the stored profile (RFC 9110 §13.1): `If-Match: *` one,
/// `If-Match` with the ETag of the one read (one tag; a tag that is not this service's, or weak,
/// never matches: 412), `If-None-Match: *` none; neither header, anything.
fn profile_condition(request: &Request) -> Result<ProfileCondition, ApiError> {
    let header = |name| {
        request
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap_or_default().trim())
    };
    match (header(header::IF_MATCH), header(header::IF_NONE_MATCH)) {
        (Some(_), Some(_)) => Err(ApiError::Validation(vec![FieldError::header(
            "If-None-Match",
            "must not come with If-Match",
        )])),
        (Some("*"), None) => Ok(ProfileCondition::Present),
        (Some(tag), None) => tag
            .strip_prefix('"')
            .and_then(|tag| tag.strip_suffix('"'))
            .and_then(|nanoseconds| nanoseconds.parse::<i128>().ok())
            .and_then(|nanoseconds| jiff::Timestamp::from_nanosecond(nanoseconds).ok())
            .map(ProfileCondition::SavedAt)
            .ok_or(ApiError::PreconditionFailed),
        (None, Some("*")) => Ok(ProfileCondition::Absent),
        (None, Some(_)) => Err(ApiError::Validation(vec![FieldError::header(
            "If-None-Match",
            "must be * (create the profile only if there is none)",
        )])),
        (None, None) => Ok(ProfileCondition::Any),
    }
}

/// An id from the path. A malformed one cannot exist: the same 404 as an id of another
/// organization.
fn id_in_path<T: std::str::FromStr>(raw: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}

/// The answer to a send: the invitation with `status` when its email went out; with 202 Accepted
/// when SES did not confirm it (stored, the email perhaps out: its outcome is not known yet, RFC
/// 9110 §15.3.3); else a 502 naming the stored invitation.
fn sent_answer(
    request: &Request,
    invitation: &Invitation,
    status: StatusCode,
    now: jiff::Timestamp,
) -> Response<Body> {
    let location = invitation_location(request, invitation.id);
    let status = match invitation.status {
        InvitationStatus::SendFailed => {
            return ApiError::SendFailed {
                invitation_id: invitation.id.to_string(),
                location,
            }
            .into_response();
        }
        InvitationStatus::SendUnconfirmed => StatusCode::ACCEPTED,
        _ => status,
    };
    json_response(status, &InvitationView::at(invitation, now), Some(location))
}

fn no_content() -> Response<Body> {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(Body::Empty)
        .expect("a valid response")
}

/// A subscription or rotation refused, as the API answers it.
fn subscription_refused(refused: SubscriptionRefused) -> ApiError {
    match refused {
        SubscriptionRefused::Target(refused) => {
            let detail = match refused {
                TargetRefused::Unresolved => {
                    "must name a host that resolves (its name has no address now)"
                }
                TargetRefused::Forbidden => {
                    "must reach the public internet: its host resolves to a private, loopback, \
                     link-local or reserved address"
                }
            };
            ApiError::Validation(vec![FieldError::body("/url", detail)])
        }
        SubscriptionRefused::LimitReached => ApiError::Conflict(WEBHOOK_LIMIT_REACHED),
        SubscriptionRefused::Overlap(problem) => {
            ApiError::Validation(vec![FieldError::body("/overlapHours", problem)])
        }
        SubscriptionRefused::RotatedMeanwhile => ApiError::Conflict(ROTATED_MEANWHILE),
        SubscriptionRefused::Store(error) => error.into(),
    }
}

/// The conflict of an 11th subscription (`ports::MAX_WEBHOOK_SUBSCRIPTIONS`).
pub const WEBHOOK_LIMIT_REACHED: &str =
    "Your organization holds 10 webhook subscriptions, the most it may; delete one first";

/// The conflict of a redelivery to a disabled subscription.
pub const SUBSCRIPTION_DISABLED: &str = "The subscription is disabled, so nothing is sent to it; subscribe the endpoint again once it answers";

/// The conflict of a redelivery of a delivery still under way.
pub const DELIVERY_UNDER_WAY: &str = "The delivery is under way (pending its next attempt); it is attempted again by itself, and may be redelivered once 15 minutes past its due time";

/// The conflict of a rotation that another one came before.
pub const ROTATED_MEANWHILE: &str = "Another rotation of this secret came first, and its answer showed the new secret; nothing was changed. Rotate again for a newer one";

/// `POST /invitations/{id}/resend`'s body: none is the usual resend; one may say
/// `acceptDuplicate` and `email`.
fn resend_form(request: &Request) -> Result<ResendForm, ApiError> {
    let body = (!body_bytes(request).is_empty())
        .then(|| json_object(request))
        .transpose()?;
    parse_resend(body).map_err(ApiError::Validation)
}

/// `POST /invitations/{id}/deadline-extension`'s body.
fn deadline_extension_form(request: &Request) -> Result<DeadlineExtensionForm, ApiError> {
    parse_deadline_extension(json_object(request)?).map_err(ApiError::Validation)
}

/// The body checks of the keyed routes whose answers are about the invitation in their path, the
/// ones whose keys an erasure marks: an invalid body gets its 422, not the erased key's 410.
fn body_check(route: &Route, request: &Request) -> Result<(), ApiError> {
    match route {
        Route::Resend(_) => resend_form(request).map(drop),
        Route::DeadlineExtension(_) => deadline_extension_form(request).map(drop),
        _ => Ok(()),
    }
}

impl<S, M, C, B, Q> RecruiterApi<S, M, C, B, Q>
where
    S: VideoInterviews
        + Invitations
        + InvitationBatches
        + IdempotencyRecords
        + EmailQuota
        + OrganizationProfiles
        + WebhookSubscriptions
        + WebhookDeliveries,
    M: Mailer,
    C: Clock,
    B: EventBus,
    Q: SendQueue,
{
    /// The API over its adapters: `bus` announces erasures, `queue` takes a batch's invitations.
    pub fn new(
        store: S,
        mailer: M,
        bus: B,
        queue: Q,
        clock: C,
        settings: Settings,
        keys: Keys,
    ) -> Self {
        Self {
            store,
            mailer,
            bus,
            queue,
            clock,
            keys,
            employers: Employers::new(settings.default_employer.clone()),
            settings,
            video_interviews: VideoInterviewCache::default(),
            resolver: SystemResolver,
        }
    }

    pub async fn handle(&self, request: Request) -> Response<Body> {
        self.answer(&request)
            .await
            .unwrap_or_else(ApiError::into_response)
    }

    async fn answer(&self, request: &Request) -> Answer {
        let recruiter = recruiter(request)?;
        let route = route(route_path(request));
        let sending = request.method() == Method::POST && matches!(route, Some(Route::Invitations));
        // The routes' futures are boxed: inline, the largest (a batch's) would make every
        // request's future as large, and a caller's stack pay for it.
        match idempotency_key(request)? {
            Some(_)
                if route
                    .as_ref()
                    .is_some_and(|route| route.shows_secret(request.method())) =>
            {
                Err(ApiError::Validation(vec![FieldError::header(
                    "Idempotency-Key",
                    "is not accepted here: the answer shows a secret, which is not kept to be \
                     answered again",
                )]))
            }
            // Sending claims its key in its own first write, saving two round trips.
            Some(key) if sending => {
                Box::pin(self.send_invitation(&recruiter, request, Some(&key))).await
            }
            Some(key) => {
                let handled = async {
                    Box::pin(self.dispatch(&recruiter, request))
                        .await
                        .unwrap_or_else(ApiError::into_response)
                };
                idempotently(
                    &self.store,
                    &recruiter.organization_id,
                    &key,
                    &fingerprint(request),
                    self.clock.now(),
                    route.as_ref().and_then(Route::invitation),
                    || {
                        route
                            .as_ref()
                            .map_or(Ok(()), |route| body_check(route, request))
                    },
                    handled,
                )
                .await
            }
            None => Box::pin(self.dispatch(&recruiter, request)).await,
        }
    }

    async fn dispatch(&self, recruiter: &Recruiter, request: &Request) -> Answer {
        let method = request.method();
        match route(route_path(request)).ok_or(ApiError::NotFound)? {
            Route::Organization if method == Method::GET => {
                let profile = organization_profile(&self.store, &recruiter.organization_id).await?;
                Ok(profile_response(StatusCode::OK, &profile, None))
            }
            Route::Organization if method == Method::PUT => {
                self.save_organization_profile(recruiter, request).await
            }
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
            // Boxed, these rare routes: their futures would grow every request's.
            Route::Invitation(id) if method == Method::DELETE => {
                Box::pin(self.erase_invitation(recruiter, &id)).await
            }
            Route::CandidateErasures if method == Method::POST => {
                Box::pin(self.erase_candidate(recruiter, request)).await
            }
            Route::CandidateData if method == Method::GET => {
                Box::pin(self.candidate_data(recruiter, request)).await
            }
            Route::Cancellation(id) if method == Method::POST => {
                self.cancel_invitation(recruiter, &id).await
            }
            Route::Resend(id) if method == Method::POST => {
                self.resend_invitation(recruiter, request, &id).await
            }
            Route::DeadlineExtension(id) if method == Method::POST => {
                self.extend_deadline(recruiter, request, &id).await
            }
            Route::InvitationBatches if method == Method::POST => {
                Box::pin(self.send_invitation_batch(recruiter, request)).await
            }
            Route::InvitationBatches if method == Method::GET => {
                self.list_invitation_batches(recruiter, request).await
            }
            Route::InvitationBatch(id) if method == Method::GET => {
                Box::pin(self.get_invitation_batch(recruiter, &id)).await
            }
            Route::WebhookSubscriptions if method == Method::POST => {
                Box::pin(self.subscribe(recruiter, request)).await
            }
            Route::WebhookSubscriptions if method == Method::GET => {
                let now = self.clock.now();
                let subscriptions = self
                    .store
                    .list_subscriptions(&recruiter.organization_id)
                    .await?;
                Ok(json_response(
                    StatusCode::OK,
                    &WebhookSubscriptionListView::at(&subscriptions, now),
                    None,
                ))
            }
            Route::WebhookSubscription(id) if method == Method::GET => {
                let subscription = self.subscription(recruiter, &id).await?;
                Ok(json_response(
                    StatusCode::OK,
                    &WebhookSubscriptionView::at(&subscription, self.clock.now()),
                    None,
                ))
            }
            Route::WebhookSubscription(id) if method == Method::DELETE => {
                let deleted = self
                    .store
                    .delete_subscription(&recruiter.organization_id, id_in_path(&id)?)
                    .await?;
                if deleted {
                    Ok(no_content())
                } else {
                    Err(ApiError::NotFound)
                }
            }
            Route::SecretRotation(id) if method == Method::POST => {
                Box::pin(self.rotate_secret(recruiter, request, &id)).await
            }
            Route::WebhookDeliveries(id) if method == Method::GET => {
                Box::pin(self.list_deliveries(recruiter, request, &id)).await
            }
            Route::Redelivery(id, delivery) if method == Method::POST => {
                Box::pin(self.redeliver(recruiter, &id, &delivery)).await
            }
            route => Err(ApiError::MethodNotAllowed {
                allowed: route.allowed(),
            }),
        }
    }

    /// `PUT /organization`: 201 for the organization's first profile, 200 when it replaced one;
    /// 412 when its `If-Match` or `If-None-Match` does not hold. This instance's emails use it at
    /// once; other warm instances within `Employers::FRESH_FOR`.
    async fn save_organization_profile(&self, recruiter: &Recruiter, request: &Request) -> Answer {
        // The body is judged before the condition: a profile that could never be saved is a 422,
        // whatever `If-Match` says (a 412 would tell the client to read and retry it as it is).
        let form = parse_organization_profile(json_object(request)?);
        let (form, condition) = match (form, profile_condition(request)) {
            (Ok(form), Ok(condition)) => (form, condition),
            (Err(mut errors), Err(ApiError::Validation(header_errors))) => {
                errors.extend(header_errors);
                return Err(ApiError::Validation(errors));
            }
            (Err(errors), _) => return Err(ApiError::Validation(errors)),
            (Ok(_), Err(refused)) => return Err(refused),
        };
        let (profile, replaced) =
            save_organization_profile(&self.store, &self.clock, recruiter, form, condition).await?;
        self.employers.keep(
            &recruiter.organization_id,
            Some(profile.clone()),
            profile.updated_at,
        );
        let status = if replaced {
            StatusCode::OK
        } else {
            StatusCode::CREATED
        };
        let location = (!replaced).then(|| location(request, "/organization"));
        Ok(profile_response(status, &profile, location))
    }

    async fn create_video_interview(&self, recruiter: &Recruiter, request: &Request) -> Answer {
        let new = parse_new_video_interview(json_object(request)?).map_err(ApiError::Validation)?;
        let interview = create_video_interview(&self.store, &self.clock, recruiter, new).await?;
        Ok(json_response(
            StatusCode::CREATED,
            &VideoInterviewView::from(&interview),
            Some(location(
                request,
                &format!("/video-interviews/{}", interview.id),
            )),
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
            &ListView::new(&page, VideoInterviewSummaryView::from),
            None,
        ))
    }

    async fn get_video_interview(&self, recruiter: &Recruiter, id: &str) -> Answer {
        let interview = self
            .video_interview(&recruiter.organization_id, id_in_path(id)?)
            .await?;
        Ok(json_response(
            StatusCode::OK,
            &VideoInterviewView::from(&interview),
            None,
        ))
    }

    fn sender<'a>(
        &'a self,
        employer: &'a Employer,
        lookup_key: &'a CandidateLookupKey,
    ) -> InvitationSender<'a, S, M, C> {
        InvitationSender {
            invitations: &self.store,
            mailer: &self.mailer,
            clock: &self.clock,
            candidate_app_url: &self.settings.candidate_app_url,
            daily_email_quota: self.settings.daily_email_quota,
            employer,
            reminder_policy: &self.settings.reminder_policy,
            retention: &self.settings.retention,
            lookup_key,
        }
    }

    /// The employer `organization`'s emails name at `now` (its profile, cached for a minute).
    async fn employer(
        &self,
        organization: &OrganizationId,
        now: jiff::Timestamp,
    ) -> Result<Employer, ApiError> {
        Ok(self
            .employers
            .employer(&self.store, organization, now)
            .await?)
    }

    /// `POST /invitations`. With an Idempotency-Key, the key is claimed in the invitation's own
    /// write and the answer saved in the write that records the outcome. A request refused before
    /// that (invalid, no such interview) claims nothing: it changed nothing, and its retry gets
    /// the same answer.
    async fn send_invitation(
        &self,
        recruiter: &Recruiter,
        request: &Request,
        key: Option<&IdempotencyKey>,
    ) -> Answer {
        let body = json_object(request)?;
        let now = self.clock.now();
        let new = parse_new_invitation(body, &self.settings.default_time_zone, now)
            .map_err(ApiError::Validation)?;
        // Three reads at once, each skipped when cached (the interview and the lookup key for
        // good, the profile for a minute): a miss of any costs one round trip. All run to their
        // end, so that a failure is the same whichever fails first.
        let (interview, employer, lookup_key) = tokio::join!(
            self.video_interview(&recruiter.organization_id, new.video_interview_id),
            self.employer(&recruiter.organization_id, now),
            self.keys.lookups.get(),
        );
        let (interview, employer) = (interview?, employer?);
        let lookup_key = lookup_key.map_err(key_unavailable)?;
        let fingerprint = key.map(|_| fingerprint(request));
        let answer = |invitation: &Invitation| {
            worth_keeping(&sent_answer(request, invitation, StatusCode::CREATED, now))
        };
        let keyed = key
            .zip(fingerprint.as_ref())
            .map(|(key, fingerprint)| KeyedRequest {
                key,
                fingerprint,
                answer: &answer,
            });
        match self
            .sender(&employer, lookup_key)
            .send(recruiter, &interview, new, now, keyed)
            .await?
        {
            Keyed::Ran(invitation) => {
                Ok(sent_answer(request, &invitation, StatusCode::CREATED, now))
            }
            Keyed::Held(held) => answer_held(held),
        }
    }

    /// `POST /invitation-batches`: 202 with every row's verdict and `Location`; the accepted
    /// rows' invitations are `queued`, and `invitation-sender` sends them at the deployment's
    /// rate. A body that is no batch (not JSON, a shared field wrong, no candidates or too many)
    /// is refused whole (422) and nothing is stored; an invalid row is only that row's verdict.
    async fn send_invitation_batch(&self, recruiter: &Recruiter, request: &Request) -> Answer {
        let now = self.clock.now();
        let NewInvitationBatch { choices, rows } = parse_new_invitation_batch(
            json_object_within(request, MAX_BATCH_BODY_BYTES)?,
            &self.settings.default_time_zone,
            now,
        )
        .map_err(ApiError::Validation)?;
        let (interview, lookup_key) = tokio::join!(
            self.video_interview(&recruiter.organization_id, choices.video_interview_id),
            self.keys.lookups.get(),
        );
        let interview = interview?;
        let lookup_key = lookup_key.map_err(key_unavailable)?;
        let rows = rows.map_invalid(|errors| {
            errors
                .into_iter()
                .map(|error| RowProblem {
                    pointer: error.pointer.unwrap_or_default(),
                    detail: error.detail,
                })
                .collect()
        });
        // No email goes out here: the employer is read by the sender.
        let employer = self.settings.default_employer.clone();
        let batch = self
            .sender(&employer, lookup_key)
            .accept_batch(&self.queue, recruiter, &interview, &choices, rows, now)
            .await
            .map_err(|error| match error {
                AppError::BatchIncomplete(id) => ApiError::BatchIncomplete {
                    location: location(request, &format!("/invitation-batches/{id}")),
                },
                error => error.into(),
            })?;
        let queued: HashMap<InvitationId, SendOutcome> = batch
            .invitation_ids()
            .map(|id| (id, SendOutcome::Pending))
            .collect();
        Ok(json_response(
            StatusCode::ACCEPTED,
            &InvitationBatchView::new(&batch, &queued),
            Some(location(
                request,
                &format!("/invitation-batches/{}", batch.id),
            )),
        ))
    }

    /// `GET /invitation-batches/{id}`: the batch with what became of each accepted row's email,
    /// read from its invitation now.
    async fn get_invitation_batch(&self, recruiter: &Recruiter, id: &str) -> Answer {
        let organization = &recruiter.organization_id;
        let now = self.clock.now();
        let batch = self
            .store
            .get_batch(organization, id_in_path(id)?)
            .await?
            .filter(|batch| now < batch.retained_until)
            .ok_or(ApiError::NotFound)?;
        let ids: Vec<InvitationId> = batch.invitation_ids().collect();
        let outcomes: HashMap<InvitationId, SendOutcome> = self
            .store
            .get_invitations(organization, &ids)
            .await?
            .into_iter()
            .filter(|invitation| invitation.is_retained_at(now))
            .map(|invitation| {
                (
                    invitation.id,
                    SendOutcome::of(Some(invitation.status_at(now))),
                )
            })
            .collect();
        Ok(json_response(
            StatusCode::OK,
            &InvitationBatchView::new(&batch, &outcomes),
            None,
        ))
    }

    /// `GET /invitation-batches`: the organization's batches, newest first, with their counts.
    async fn list_invitation_batches(&self, recruiter: &Recruiter, request: &Request) -> Answer {
        let mut errors = FieldErrors::default();
        let parameters = query_parameters(request, &mut errors);
        let page = video_interview_listing(parameters, errors).map_err(ApiError::Validation)?;
        let now = self.clock.now();
        let mut page = self
            .store
            .list_batches(&recruiter.organization_id, &page)
            .await?;
        page.items.retain(|batch| now < batch.retained_until);
        Ok(json_response(
            StatusCode::OK,
            &ListView::new(&page, InvitationBatchSummaryView::from),
            None,
        ))
    }

    async fn resend_invitation(
        &self,
        recruiter: &Recruiter,
        request: &Request,
        id: &str,
    ) -> Answer {
        let form = resend_form(request)?;
        let now = self.clock.now();
        let employer = self.employer(&recruiter.organization_id, now).await?;
        let lookup_key = self.keys.lookups.get().await.map_err(key_unavailable)?;
        let invitation = self
            .sender(&employer, lookup_key)
            .resend(
                &recruiter.organization_id,
                id_in_path(id)?,
                form.accept_duplicate,
                form.corrected_email,
            )
            .await?;
        Ok(sent_answer(request, &invitation, StatusCode::OK, now))
    }

    /// `POST /invitations/{id}/deadline-extension`: the invitation after the move (200), with the
    /// candidate's notice's outcome in `lastFollowUp`.
    async fn extend_deadline(&self, recruiter: &Recruiter, request: &Request, id: &str) -> Answer {
        let extension = deadline_extension_form(request)?;
        let organization = &recruiter.organization_id;
        let now = self.clock.now();
        let employer = self.employer(organization, now).await?;
        let link_key = self.keys.links.get().await.map_err(key_unavailable)?;
        let follow_ups = FollowUpSender {
            invitations: &self.store,
            mailer: &self.mailer,
            clock: &self.clock,
            candidate_app_url: &self.settings.candidate_app_url,
            link_key,
            employer: &employer,
            reminder_policy: &self.settings.reminder_policy,
        };
        let invitation = follow_ups
            .extend_deadline(
                organization,
                id_in_path(id)?,
                extension.date,
                extension.time_zone,
                extension.notify_candidate,
                &self.settings.retention,
            )
            .await?;
        Ok(json_response(
            StatusCode::OK,
            &InvitationView::at(&invitation, self.clock.now()),
            None,
        ))
    }

    async fn cancel_invitation(&self, recruiter: &Recruiter, id: &str) -> Answer {
        let now = self.clock.now();
        let invitation = cancel_invitation(
            &self.store,
            &recruiter.organization_id,
            id_in_path(id)?,
            now,
        )
        .await?;
        Ok(json_response(
            StatusCode::OK,
            &InvitationView::at(&invitation, now),
            None,
        ))
    }

    async fn list_invitations(&self, recruiter: &Recruiter, request: &Request) -> Answer {
        let mut errors = FieldErrors::default();
        let parameters = query_parameters(request, &mut errors);
        let now = self.clock.now();
        let (filter, page) =
            invitation_listing(parameters, errors, now).map_err(ApiError::Validation)?;
        let page = self
            .store
            .list_invitations(&recruiter.organization_id, &filter, &page)
            .await?;
        Ok(json_response(
            StatusCode::OK,
            &ListView::new(&page, |invitation| InvitationView::at(invitation, now)),
            None,
        ))
    }

    /// `DELETE /invitations/{id}`: erases the invitation (GDPR article 17, `app::erasure`), 204.
    async fn erase_invitation(&self, recruiter: &Recruiter, id: &str) -> Answer {
        self.eraser()
            .erase_invitation(&recruiter.organization_id, id_in_path(id)?)
            .await?;
        Ok(no_content())
    }

    /// `POST /candidate-erasures`: erases every invitation to the address (GDPR article 17), 200
    /// with their ids.
    async fn erase_candidate(&self, recruiter: &Recruiter, request: &Request) -> Answer {
        let email = parse_candidate_erasure(json_object(request)?).map_err(ApiError::Validation)?;
        let key = self.keys.lookups.get().await.map_err(key_unavailable)?;
        let erased = self
            .eraser()
            .erase_candidate(&recruiter.organization_id, &email, key)
            .await?;
        Ok(json_response(
            StatusCode::OK,
            &ErasureView::from(erased.as_slice()),
            None,
        ))
    }

    /// `GET /candidate-data?email=`: every invitation held for the address, whole (GDPR article
    /// 15), 200.
    async fn candidate_data(&self, recruiter: &Recruiter, request: &Request) -> Answer {
        let mut errors = FieldErrors::default();
        let parameters = query_parameters(request, &mut errors);
        let email = candidate_data_request(parameters, errors).map_err(ApiError::Validation)?;
        let key = self.keys.lookups.get().await.map_err(key_unavailable)?;
        let held = self
            .eraser()
            .candidate_data(&recruiter.organization_id, &email, key)
            .await?;
        let now = self.clock.now();
        Ok(json_response(
            StatusCode::OK,
            &CandidateDataView::at(&held, now),
            None,
        ))
    }

    async fn subscriptions(&self) -> Result<Subscriptions<'_, S, SystemResolver>, ApiError> {
        Ok(Subscriptions {
            store: &self.store,
            resolver: &self.resolver,
            rule: self.settings.webhook_targets,
            key: self.keys.webhooks.get().await.map_err(key_unavailable)?,
        })
    }

    /// `POST /webhook-subscriptions`: 201 with the subscription and its secret, shown this once.
    async fn subscribe(&self, recruiter: &Recruiter, request: &Request) -> Answer {
        let form =
            parse_new_webhook_subscription(json_object(request)?, self.settings.webhook_targets)
                .map_err(ApiError::Validation)?;
        let now = self.clock.now();
        let subscribed = self
            .subscriptions()
            .await?
            .subscribe(&recruiter.organization_id, form, now)
            .await
            .map_err(subscription_refused)?;
        Ok(json_response(
            StatusCode::CREATED,
            &WebhookSubscriptionSecretView::at(&subscribed, now),
            Some(location(
                request,
                &format!("/webhook-subscriptions/{}", subscribed.subscription.id),
            )),
        ))
    }

    /// `POST /webhook-subscriptions/{id}/secret-rotation`: 200 with the subscription and its new
    /// secret, shown this once; the previous one signs on for the overlap asked.
    async fn rotate_secret(&self, recruiter: &Recruiter, request: &Request, id: &str) -> Answer {
        let id = id_in_path(id)?;
        let body = (!body_bytes(request).is_empty())
            .then(|| json_object(request))
            .transpose()?;
        let overlap = parse_secret_rotation(body).map_err(ApiError::Validation)?;
        let now = self.clock.now();
        let rotated = self
            .subscriptions()
            .await?
            .rotate_secret(&recruiter.organization_id, id, overlap, now)
            .await
            .map_err(subscription_refused)?
            .ok_or(ApiError::NotFound)?;
        Ok(json_response(
            StatusCode::OK,
            &WebhookSubscriptionSecretView::at(&rotated, now),
            None,
        ))
    }

    /// The caller's subscription `id`: 404 when there is none.
    async fn subscription(
        &self,
        recruiter: &Recruiter,
        id: &str,
    ) -> Result<WebhookSubscription, ApiError> {
        self.store
            .get_subscription(&recruiter.organization_id, id_in_path(id)?)
            .await?
            .ok_or(ApiError::NotFound)
    }

    /// `GET /webhook-subscriptions/{id}/deliveries`: its deliveries, newest event first.
    async fn list_deliveries(&self, recruiter: &Recruiter, request: &Request, id: &str) -> Answer {
        let mut errors = FieldErrors::default();
        let parameters = query_parameters(request, &mut errors);
        let page = video_interview_listing(parameters, errors).map_err(ApiError::Validation)?;
        let subscription = self.subscription(recruiter, id).await?;
        let page = self
            .store
            .list_deliveries(&recruiter.organization_id, subscription.id, &page)
            .await?;
        Ok(json_response(
            StatusCode::OK,
            &ListView::new(&page, WebhookDeliveryView::from),
            None,
        ))
    }

    /// `POST /webhook-subscriptions/{id}/deliveries/{deliveryId}/redelivery`: 202 with the
    /// delivery, pending one more attempt, which its stream record queues.
    async fn redeliver(&self, recruiter: &Recruiter, id: &str, delivery: &str) -> Answer {
        let subscription = self.subscription(recruiter, id).await?;
        if subscription.disabled.is_some() {
            return Err(ApiError::Conflict(SUBSCRIPTION_DISABLED));
        }
        let mut delivery = self
            .store
            .get_delivery(
                &recruiter.organization_id,
                subscription.id,
                id_in_path(delivery)?,
            )
            .await?
            .ok_or(ApiError::NotFound)?;
        let attempts = delivery.attempts;
        delivery
            .redeliver(self.clock.now())
            .map_err(|_| ApiError::Conflict(DELIVERY_UNDER_WAY))?;
        match self.store.save_delivery(&delivery, attempts, false).await {
            Ok(()) => Ok(json_response(
                StatusCode::ACCEPTED,
                &WebhookDeliveryView::from(&delivery),
                None,
            )),
            // Another redelivery, or an attempt, came first.
            Err(invitations::ports::StoreError::Conflict) => {
                Err(ApiError::Conflict(DELIVERY_UNDER_WAY))
            }
            Err(error) => Err(error.into()),
        }
    }

    fn eraser(&self) -> Eraser<'_, S, B, C> {
        Eraser {
            invitations: &self.store,
            bus: &self.bus,
            clock: &self.clock,
        }
    }

    async fn get_invitation(&self, recruiter: &Recruiter, id: &str) -> Answer {
        let now = self.clock.now();
        let invitation = invitation(
            &self.store,
            &recruiter.organization_id,
            id_in_path(id)?,
            now,
        )
        .await?;
        Ok(json_response(
            StatusCode::OK,
            &InvitationView::at(&invitation, now),
            None,
        ))
    }

    /// An interview of the caller's organization, from this instance's cache when it has it.
    async fn video_interview(
        &self,
        organization: &OrganizationId,
        id: VideoInterviewId,
    ) -> Result<VideoInterview, ApiError> {
        if let Some(interview) = self.video_interviews.get(organization, id) {
            return Ok(interview);
        }
        let interview = video_interview(&self.store, organization, id).await?;
        self.video_interviews.keep(organization, &interview);
        Ok(interview)
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
        assert!(matches!(
            route("/invitations/abc/deadline-extension"),
            Some(Route::DeadlineExtension(id)) if id == "abc"
        ));
        assert!(route("/invitations/a/b").is_none());
        assert!(route("/").is_none());
        assert!(route("/admin").is_none());
    }

    /// `ROUTES` and the router agree both ways: each listed route is routed and allows its
    /// method, and each method a routed path allows is listed.
    #[test]
    fn the_listed_routes_are_the_routers() {
        let concrete = |path: &str| path.replace("{id}", "01KAWXK4D2T6Y9B3C5E7G8H1J2");
        for (method, path) in ROUTES {
            let route = route(&concrete(path)).unwrap_or_else(|| panic!("{path} is not routed"));
            assert!(
                route.allowed().split(", ").any(|m| m == method),
                "{method} {path}"
            );
        }
        for (_, path) in ROUTES {
            for method in route(&concrete(path)).unwrap().allowed().split(", ") {
                assert!(
                    ROUTES.contains(&(method, path)),
                    "{method} {path} is not listed"
                );
            }
        }
    }
}
