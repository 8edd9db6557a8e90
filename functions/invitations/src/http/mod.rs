//! HTTP plumbing shared by the service's API functions: who is calling (from the JWT authorizer's
//! claims, never from the body), reading a JSON body safely, writing JSON answers, the problems
//! every error becomes (`problem`), strict JSON field parsing (`validation`) and
//! `Idempotency-Key` (`idempotency`). Nothing below this layer knows HTTP.

pub mod idempotency;
pub mod problem;
pub mod schemas;
pub mod validation;

use std::collections::HashMap;

use lambda_http::http::{StatusCode, header};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::domain::{
    EmailAddress, IanaTimeZone, Language, OrganizationId, PersonName, Question, Recruiter,
    RecruiterId,
};
use problem::ApiError;
use validation::{FieldErrors, parse_json_object};

/// Bodies beyond this are refused before parsing: no form of ours comes near it.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The body limit of an invitation batch: a thousand rows with every name and address at its
/// longest (about 1.1 KB a row as JSON) fit; far below API Gateway's 10 MB and Lambda's 6 MB.
pub const MAX_BATCH_BODY_BYTES: usize = 2 * 1024 * 1024;

pub const ORGANIZATION_CLAIM: &str = "custom:organization_id";

/// The ID token's claims the service reads beside `sub`: the user attributes an identity provider
/// must let it read (the stack's Cognito app client's `ReadAttributes`).
pub const RECRUITER_CLAIMS: [&str; 7] = [
    "email",
    "email_verified",
    "name",
    "given_name",
    "locale",
    "zoneinfo",
    ORGANIZATION_CLAIM,
];

/// The recruiter vouched for by API Gateway's JWT authorizer. Missing or malformed claims are a
/// 401: the service never guesses a tenant.
pub fn recruiter(request: &Request) -> Result<Recruiter, ApiError> {
    let claims = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context
            .authorizer
            .as_ref()
            .and_then(|authorizer| authorizer.jwt.as_ref())
            .map(|jwt| &jwt.claims),
        _ => None,
    }
    .ok_or(ApiError::Unauthorized)?;
    recruiter_from_claims(claims).ok_or(ApiError::Unauthorized)
}

pub fn recruiter_from_claims(claims: &HashMap<String, String>) -> Option<Recruiter> {
    let claim = |name: &str| {
        debug_assert!(name == "sub" || RECRUITER_CLAIMS.contains(&name), "{name}");
        claims.get(name).map(String::as_str)
    };
    Some(Recruiter {
        id: RecruiterId::parse(claim("sub")?).ok()?,
        organization_id: OrganizationId::parse(claim(ORGANIZATION_CLAIM)?).ok()?,
        email: EmailAddress::parse(claim("email")?).ok()?,
        // Optional claims that do not fit are left out rather than refusing the recruiter.
        name: claim("name").and_then(|name| PersonName::parse(name).ok()),
        given_name: claim("given_name").and_then(|name| PersonName::parse(name).ok()),
        language: claim("locale").and_then(Language::from_locale),
        time_zone: claim("zoneinfo").and_then(|zone| IanaTimeZone::parse(zone).ok()),
        // API Gateway passes every claim as text: the boolean `false` arrives as "false".
        email_verified: !claim("email_verified")
            .is_some_and(|value| value.eq_ignore_ascii_case("false")),
    })
}

/// The path of the request as the API's routes name it, whatever the stage. With a stage other
/// than `$default` (`StageName: prod`), API Gateway's `rawPath` starts with `/prod` and lambda_http
/// keeps it there (and adds it where a client's path lacked it), while the route that matched,
/// `POST /invitations`, does not hold it: the stage is taken off again here.
pub fn route_path(request: &Request) -> &str {
    let path = request.uri().path();
    let stage = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.stage.as_deref(),
        _ => None,
    };
    match stage {
        Some(stage) if stage != "$default" => path
            .strip_prefix('/')
            .and_then(|rest| rest.strip_prefix(stage))
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            .map_or(path, |rest| if rest.is_empty() { "/" } else { rest }),
        _ => path,
    }
}

/// The body as a JSON object: 415 unless it is declared JSON, 413 when too large, 400 when it
/// does not parse (duplicate keys included).
/// The body as a JSON object, at most [`MAX_BODY_BYTES`]: 415 unless `application/json` in UTF-8,
/// 413 beyond the limit, 400 unless one JSON object without duplicate keys.
pub fn json_object(request: &Request) -> Result<Map<String, Value>, ApiError> {
    json_object_within(request, MAX_BODY_BYTES)
}

/// [`json_object`] with a body limit of `limit` bytes.
pub fn json_object_within(request: &Request, limit: usize) -> Result<Map<String, Value>, ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if !is_json(content_type) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let bytes = body_bytes(request);
    if bytes.len() > limit {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    parse_json_object(bytes).map_err(ApiError::MalformedJson)
}

/// The body as it arrived.
pub fn body_bytes(request: &Request) -> &[u8] {
    match request.body() {
        Body::Empty => &[],
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    }
}

fn is_json(content_type: &str) -> bool {
    let mut parts = content_type.split(';').map(str::trim);
    let media_type = parts.next().unwrap_or_default();
    media_type.eq_ignore_ascii_case("application/json")
        && parts.all(|parameter| match parameter.split_once('=') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
                value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            }
            _ => true,
        })
}

/// The query string as single-valued parameters; a parameter given twice is an error.
pub fn query_parameters(request: &Request, errors: &mut FieldErrors) -> HashMap<String, String> {
    let mut parameters = HashMap::new();
    if let Some(query) = request.query_string_parameters_ref() {
        for (name, value) in query.iter() {
            if parameters
                .insert(name.to_owned(), value.to_owned())
                .is_some()
            {
                errors.add_parameter(name, "must be given at most once");
            }
        }
    }
    parameters
}

/// A question as both APIs show it.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Question)]
pub struct QuestionView<'a> {
    text: &'a str,
    /// Seconds the candidate may think before recording starts; `null`: the app's default.
    #[schema(required = true)]
    think_time_seconds: Option<u32>,
    /// Seconds the candidate may record; `null`: the app's default.
    #[schema(required = true)]
    answer_time_seconds: Option<u32>,
}

impl<'a> From<&'a Question> for QuestionView<'a> {
    fn from(question: &'a Question) -> Self {
        Self {
            text: question.text.as_str(),
            think_time_seconds: question.think_time_seconds,
            answer_time_seconds: question.answer_time_seconds,
        }
    }
}

/// The `Location` of `target` (a path as the routes name it, `/invitations/{id}`) as a relative
/// reference from the request's own path, which the client resolves against the URL it called
/// (RFC 9110 §10.2.2, RFC 3986 §5.2): `invitations/{id}` from `POST /invitations`,
/// `../../invitations/{id}` from `POST /invitations/{id}/resend`. It is right wherever the API is
/// mounted (the `$default` stage, a named stage, a custom domain's API mapping), which an absolute
/// path cannot be: with an API mapping the URL carries the mapping key, the event only the stage.
pub fn location(request: &Request, target: &str) -> String {
    let depth = route_path(request)
        .trim_start_matches('/')
        .matches('/')
        .count();
    format!("{}{}", "../".repeat(depth), target.trim_start_matches('/'))
}

pub fn json_response(
    status: StatusCode,
    value: &impl Serialize,
    location: Option<String>,
) -> Response<Body> {
    let mut response = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(location) = location {
        response = response.header(header::LOCATION, location);
    }
    let body = serde_json::to_string(value).expect("response types always serialize");
    response
        .body(Body::Text(body))
        .expect("static headers are valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_media_types() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=UTF-8"));
        assert!(is_json("application/json;charset=\"utf-8\""));
        assert!(!is_json("application/json; charset=latin1"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
        assert!(!is_json(""));
    }

    fn request_at(stage: &str, raw_path: &str) -> Request {
        let event = serde_json::json!({
            "version": "2.0",
            "routeKey": "POST /invitations",
            "rawPath": raw_path,
            "rawQueryString": "",
            "headers": {},
            "requestContext": {
                "accountId": "123456789012", "apiId": "api", "domainName": "api.example",
                "domainPrefix": "api", "requestId": "r", "routeKey": "POST /invitations",
                "stage": stage, "time": "01/Dec/2026:10:00:00 +0000", "timeEpoch": 0,
                "http": {"method": "POST", "path": raw_path, "protocol": "HTTP/1.1",
                         "sourceIp": "203.0.113.1", "userAgent": "t"}
            },
            "isBase64Encoded": false
        });
        lambda_http::request::from_str(&event.to_string()).unwrap()
    }

    #[test]
    fn routes_are_matched_without_the_stage() {
        for (stage, raw_path, route) in [
            ("$default", "/invitations", "/invitations"),
            ("prod", "/prod/invitations", "/invitations"),
            (
                "prod",
                "/prod/invitations/01J/cancellation",
                "/invitations/01J/cancellation",
            ),
            // lambda_http puts the stage in front of a path that lacks it.
            ("prod", "/invitations", "/invitations"),
            // Only the stage as a whole segment is taken off.
            ("v1", "/v1/v1beta/invitations", "/v1beta/invitations"),
            ("v1", "/v1beta/invitations", "/v1beta/invitations"),
            (
                "Prod-2",
                "/Prod-2/candidate/invitations/t",
                "/candidate/invitations/t",
            ),
        ] {
            assert_eq!(
                route_path(&request_at(stage, raw_path)),
                route,
                "{stage} {raw_path}"
            );
        }
    }

    #[test]
    fn claims_become_a_recruiter_or_nothing() {
        let claims = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect()
        };
        let full = claims(&[
            ("sub", "u-1"),
            ("email", "rita@acme.example"),
            ("name", "Rita"),
            ("locale", "fi-FI"),
            (ORGANIZATION_CLAIM, "acme"),
        ]);
        let recruiter = recruiter_from_claims(&full).unwrap();
        assert_eq!(recruiter.organization_id.as_str(), "acme");
        assert_eq!(recruiter.language, Some(Language::Fi));
        assert_eq!(recruiter.time_zone, None);
        let mut zoned = full.clone();
        zoned.insert("zoneinfo".into(), "America/New_York".into());
        zoned.insert("given_name".into(), "Rita".into());
        let zoned = recruiter_from_claims(&zoned).unwrap();
        assert_eq!(zoned.time_zone.unwrap().name(), "America/New_York");
        assert_eq!(zoned.given_name.unwrap().as_str(), "Rita");
        // A zone that is not an IANA name is left out, as other optional claims that do not fit.
        let mut unzoned = full.clone();
        unzoned.insert("zoneinfo".into(), "+02:00".into());
        assert_eq!(recruiter_from_claims(&unzoned).unwrap().time_zone, None);
        assert_eq!(recruiter.display_name(), "Rita");
        for missing in ["sub", "email", ORGANIZATION_CLAIM] {
            let mut partial = full.clone();
            partial.remove(missing);
            assert!(recruiter_from_claims(&partial).is_none(), "{missing}");
        }
        let mut forged = full.clone();
        forged.insert(ORGANIZATION_CLAIM.into(), "acme#INV".into());
        assert!(recruiter_from_claims(&forged).is_none());
        assert!(
            recruiter.email_verified,
            "no claim: the provider only issues verified ones"
        );
        for (claim, verified) in [("true", true), ("false", false), ("FALSE", false)] {
            let mut stated = full.clone();
            stated.insert("email_verified".into(), claim.into());
            let recruiter = recruiter_from_claims(&stated).unwrap();
            assert_eq!(recruiter.email_verified, verified, "{claim}");
        }
        let mut nameless = full;
        nameless.insert("name".into(), "Bad\r\nName".into());
        assert_eq!(
            recruiter_from_claims(&nameless).unwrap().display_name(),
            "rita@acme.example"
        );
    }
}
