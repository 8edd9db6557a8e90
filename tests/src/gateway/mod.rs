//! A local stand-in for API Gateway's HTTP API in front of the functions' real binaries (dev
//! tooling, never deployed): routes, authorizer and CORS read from `infra/template.yaml`, each
//! request turned into the payload format 2.0 event API Gateway would send, the function invoked
//! in its emulated execution environment ([`crate::runtime_api::Function`]), and its answer mapped
//! back as API Gateway maps it. Beside it, the completion events EventBridge routes to the
//! notifier and the template's schedules ([`stack`]).
//!
//! Sources: the API Gateway developer guide, "Working with AWS Lambda proxy integrations for HTTP
//! APIs" (payload format 2.0 and the response's mapping), "Control access to HTTP APIs with JWT
//! authorizers", "Configuring CORS for an HTTP API", and the error bodies API Gateway sends
//! (`{"message":"Not Found"}`, `{"message":"Unauthorized"}`, `{"message":"Internal Server Error"}`).

pub mod jwt;
pub mod stack;
pub mod template;

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use base64::Engine;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::events::{ApiEvent, RequestContext};
use crate::runtime_api::Function;
use jwt::{LocalIssuer, Rejection};
use template::{HttpApi, Route};

/// API Gateway's largest request payload for an HTTP API: 10 MB.
const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// What the gateway serves: the template's HTTP API, the key its authorizer trusts, and the
/// functions by binary name.
pub struct Gateway {
    pub api: HttpApi,
    pub issuer: LocalIssuer,
    pub functions: HashMap<String, Arc<Function>>,
}

/// A request as the gateway received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    /// The request target as sent: the path, and `?query` if any (neither decoded).
    pub target: String,
    /// In order, repeats kept.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub peer: IpAddr,
}

/// An answer the gateway gives itself or maps from a function's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// API Gateway's own answers: `{"message": ...}` as JSON.
    fn message(status: u16, message: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: json!({ "message": message }).to_string().into_bytes(),
        }
    }

    pub fn not_found() -> Self {
        Self::message(404, "Not Found")
    }

    pub fn internal_error() -> Self {
        Self::message(500, "Internal Server Error")
    }

    fn rejected(rejection: &Rejection) -> Self {
        let mut answer = match rejection {
            Rejection::Unauthorized(_) => Self::message(401, "Unauthorized"),
            Rejection::Forbidden => Self::message(403, "Forbidden"),
        };
        if let Some(challenge) = rejection.www_authenticate() {
            answer.headers.push(("www-authenticate".into(), challenge));
        }
        answer
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// The function to invoke and the event to give it.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub function: String,
    pub event: Value,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

impl Gateway {
    /// Serves on `listener` until the returned handle is dropped.
    pub fn serve(self: Arc<Self>, listener: TcpListener) -> Serving {
        let address = listener.local_addr().ok();
        let task = tokio::spawn(async move {
            while let Ok((stream, peer)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let gateway = Arc::clone(&self);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let gateway = Arc::clone(&gateway);
                        async move { Ok::<_, Infallible>(gateway.answer(request, peer).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Serving { address, task }
    }

    async fn answer(&self, request: Request<Incoming>, peer: SocketAddr) -> Response<Full<Bytes>> {
        let (parts, body) = request.into_parts();
        let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
            Ok(collected) => collected.to_bytes().to_vec(),
            Err(_) => return into_response(Answer::message(413, "Request Entity Too Large")),
        };
        let received = Received {
            method: parts.method.as_str().to_owned(),
            target: parts
                .uri
                .path_and_query()
                .map_or_else(|| parts.uri.path().to_owned(), |target| target.to_string()),
            headers: parts
                .headers
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_owned(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body,
            peer: peer.ip(),
        };
        into_response(self.handle(&received).await)
    }

    /// API Gateway's answer to `received`: a CORS preflight, a refusal, or the function's answer.
    pub async fn handle(&self, received: &Received) -> Answer {
        let request_id = request_id();
        let origin = received
            .header("origin")
            .filter(|origin| is_local_origin(origin));
        let preflight = self.preflight(received, origin);
        let is_preflight = preflight.is_some();
        let mut answer = match preflight {
            Some(answer) => answer,
            None => match self.prepare(received, &request_id) {
                Err(answer) => answer,
                Ok(prepared) => self.invoke(&prepared).await,
            },
        };
        if let (Some(cors), Some(origin)) = (&self.api.cors, origin) {
            if !is_preflight {
                // API Gateway ignores the CORS headers of the integration's answer.
                answer
                    .headers
                    .retain(|(name, _)| !name.to_lowercase().starts_with("access-control-"));
                if !cors.expose_headers.is_empty() {
                    answer.headers.push((
                        "access-control-expose-headers".into(),
                        cors.expose_headers.join(","),
                    ));
                }
            }
            answer
                .headers
                .push(("access-control-allow-origin".into(), origin.to_owned()));
            if cors.allow_credentials {
                answer
                    .headers
                    .push(("access-control-allow-credentials".into(), "true".into()));
            }
            answer.headers.push(("vary".into(), "origin".into()));
        }
        answer.headers.push(("apigw-requestid".into(), request_id));
        answer
    }

    /// API Gateway answers a CORS preflight itself, whatever the routes (its `CorsConfiguration`;
    /// the template allows its own origins, locally those of this machine: see [`is_local_origin`]).
    fn preflight(&self, received: &Received, origin: Option<&str>) -> Option<Answer> {
        let cors = self.api.cors.as_ref()?;
        let asked = received.header("access-control-request-method");
        if received.method != "OPTIONS" || received.header("origin").is_none() || asked.is_none() {
            return None;
        }
        let mut answer = Answer {
            status: 204,
            headers: Vec::new(),
            body: Vec::new(),
        };
        if origin.is_some() {
            answer.headers.extend([
                (
                    "access-control-allow-methods".to_owned(),
                    cors.allow_methods.join(","),
                ),
                (
                    "access-control-allow-headers".to_owned(),
                    cors.allow_headers.join(","),
                ),
            ]);
            if let Some(max_age) = cors.max_age {
                answer
                    .headers
                    .push(("access-control-max-age".into(), max_age.to_string()));
            }
        }
        Some(answer)
    }

    /// The route, the authorizer's verdict and the event, or API Gateway's refusal.
    pub fn prepare(&self, received: &Received, request_id: &str) -> Result<Prepared, Answer> {
        let (path, query) = received
            .target
            .split_once('?')
            .unwrap_or((&received.target, ""));
        let (route, parameters) = self
            .api
            .route(&received.method, path)
            .ok_or_else(Answer::not_found)?;
        let Route {
            path: route_path,
            function,
            ..
        } = route;
        let mut event = ApiEvent::new(&received.method, path).route(route_path, parameters);
        if !route.public {
            let presented = received.header(&self.api.identity_header);
            let authorized = self
                .issuer
                .verify(presented, &route.scopes)
                .map_err(|rejection| Answer::rejected(&rejection))?;
            event = event
                .raw_claims(json!(authorized.claims))
                .scopes(authorized.scopes);
        }
        event = event.raw_query(query).context(RequestContext {
            request_id: request_id.to_owned(),
            time: jiff::Timestamp::now(),
            source_ip: received.peer.to_string(),
            user_agent: received.header("user-agent").unwrap_or_default().to_owned(),
            domain_name: received.header("host").unwrap_or("localhost").to_owned(),
            protocol: "HTTP/1.1".to_owned(),
        });
        for (name, value) in &received.headers {
            // API Gateway moves cookies to `cookies`, and sets the x-forwarded-* headers itself.
            if name.eq_ignore_ascii_case("cookie") {
                for cookie in value.split(';').map(str::trim).filter(|c| !c.is_empty()) {
                    event = event.cookie(cookie);
                }
            } else if !name.to_lowercase().starts_with("x-forwarded-") {
                event = event.header(name, value);
            }
        }
        event = event
            .header("x-forwarded-for", &received.peer.to_string())
            .header("x-forwarded-proto", "http")
            .header("x-amzn-trace-id", &format!("Root=1-{request_id}"));
        if !received.body.is_empty() {
            let content_type = received.header("content-type").unwrap_or_default();
            event = match std::str::from_utf8(&received.body) {
                Ok(text) if is_text(content_type) => event.raw_body(content_type, text),
                _ => event.binary_body(content_type, &received.body),
            };
        }
        Ok(Prepared {
            function: function.clone(),
            event: event.to_json(),
        })
    }

    async fn invoke(&self, prepared: &Prepared) -> Answer {
        let Some(function) = self.functions.get(&prepared.function) else {
            eprintln!("no function {} is running", prepared.function);
            return Answer::internal_error();
        };
        match function.invoke(prepared.event.to_string().as_bytes()).await {
            Ok(document) => map_response(&document).unwrap_or_else(|| {
                eprintln!("{}: a response API Gateway cannot map", prepared.function);
                Answer::internal_error()
            }),
            Err(failure) => {
                eprintln!("{}: {failure}", prepared.function);
                Answer::internal_error()
            }
        }
    }
}

/// A running gateway; dropping it stops it.
pub struct Serving {
    pub address: Option<SocketAddr>,
    task: JoinHandle<()>,
}

impl Drop for Serving {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The function's response document as API Gateway maps it (payload format 2.0): `statusCode`,
/// `headers`, `multiValueHeaders`, `cookies`, `body` (base64-decoded when `isBase64Encoded`).
/// Valid JSON without a `statusCode` is a 200 with that JSON as its body; anything else, `None`
/// (API Gateway answers 500).
pub fn map_response(document: &[u8]) -> Option<Answer> {
    let value: Value = serde_json::from_slice(document).ok()?;
    let Some(status) = value.get("statusCode") else {
        return Some(Answer {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: document.to_vec(),
        });
    };
    let status = status.as_u64().and_then(|s| u16::try_from(s).ok())?;
    let mut headers = Vec::new();
    for (name, value) in value["headers"].as_object().into_iter().flatten() {
        headers.push((name.clone(), value.as_str()?.to_owned()));
    }
    for (name, values) in value["multiValueHeaders"].as_object().into_iter().flatten() {
        for value in values.as_array()? {
            headers.push((name.clone(), value.as_str()?.to_owned()));
        }
    }
    for cookie in value["cookies"].as_array().into_iter().flatten() {
        headers.push(("set-cookie".into(), cookie.as_str()?.to_owned()));
    }
    let body = match value.get("body") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(text)) if value["isBase64Encoded"] == true => {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .ok()?
        }
        Some(Value::String(text)) => text.clone().into_bytes(),
        Some(_) => return None,
    };
    Some(Answer {
        status,
        headers,
        body,
    })
}

fn into_response(answer: Answer) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(answer.body.clone())));
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in &answer.headers {
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_str(value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    if answer.header("content-length").is_none() {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_LENGTH, answer.body.len().into());
    }
    response
}

/// Whether a body of this content type reaches the function as text (else base64-encoded).
fn is_text(content_type: &str) -> bool {
    let media = content_type.to_lowercase();
    media.starts_with("text/")
        || ["json", "xml", "javascript", "x-www-form-urlencoded", "yaml"]
            .iter()
            .any(|kind| media.contains(kind))
}

/// An origin of this machine (`http(s)://localhost`, `127.0.0.1` or `[::1]`, any port): the
/// local stand-in for the template's `CorsAllowedOrigins`.
pub fn is_local_origin(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    let host = match rest.strip_prefix("[::1]") {
        Some(port) => return port.is_empty() || valid_port(port),
        None => rest.split_once(':').map_or(rest, |(host, _)| host),
    };
    let port = &rest[host.len()..];
    matches!(host, "localhost" | "127.0.0.1") && (port.is_empty() || valid_port(port))
}

fn valid_port(text: &str) -> bool {
    text.strip_prefix(':')
        .is_some_and(|port| port.parse::<u16>().is_ok())
}

/// An id in the form of API Gateway's (`JKJaXmPLvHcESHA=`).
fn request_id() -> String {
    let random = ulid::Ulid::new().to_bytes();
    base64::engine::general_purpose::STANDARD.encode(&random[6..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_map_as_api_gateway_maps_them() {
        let mapped = map_response(
            br#"{"statusCode":201,"headers":{"location":"/x"},"multiValueHeaders":{"vary":["a","b"]},
                "cookies":["s=1; HttpOnly"],"body":"{}","isBase64Encoded":false}"#,
        )
        .unwrap();
        assert_eq!(mapped.status, 201);
        assert_eq!(mapped.header("location"), Some("/x"));
        assert_eq!(
            mapped
                .headers
                .iter()
                .filter(|(name, _)| name == "vary")
                .count(),
            2
        );
        assert_eq!(mapped.header("set-cookie"), Some("s=1; HttpOnly"));
        assert_eq!(mapped.body, b"{}");
        let binary =
            map_response(br#"{"statusCode":200,"body":"AAE=","isBase64Encoded":true}"#).unwrap();
        assert_eq!(binary.body, [0, 1]);
        // No statusCode: a 200 carrying the JSON itself.
        let inferred = map_response(br#"{"ok":true}"#).unwrap();
        assert_eq!(inferred.status, 200);
        assert_eq!(inferred.header("content-type"), Some("application/json"));
        assert_eq!(inferred.body, br#"{"ok":true}"#);
        assert!(map_response(b"not json").is_none());
        assert!(map_response(br#"{"statusCode":"two hundred"}"#).is_none());
    }

    #[test]
    fn local_origins_only() {
        for origin in [
            "http://localhost",
            "http://localhost:5173",
            "https://127.0.0.1:8443",
            "http://[::1]:3000",
        ] {
            assert!(is_local_origin(origin), "{origin}");
        }
        for origin in [
            "http://localhost.evil.example",
            "https://recruit.acme.example",
            "http://127.0.0.1:99999",
            "null",
        ] {
            assert!(!is_local_origin(origin), "{origin}");
        }
    }
}
