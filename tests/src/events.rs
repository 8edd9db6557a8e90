//! API Gateway HTTP API (payload format 2.0) events, as API Gateway sends them to the function after
//! its JWT authorizer accepted the caller. The same shape as the samples in `events/`.

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
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<String>,
    claims: Option<Value>,
    stage: String,
}

impl ApiEvent {
    pub fn new(method: &str, path: &str) -> Self {
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            claims: None,
            stage: "$default".to_owned(),
        }
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
        let raw_query = self
            .query
            .iter()
            .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
            .collect::<Vec<_>>()
            .join("&");
        // API Gateway joins repeated parameters with a comma here and keeps them apart in rawQueryString.
        let mut parameters = serde_json::Map::new();
        for (name, value) in &self.query {
            let joined = match parameters.get(name).and_then(Value::as_str) {
                Some(previous) => format!("{previous},{value}"),
                None => value.clone(),
            };
            parameters.insert(name.clone(), json!(joined));
        }
        let headers: serde_json::Map<String, Value> = self
            .headers
            .iter()
            .map(|(name, value)| (name.clone(), json!(value)))
            .collect();
        let route_key = format!("{} {}", self.method, self.path);
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
                "domainName": "local.execute-api.eu-west-1.amazonaws.com",
                "domainPrefix": "local",
                "http": {
                    "method": self.method,
                    "path": raw_path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": "203.0.113.10",
                    "userAgent": "integration-tests"
                },
                "requestId": "local-request",
                "routeKey": route_key,
                "stage": self.stage,
                "time": "01/Dec/2026:10:00:00 +0000",
                "timeEpoch": 1_796_119_200_000_i64
            },
            "isBase64Encoded": false
        });
        if !parameters.is_empty() {
            event["queryStringParameters"] = Value::Object(parameters);
        }
        if let Some(claims) = &self.claims {
            event["requestContext"]["authorizer"] =
                json!({"jwt": {"claims": claims, "scopes": null}});
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
