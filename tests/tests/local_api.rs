//! The local HTTP API (scripts/serve) over real HTTP: the functions' debug binaries (which `cargo
//! test --workspace` builds for their own cold-start tests) under the Runtime API emulator, behind
//! the gateway whose routes, authorizer and CORS come from infra/template.yaml, against the local
//! AWS stand-in; each test with a table, a completion route and a signing key of its own.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use integration_tests::gateway::jwt::{LocalIssuer, recruiter_claims};
use integration_tests::gateway::stack::{Stack, StackOptions};
use integration_tests::gateway::{Gateway, Received, template};
use integration_tests::world::*;
use integration_tests::{CompletionRoute, create_link_key, create_lookup_key, create_webhook_key};
use serde_json::{Value, json};

/// Where the functions' binaries are: beside this test's folder (`target/debug/deps/..`).
fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let folder = exe.parent().unwrap().parent().unwrap().to_path_buf();
    assert!(
        folder.join("recruiter-api").is_file(),
        "the functions are not built in {}: run the tests as scripts/test does (cargo test \
         --workspace builds every function's binary for its cold-start test)",
        folder.display()
    );
    folder
}

/// One stack at a time. Each starts five function processes and their cold starts against the
/// one stand-in, which answers one request at a time: five stacks at once made a cold function's
/// first DynamoDB call wait past its 2 s attempt timeout (a 503 seen in two CI-like runs).
static ONE_STACK_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Local {
    world: World,
    stack: Stack,
    http: reqwest::Client,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

async fn local() -> Local {
    let turn = ONE_STACK_AT_A_TIME.lock().await;
    let world = world().await;
    let route = CompletionRoute::create(&world.sdk, &world.tag)
        .await
        .unwrap();
    let variables = HashMap::from([
        ("TABLE_NAME", world.table.clone()),
        ("SENDER_EMAIL", SENDER.to_owned()),
        ("CANDIDATE_APP_URL", CANDIDATE_APP.to_owned()),
        ("RECRUITER_APP_URL", RECRUITER_APP.to_owned()),
        ("DEFAULT_TIME_ZONE", "Europe/Helsinki".to_owned()),
        ("DAILY_EMAIL_QUOTA", DAILY_EMAIL_QUOTA.to_string()),
        ("EVENT_BUS_NAME", route.bus_name.clone()),
        ("SEND_QUEUE_URL", world.send_queue.queue_url.clone()),
        (
            "LINK_KEY_SECRET_ARN",
            create_link_key(&world.sdk, &world.tag).await.unwrap(),
        ),
        (
            "LOOKUP_KEY_SECRET_ARN",
            create_lookup_key(&world.sdk, &world.tag).await.unwrap(),
        ),
        (
            "WEBHOOK_KEY_SECRET_ARN",
            create_webhook_key(&world.sdk, &world.tag).await.unwrap(),
        ),
    ]);
    let logs = std::env::temp_dir().join(format!("local-api-{}", world.tag));
    std::fs::create_dir_all(&logs).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let stack = Stack::start(
        StackOptions {
            bin_dir: bin_dir(),
            variables: variables
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect(),
            log_dir: Some(logs),
            completion_route: route,
            issuer: LocalIssuer::generate().unwrap(),
            send_queue: None,
            schedules: false,
        },
        listener,
    )
    .await
    .unwrap();
    Local {
        world,
        stack,
        http: reqwest::Client::new(),
        _turn: turn,
    }
}

struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map_or("", |value| value.to_str().unwrap())
    }
}

impl Local {
    /// A token of a recruiter of `organization` whose address carries the test's tag.
    fn token(&self, organization: &str) -> String {
        let mut claims = recruiter_claims(organization);
        claims["email"] = json!(self.recruiter_email(organization));
        self.stack.gateway.issuer.mint(&claims, 600).unwrap()
    }

    fn recruiter_email(&self, organization: &str) -> String {
        format!("recruiter+{}@{organization}.example", self.world.tag)
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.stack.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("idempotency-key", ulid::Ulid::new().to_string())
                .json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(reqwest::Method::GET, path, token, None).await
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    async fn create_video_interview(&self, token: &str) -> Reply {
        self.post(
            "/video-interviews",
            Some(token),
            json!({"title": "Backend developer", "questions": [{"text": "Why this job?"}]}),
        )
        .await
    }
}

fn assert_unauthorized(reply: &Reply, description: Option<&str>) {
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert_eq!(reply.body, json!({"message": "Unauthorized"}));
    let challenge = reply.header("www-authenticate");
    match description {
        None => assert_eq!(challenge, "Bearer"),
        Some(description) => assert_eq!(
            challenge,
            format!(
                "Bearer scope=\"\" error=\"invalid_token\" error_description=\"{description}\""
            )
        ),
    }
    assert!(!reply.header("apigw-requestid").is_empty());
}

#[tokio::test]
async fn recruiter_routes_need_a_valid_token_and_candidate_routes_none() {
    let local = local().await;
    // A candidate route: the function itself answers (an unknown token is its 404 problem).
    let open = local
        .get("/candidate/invitations/not-a-real-token", None)
        .await;
    assert_ne!(open.status, 401);
    assert_eq!(open.header("content-type"), "application/problem+json");

    assert_unauthorized(&local.get("/video-interviews", None).await, None);
    let issuer = &local.stack.gateway.issuer;
    let expired = issuer.mint(&recruiter_claims("acme"), -60).unwrap();
    assert_unauthorized(
        &local.get("/video-interviews", Some(&expired)).await,
        Some("the token has expired"),
    );
    let foreign_key = LocalIssuer::generate()
        .unwrap()
        .mint(&recruiter_claims("acme"), 600)
        .unwrap();
    assert_unauthorized(
        &local.get("/video-interviews", Some(&foreign_key)).await,
        Some("the token's signature is invalid"),
    );
    let mut claims = recruiter_claims("acme");
    claims["aud"] = json!("another-app");
    let wrong_audience = issuer.mint(&claims, 600).unwrap();
    assert_unauthorized(
        &local.get("/video-interviews", Some(&wrong_audience)).await,
        Some("the token does not have a valid audience"),
    );
    let good = local.token("acme");
    assert_eq!(
        local.get("/video-interviews", Some(&good)).await.status,
        200
    );

    // No route: API Gateway's own 404, with or without a token.
    for (path, token) in [
        ("/nowhere", None),
        ("/video-interviews/1/x", Some(good.as_str())),
    ] {
        let reply = local.get(path, token).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.body, json!({"message": "Not Found"}));
    }
    let reply = local
        .call(
            reqwest::Method::PATCH,
            "/video-interviews",
            Some(&good),
            None,
        )
        .await;
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn a_preflight_is_answered_from_the_template_for_local_origins() {
    let local = local().await;
    let preflight = |origin: &'static str| {
        local
            .http
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/invitations", local.stack.url),
            )
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,idempotency-key",
            )
            .send()
    };
    let allowed = preflight("http://localhost:5173").await.unwrap();
    assert_eq!(allowed.status(), 204);
    let header = |name: &str| {
        allowed
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(
        header("access-control-allow-origin"),
        "http://localhost:5173"
    );
    assert!(
        header("access-control-allow-headers").contains("idempotency-key"),
        "{:?}",
        allowed.headers()
    );
    assert!(header("access-control-allow-methods").contains("POST"));
    assert_eq!(header("access-control-max-age"), "600");
    let foreign = preflight("https://evil.example").await.unwrap();
    assert!(
        foreign
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn a_recruiter_creates_and_reads_within_their_organization_only() {
    let local = local().await;
    let (acme, globex) = (local.token("acme"), local.token("globex"));
    let created = local.create_video_interview(&acme).await;
    assert_eq!(created.status, 201, "{}", created.body);
    // A reference relative to the request's URL, as a client resolves it.
    let location = reqwest::Url::parse(&format!("{}/video-interviews", local.stack.url))
        .unwrap()
        .join(created.header("location"))
        .unwrap();
    let location = location.path();
    assert!(location.starts_with("/video-interviews/"), "{location}");
    let read = local.get(location, Some(&acme)).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body["id"], created.body["id"]);
    let other = local.get(location, Some(&globex)).await;
    assert_eq!(other.status, 404, "{}", other.body);
    let listed = local.get("/video-interviews", Some(&globex)).await;
    assert_eq!(listed.status, 200);
    assert!(
        !listed
            .body
            .to_string()
            .contains(created.body["id"].as_str().unwrap())
    );
}

#[tokio::test]
async fn a_completion_reaches_the_notifier_which_emails_the_recruiter() {
    let local = local().await;
    let acme = local.token("acme");
    let video_interview = local.create_video_interview(&acme).await.body["id"].clone();
    let candidate = local.world.candidate_email("anna");
    let deadline = integration_tests::gateway::stack::in_two_weeks();
    let sent = local
        .post(
            "/invitations",
            Some(&acme),
            json!({"firstName": "Anna", "lastName": "Virtanen", "email": candidate,
                   "language": "en", "videoInterviewId": video_interview,
                   "answerDeadline": deadline, "notifyMe": true}),
        )
        .await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let token = local.world.candidate_token(&candidate).await;
    let path = format!("/candidate/invitations/{}", token.expose());
    let opened = local.get(&path, None).await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    let completed = local
        .call(
            reqwest::Method::POST,
            &format!("{path}/completion"),
            None,
            None,
        )
        .await;
    assert!(
        completed.status < 300,
        "{} {}",
        completed.status,
        completed.body
    );

    let recruiter = local.recruiter_email("acme");
    let mut notified = false;
    for _ in 0..100 {
        let emails = local.world.emails().await;
        if emails
            .iter()
            .any(|email| email.to_addresses().contains(&recruiter))
        {
            notified = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        notified,
        "the notifier did not email {recruiter} within 20 s"
    );
    let invitation = local
        .get(
            &format!("/invitations/{}", sent.body["id"].as_str().unwrap()),
            Some(&acme),
        )
        .await;
    assert_eq!(
        invitation.body["status"], "completed",
        "{}",
        invitation.body
    );
}

#[test]
fn the_event_carries_the_claims_as_strings_and_the_request_as_api_gateway_does() {
    let gateway = Gateway {
        api: template::http_api(&integration_tests::template().unwrap()).unwrap(),
        issuer: LocalIssuer::generate().unwrap(),
        functions: HashMap::new(),
    };
    let mut claims = recruiter_claims("acme");
    claims["cognito:groups"] = json!(["admins", "recruiters"]);
    let token = gateway.issuer.mint(&claims, 600).unwrap();
    let received = Received {
        method: "GET".into(),
        target: "/invitations/01KAWXK4D2T6Y9B3C5E7G8H1J2?status=sent&status=opened&q=a%20b".into(),
        headers: vec![
            ("Authorization".into(), format!("Bearer {token}")),
            ("Host".into(), "127.0.0.1:3000".into()),
            ("Accept".into(), "application/json".into()),
            ("Accept".into(), "text/plain".into()),
            ("Cookie".into(), "a=1; b=2".into()),
            ("User-Agent".into(), "curl/8".into()),
        ],
        body: Vec::new(),
        peer: IpAddr::V4(Ipv4Addr::LOCALHOST),
    };
    let prepared = gateway.prepare(&received, "req-1").unwrap();
    assert_eq!(prepared.function, "recruiter-api");
    let event = prepared.event;
    let jwt = &event["requestContext"]["authorizer"]["jwt"];
    let claims = jwt["claims"].as_object().unwrap();
    assert!(claims.values().all(Value::is_string), "{claims:?}");
    assert_eq!(claims["email_verified"], "true");
    assert_eq!(claims["custom:organization_id"], "acme");
    assert_eq!(claims["cognito:groups"], "[admins recruiters]");
    assert!(claims["exp"].as_str().unwrap().parse::<i64>().is_ok());
    assert_eq!(jwt["scopes"], Value::Null);
    assert_eq!(event["version"], "2.0");
    assert_eq!(event["routeKey"], "GET /invitations/{id}");
    assert_eq!(event["requestContext"]["routeKey"], "GET /invitations/{id}");
    assert_eq!(event["rawPath"], "/invitations/01KAWXK4D2T6Y9B3C5E7G8H1J2");
    assert_eq!(event["rawQueryString"], "status=sent&status=opened&q=a%20b");
    assert_eq!(event["queryStringParameters"]["status"], "sent,opened");
    assert_eq!(event["queryStringParameters"]["q"], "a b");
    assert_eq!(event["pathParameters"]["id"], "01KAWXK4D2T6Y9B3C5E7G8H1J2");
    assert_eq!(event["headers"]["accept"], "application/json,text/plain");
    assert!(event["headers"].get("cookie").is_none());
    assert_eq!(event["cookies"], json!(["a=1", "b=2"]));
    let context = &event["requestContext"];
    assert_eq!(context["stage"], "$default");
    assert_eq!(context["requestId"], "req-1");
    assert_eq!(context["domainName"], "127.0.0.1:3000");
    assert_eq!(context["http"]["sourceIp"], "127.0.0.1");
    assert_eq!(context["http"]["userAgent"], "curl/8");
    assert!(context["timeEpoch"].as_i64().unwrap() > 1_700_000_000_000);
    assert_eq!(event["isBase64Encoded"], false);
    assert!(event.get("body").is_none());
    // What the recruiter API makes of it: the recruiter of acme.
    let request = integration_tests::events::into_request(&event);
    let recruiter = invitations::http::recruiter(&request).unwrap();
    assert_eq!(recruiter.organization_id.as_str(), "acme");

    // A body that is not text reaches the function base64-encoded.
    let upload = Received {
        method: "POST".into(),
        target: "/candidate/invitations/abc/completion".into(),
        headers: vec![("content-type".into(), "application/octet-stream".into())],
        body: vec![0xff, 0x00],
        ..received
    };
    let event = gateway.prepare(&upload, "req-2").unwrap().event;
    assert_eq!(event["isBase64Encoded"], true);
    assert_eq!(event["body"], "/wA=");
    assert_eq!(event["pathParameters"]["token"], "abc");
    assert!(event["requestContext"].get("authorizer").is_none());
}
