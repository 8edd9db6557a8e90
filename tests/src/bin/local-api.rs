//! The local HTTP API (scripts/serve; dev tooling, not deployed): the functions' debug binaries
//! behind a local stand-in for API Gateway (tests/src/gateway), against the local AWS stand-in that
//! `local-aws setup` prepared.
//!
//! - `serve` (the default): serves on 127.0.0.1:`LOCAL_API_PORT` (default 3000; a free port when
//!   3000 is taken and the variable is unset) until Ctrl-C. The functions get the variables the
//!   template names for them, with the values of this process's environment (scripts/local.env),
//!   and the binaries are taken from `BIN_DIR` (default: this binary's folder). Function logs go to
//!   `.local/logs/<function>.log`.
//! - `token --organization ORG [--hours H]`: prints an ID token of a recruiter of organization ORG,
//!   valid for H hours (default 12), signed with the local key (`.local/jwt-signing-key.pem`,
//!   created once, mode 0600).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use integration_tests::gateway::jwt::{
    LOCAL_AUDIENCE, LOCAL_ISSUER, LocalIssuer, recruiter_claims,
};
use integration_tests::gateway::stack::{Stack, StackOptions, in_two_weeks};
use integration_tests::send_queue::SendQueueRoute;
use integration_tests::{CompletionRoute, Error, repository_root, sdk_config};

const DEFAULT_PORT: u16 = 3000;
const DEMO_ORGANIZATION: &str = "demo";

fn key_path() -> PathBuf {
    repository_root().join(".local/jwt-signing-key.pem")
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None | Some("serve") => serve().await,
        Some("token") => {
            let organization = option(&args, "--organization")?.ok_or(USAGE)?;
            let hours = option(&args, "--hours")?.map_or(Ok(12), |h| h.parse())?;
            println!("{}", token(&organization, hours)?);
            Ok(())
        }
        _ => Err(USAGE.into()),
    }
}

const USAGE: &str = "usage: local-api [serve] | local-api token --organization ORG [--hours H]";

/// The value after `name` in `args`.
fn option(args: &[String], name: &str) -> Result<Option<String>, Error> {
    match args.iter().position(|arg| arg == name) {
        None => Ok(None),
        Some(at) => Ok(Some(
            args.get(at + 1)
                .ok_or_else(|| format!("{name} needs a value"))?
                .clone(),
        )),
    }
}

fn token(organization: &str, hours: i64) -> Result<String, Error> {
    LocalIssuer::load_or_create(&key_path())?.mint(&recruiter_claims(organization), hours * 3600)
}

async fn listener() -> Result<tokio::net::TcpListener, Error> {
    let chosen = std::env::var("LOCAL_API_PORT").ok();
    let port: u16 = match &chosen {
        Some(port) => port
            .parse()
            .map_err(|_| format!("LOCAL_API_PORT={port} is not a port number"))?,
        None => DEFAULT_PORT,
    };
    match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(listener) => Ok(listener),
        Err(error) if chosen.is_none() && error.kind() == std::io::ErrorKind::AddrInUse => {
            Ok(tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?)
        }
        Err(error) => Err(format!("cannot listen on 127.0.0.1:{port}: {error}").into()),
    }
}

async fn serve() -> Result<(), Error> {
    let started = Instant::now();
    let bin_dir = match std::env::var_os("BIN_DIR") {
        Some(folder) => PathBuf::from(folder),
        None => std::env::current_exe()?
            .parent()
            .ok_or("no folder of this binary")?
            .to_path_buf(),
    };
    let log_dir = repository_root().join(".local/logs");
    std::fs::create_dir_all(&log_dir)?;
    let listener = listener().await?;
    let stack = Stack::start(
        StackOptions {
            bin_dir,
            variables: std::env::vars().collect::<HashMap<_, _>>(),
            log_dir: Some(log_dir.clone()),
            completion_route: CompletionRoute::existing(&sdk_config().await, "local").await?,
            send_queue: Some(SendQueueRoute::existing(&sdk_config().await, "local").await?),
            issuer: LocalIssuer::load_or_create(&key_path())?,
            schedules: true,
        },
        listener,
    )
    .await?;
    let token = token(DEMO_ORGANIZATION, 12)?;
    print_banner(&stack, &token, &log_dir, started);
    tokio::signal::ctrl_c().await?;
    eprintln!("stopping");
    Ok(())
}

fn print_banner(stack: &Stack, token: &str, log_dir: &std::path::Path, started: Instant) {
    let url = &stack.url;
    let deadline = in_two_weeks();
    let mut routes: Vec<String> = stack
        .gateway
        .api
        .routes
        .iter()
        .map(|route| {
            let access = if route.public { "public" } else { "token" };
            format!("  {:<7} {:<45} {access}", route.method, route.path)
        })
        .collect();
    routes.sort();
    println!(
        r#"
The local HTTP API is ready on {url} ({} ms after start)
Routes from infra/template.yaml:
{}
Function logs: {}/<function>.log. Stop with Ctrl-C.

A token of a demo recruiter (organization "{DEMO_ORGANIZATION}", valid 12 hours):
export API={url}
export TOKEN={token}

Tokens of other organizations: scripts/serve token --organization globex [--hours H]
(an ID token as Cognito issues it, RS256 with the local key .local/jwt-signing-key.pem:
 iss {LOCAL_ISSUER}, aud {LOCAL_AUDIENCE}, sub, email, email_verified, name, given_name,
 custom:organization_id; exp, iat, nbf)

Try it (after the two exports above):
VIDEO_INTERVIEW=$(curl -s -X POST "$API/video-interviews" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{{"title":"Backend developer","questions":[{{"text":"Why do you want this job?","thinkTimeSeconds":30,"answerTimeSeconds":120}}]}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'); echo "$VIDEO_INTERVIEW"
curl -s "$API/video-interviews/$VIDEO_INTERVIEW" -H "authorization: Bearer $TOKEN"
curl -si -X POST "$API/invitations" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -H "idempotency-key: $(python3 -c 'import uuid; print(uuid.uuid4())')" -d '{{"firstName":"Anna","lastName":"Virtanen","email":"anna@candidates.example","language":"en","videoInterviewId":"'"$VIDEO_INTERVIEW"'","answerDeadline":"{deadline}","notifyMe":true}}'
curl -s "$API/invitations?status=sent" -H "authorization: Bearer $TOKEN"
CANDIDATE_TOKEN=$(scripts/serve candidate-token)
curl -s "$API/candidate/invitations/$CANDIDATE_TOKEN"
curl -si -X POST "$API/candidate/invitations/$CANDIDATE_TOKEN/completion"
scripts/serve emails
"#,
        started.elapsed().as_millis(),
        routes.join("\n"),
        log_dir.display(),
    );
}
