//! API Gateway HTTP API (payload format 2.0) events, as API Gateway sends them to the function after
//! its JWT authorizer accepted the caller. The same shape as the samples in `events/`; the local
//! HTTP API (crate::gateway) builds its events with [`ApiEvent`] too.

use serde_json::{Value, json};

/// The claims a recruiter's ID token carries.
#[derive(Debug, Clone)]
pub struct Claims {
    pub sub: String,
    pub email: String,
    pub name: Option<String>,
    pub organization_id: String,
    pub locale: Option<String>,
}

impl Claims {
    pub fn to_json(&self) -> Value {
        let mut claims = json!({
            "sub": self.sub,
            "email": self.email,
            "custom:organization_id": self.organization_id,
        });
        if let Some(name) = &self.name {
            claims["name"] = json!(name);
        }
        if let Some(locale) = &self.locale {
            claims["locale"] = json!(locale);
        }
        claims
    }
}

/// Builds one event.
#[derive(Debug, Clone)]
pub struct ApiEvent {
    method: String,
    path: String,
    /// The route's path (`/invitations/{id}`) when it is not `path` itself.
    route_path: Option<String>,
    path_parameters: Vec<(String, String)>,
    query: Vec<(String, String)>,
    /// The query string as the client sent it, when it did.
    raw_query: Option<String>,
    headers: Vec<(String, String)>,
    cookies: Vec<String>,
    body: Option<String>,
    base64_body: bool,
    claims: Option<Value>,
    scopes: Option<Vec<String>>,
    stage: String,
    context: RequestContext,
}

/// The request's own part of `requestContext`: who asked, when, through which domain.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    pub time: jiff::Timestamp,
    pub source_ip: String,
    pub user_agent: String,
    /// The `Host` the client called.
    pub domain_name: String,
    pub protocol: String,
}

impl Default for RequestContext {
    /// The fixed context of in-process tests: 2026-12-01 10:00 UTC, from 203.0.113.10.
    fn default() -> Self {
        Self {
            request_id: "local-request".to_owned(),
            time: "2026-12-01T10:00:00Z".parse().expect("a valid instant"),
            source_ip: "203.0.113.10".to_owned(),
            user_agent: "integration-tests".to_owned(),
            domain_name: "local.execute-api.eu-west-1.amazonaws.com".to_owned(),
            protocol: "HTTP/1.1".to_owned(),
        }
    }
}

impl ApiEvent {
    pub fn new(method: &str, path: &str) -> Self {
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            route_path: None,
            path_parameters: Vec::new(),
            query: Vec::new(),
            raw_query: None,
            headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
            base64_body: false,
            claims: None,
            scopes: None,
            stage: "$default".to_owned(),
            context: RequestContext::default(),
        }
    }

    /// The route that matched (`/invitations/{id}`) and the path parameters taken from the path.
    pub fn route(mut self, route_path: &str, parameters: Vec<(String, String)>) -> Self {
        self.route_path = Some(route_path.to_owned());
        self.path_parameters = parameters;
        self
    }

    /// The query string as sent (without `?`): `rawQueryString`, and the parameters decoded.
    pub fn raw_query(mut self, raw: &str) -> Self {
        self.query = raw
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (
                    crate::gateway::template::percent_decode(name),
                    crate::gateway::template::percent_decode(value),
                )
            })
            .collect();
        self.raw_query = Some(raw.to_owned());
        self
    }

    /// A cookie as the `Cookie` header carried it (`name=value`).
    pub fn cookie(mut self, cookie: &str) -> Self {
        self.cookies.push(cookie.to_owned());
        self
    }

    /// A body that is not text, sent base64-encoded (`isBase64Encoded`).
    pub fn binary_body(mut self, content_type: &str, body: &[u8]) -> Self {
        use base64::Engine;
        self = self.raw_body(
            content_type,
            &base64::engine::general_purpose::STANDARD.encode(body),
        );
        self.base64_body = true;
        self
    }

    pub fn context(mut self, context: RequestContext) -> Self {
        self.context = context;
        self
    }

    /// The scopes the authorizer found on a route that requires some.
    pub fn scopes(mut self, scopes: Option<Vec<String>>) -> Self {
        self.scopes = scopes;
        self
    }

    pub fn get(path: &str) -> Self {
        Self::new("GET", path)
    }

    pub fn post(path: &str, body: &Value) -> Self {
        Self::new("POST", path).raw_body("application/json", &body.to_string())
    }

    pub fn put(path: &str, body: &Value) -> Self {
        Self::new("PUT", path).raw_body("application/json", &body.to_string())
    }

    pub fn raw_body(mut self, content_type: &str, body: &str) -> Self {
        self.headers.retain(|(name, _)| name != "content-type");
        self.headers
            .push(("content-type".to_owned(), content_type.to_owned()));
        self.body = Some(body.to_owned());
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn claims(mut self, claims: &Claims) -> Self {
        self.claims = Some(claims.to_json());
        self
    }

    /// The API's stage: `$default` unless named, as with `StageName: prod`, when API Gateway puts
    /// it in front of `rawPath` (not of the route key).
    pub fn stage(mut self, stage: &str) -> Self {
        self.stage = stage.to_owned();
        self
    }

    pub fn raw_claims(mut self, claims: Value) -> Self {
        self.claims = Some(claims);
        self
    }

    pub fn to_json(&self) -> Value {
        let raw_query = self.raw_query.clone().unwrap_or_else(|| {
            self.query
                .iter()
                .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
                .collect::<Vec<_>>()
                .join("&")
        });
        // API Gateway joins repeated parameters with a comma here and keeps them apart in rawQueryString.
        let mut parameters = serde_json::Map::new();
        for (name, value) in &self.query {
            let joined = match parameters.get(name).and_then(Value::as_str) {
                Some(previous) => format!("{previous},{value}"),
                None => value.clone(),
            };
            parameters.insert(name.clone(), json!(joined));
        }
        // Header names in lower case, a repeated header's values joined with commas.
        let mut headers = serde_json::Map::new();
        for (name, value) in &self.headers {
            let name = name.to_lowercase();
            let joined = match headers.get(&name).and_then(Value::as_str) {
                Some(previous) => format!("{previous},{value}"),
                None => value.clone(),
            };
            headers.insert(name, json!(joined));
        }
        let route_key = format!(
            "{} {}",
            self.method,
            self.route_path.as_deref().unwrap_or(&self.path)
        );
        let context = &self.context;
        let raw_path = match self.stage.as_str() {
            "$default" => self.path.clone(),
            stage => format!("/{stage}{}", self.path),
        };
        let mut event = json!({
            "version": "2.0",
            "routeKey": route_key,
            "rawPath": raw_path,
            "rawQueryString": raw_query,
            "headers": headers,
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "local",
                "domainName": context.domain_name,
                "domainPrefix": context.domain_name.split('.').next().unwrap_or_default(),
                "http": {
                    "method": self.method,
                    "path": raw_path,
                    "protocol": context.protocol,
                    "sourceIp": context.source_ip,
                    "userAgent": context.user_agent
                },
                "requestId": context.request_id,
                "routeKey": route_key,
                "stage": self.stage,
                "time": context.time.strftime("%d/%b/%Y:%H:%M:%S %z").to_string(),
                "timeEpoch": context.time.as_millisecond()
            },
            "isBase64Encoded": self.base64_body
        });
        if !self.cookies.is_empty() {
            event["cookies"] = json!(self.cookies);
        }
        if !self.path_parameters.is_empty() {
            let parameters: serde_json::Map<String, Value> = self
                .path_parameters
                .iter()
                .map(|(name, value)| (name.clone(), json!(value)))
                .collect();
            event["pathParameters"] = Value::Object(parameters);
        }
        if !parameters.is_empty() {
            event["queryStringParameters"] = Value::Object(parameters);
        }
        if let Some(claims) = &self.claims {
            event["requestContext"]["authorizer"] =
                json!({"jwt": {"claims": claims, "scopes": self.scopes}});
        }
        if let Some(body) = &self.body {
            event["body"] = json!(body);
        }
        event
    }

    pub fn into_request(self) -> lambda_http::Request {
        into_request(&self.to_json())
    }
}

pub fn into_request(event: &Value) -> lambda_http::Request {
    lambda_http::request::from_str(&event.to_string()).expect("a valid API Gateway v2 event")
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// SES's event `detail_type` (`Email Delivered`, `Email Bounced`, ...) about the invitation email
/// `message_id` of invitation `invitation` (organization `acme`) to `to`, as the configuration set
/// publishes it to EventBridge; a bounce is permanent, with a diagnostic naming the address.
pub fn ses_event(detail_type: &str, invitation: &str, message_id: &str, to: &str) -> Value {
    json!({
        "version": "0", "id": "53dc4d37-0000-4000-8000-000000000000",
        "detail-type": detail_type, "source": "aws.ses", "account": "123456789012",
        "time": "2026-12-01T10:00:04Z", "region": "eu-west-1", "resources": [],
        "detail": {
            "mail": {
                "timestamp": "2026-12-01T10:00:00Z", "messageId": message_id, "destination": [to],
                "tags": {
                    "kind": ["invitation"], "organization-id": ["acme"],
                    "invitation-id": [invitation]
                }
            },
            "delivery": {"timestamp": "2026-12-01T10:00:03Z", "recipients": [to]},
            "bounce": {
                "bounceType": "Permanent", "bounceSubType": "General",
                "timestamp": "2026-12-01T10:00:03Z",
                "bouncedRecipients": [
                    {"emailAddress": to, "diagnosticCode": format!("smtp; 550 5.1.1 <{to}> unknown")}
                ]
            }
        }
    })
}
