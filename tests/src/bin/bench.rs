//! The benchmark (scripts/bench): each function's release `bootstrap` run under a minimal Lambda
//! Runtime API (tests/src/runtime_api.rs) against the local stand-in, beside a hello-world
//! `lambda_runtime` function built with the same profile. Prints one Markdown table per measure.
//!
//! BIN_DIR: where the release binaries are; COLD_STARTS (default 20); WARM_INVOCATIONS (default 1000).

use std::time::{Duration, Instant};

use integration_tests::Error;
use integration_tests::events::{ApiEvent, ses_event};
use integration_tests::runtime_api::RuntimeApi;
use integration_tests::webhook_route::WebhookRoute;
use integration_tests::world::*;
use serde_json::{Value, json};

struct Subject {
    name: &'static str,
    event: Value,
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn percentile(mut values: Vec<Duration>, p: usize) -> Duration {
    values.sort();
    values[(values.len() * p / 100).min(values.len() - 1)]
}

fn ms(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1000.0)
}

/// CPU time (user + system) of a process so far, from /proc (clock ticks of 10 ms).
fn cpu_time(pid: u32) -> Result<Duration, Error> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .ok_or("stat")?
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
    Ok(Duration::from_millis(ticks * 10))
}

/// Peak resident memory of a process so far, in MB.
fn peak_rss_mb(pid: u32) -> Result<f64, Error> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .ok_or("no VmHWM")?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()?;
    Ok(kb / 1024.0)
}

fn succeeded(name: &str, body: &[u8]) -> Result<(), Error> {
    let answer: Value = serde_json::from_slice(body)?;
    // The sender's partial batch response: a message handed back was not taken.
    if answer["batchItemFailures"]
        .as_array()
        .is_some_and(|failures| !failures.is_empty())
    {
        return Err(format!("{name} handed messages back: {answer}").into());
    }
    match answer.get("statusCode").and_then(Value::as_u64) {
        Some(200) | None => Ok(()),
        Some(status) => Err(format!("{name} answered {status}: {answer}").into()),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Error> {
    let bin_dir = std::env::var("BIN_DIR")?;
    let cold_starts: usize = std::env::var("COLD_STARTS").map_or(Ok(20), |v| v.parse())?;
    let warm_invocations: usize =
        std::env::var("WARM_INVOCATIONS").map_or(Ok(1000), |v| v.parse())?;

    // One invitation, opened, completed and notified: every function has something real to read.
    let world = world().await;
    let video_interview = world.create_video_interview(&world.acme, "Bench").await;
    let sent = world
        .invite(
            &world.acme,
            &world.invitation_form(&video_interview, "en", false),
        )
        .await;
    let id = sent.body["id"].as_str().ok_or("no invitation")?.to_owned();
    let token = world
        .candidate_token(sent.body["email"].as_str().ok_or("no email")?)
        .await;
    let completion = json!({
        "version": "0", "id": "bench", "detail-type": invitations::domain::events::DETAIL_TYPE,
        "source": invitations::domain::events::SOURCE, "account": "123456789012",
        "time": "2026-12-08T09:45:00Z", "region": "eu-west-1", "resources": [],
        "detail": {"organizationId": "acme", "invitationId": id, "completedAt": "2026-12-08T09:45:00Z"}
    });
    world
        .notifier(SENDER, "2026-12-08T09:45:05Z")
        .handle(&completion)
        .await?;

    let message_id = world.message_id(&id).await;
    let candidate = sent.body["email"].as_str().ok_or("no email")?;
    let delivered = ses_event("Email Delivered", &id, &message_id, candidate);
    let queued = world
        .queued_invitation_event(&world.candidate_email("batch"), jiff::Timestamp::now())
        .await?;
    // A subscription to a local endpoint: the send's stream records make its delivery, queued.
    let mut hooks = WebhookRoute::create(&world).await?;
    let subscribed = world
        .call(
            ApiEvent::post(
                "/webhook-subscriptions",
                &json!({"url": format!("{}/hooks", hooks.receiver.base_url),
                        "eventTypes": ["invitation.sent"]}),
            )
            .claims(&world.acme),
        )
        .await;
    if subscribed.status != 201 {
        return Err(format!("subscribing: {}", subscribed.body).into());
    }
    hooks.dispatch(&world).await?;
    // The queued delivery: attempted by the first invocation, found delivered after.
    let queued_delivery = serde_json::to_value(hooks.queue.receive().await?)?;
    // The dispatcher's sample record of this send: its delivery is made already (a replay).
    let record = std::fs::read_to_string(
        integration_tests::repository_root().join("events/webhook-dispatcher/invitation-sent.json"),
    )?
    .replace("01KAWXK4D2T6Y9B3C5E7G8H1J2", &id)
    .replace("01KAWXJ0V8G5Q8ZK3N2M4P6R7S", &video_interview);
    let stream_record: Value = serde_json::from_str(&record)?;
    let subjects = [
        Subject {
            name: "hello-lambda",
            event: json!({"hello": "world"}),
        },
        Subject {
            name: "recruiter-api",
            event: ApiEvent::get(&format!("/invitations/{id}"))
                .claims(&world.acme)
                .to_json(),
        },
        Subject {
            name: "candidate-api",
            event: ApiEvent::get(&format!("/candidate/invitations/{}", token.expose())).to_json(),
        },
        Subject {
            name: "completion-notifier",
            event: completion,
        },
        // SES's delivery event (recorded by the first invocation, a duplicate after).
        Subject {
            name: "email-events",
            event: delivered,
        },
        // A sweep with nothing due at the real clock's now: init, and the cost of one sweep.
        Subject {
            name: "deadline-reminders",
            event: json!({
                "version": "0", "id": "bench", "detail-type": "Scheduled Event",
                "source": "aws.events", "account": "123456789012",
                "time": "2026-12-13T22:00:00Z", "region": "eu-west-1", "resources": [], "detail": {}
            }),
        },
        // A batch's queued invitation: sent by the first invocation, a redelivery after.
        Subject {
            name: "invitation-sender",
            event: queued,
        },
        // The stream's record of the send: the subscriptions read, the delivery found made.
        Subject {
            name: "webhook-dispatcher",
            event: stream_record,
        },
        // Reads its key at cold start, as deadline-reminders does.
        Subject {
            name: "webhook-sender",
            event: queued_delivery,
        },
    ];
    let link_key_secret = integration_tests::create_link_key(&world.sdk, "bench").await?;
    let lookup_key_secret = integration_tests::create_lookup_key(&world.sdk, "bench").await?;
    let webhook_key_secret = integration_tests::create_webhook_key(&world.sdk, "bench").await?;
    let mut environment: Vec<(String, String)> = [
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
    ]
    .iter()
    .filter_map(|name| {
        std::env::var(name)
            .ok()
            .map(|value| ((*name).to_owned(), value))
    })
    .collect();
    environment.extend(
        [
            ("TABLE_NAME", world.table.as_str()),
            ("SENDER_EMAIL", SENDER),
            ("CANDIDATE_APP_URL", CANDIDATE_APP),
            ("RECRUITER_APP_URL", RECRUITER_APP),
            ("DEFAULT_TIME_ZONE", "Europe/Helsinki"),
            ("DAILY_EMAIL_QUOTA", "2000"),
            ("EVENT_BUS_NAME", "bench"),
            ("LINK_KEY_SECRET_ARN", link_key_secret.as_str()),
            ("LOOKUP_KEY_SECRET_ARN", lookup_key_secret.as_str()),
            ("WEBHOOK_KEY_SECRET_ARN", webhook_key_secret.as_str()),
            ("SEND_QUEUE_URL", world.send_queue.queue_url.as_str()),
            ("WEBHOOK_QUEUE_URL", hooks.queue.queue_url.as_str()),
            // The endpoint listens on loopback.
            ("WEBHOOK_ALLOW_LOOPBACK", "true"),
            // The template's highest rate over its fewest instances: a send every 2 ms, which
            // no invocation here waits for (each takes longer).
            ("SEND_RATE", "1000"),
            ("SENDER_CONCURRENCY", "2"),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_owned())),
    );

    println!(
        "| function | init p50 (ms) | init / hello | first answer p50 (ms) | warm p50 (ms) | warm p99 (ms) | CPU per invocation (ms) | peak RSS (MB) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut hello_init = None;
    for subject in &subjects {
        let binary = format!("{bin_dir}/{}", subject.name);
        let event = serde_json::to_vec(&subject.event)?;
        let (mut inits, mut firsts) = (Vec::new(), Vec::new());
        for _ in 0..cold_starts {
            let mut api = RuntimeApi::start().await?;
            let started = Instant::now();
            let mut child = api.spawn(&binary, &environment)?;
            inits.push(api.first_poll(Duration::from_secs(10)).await? - started);
            let answered = api.invoke(&event).await?;
            if !answered.ok {
                return Err(format!(
                    "{}: {}",
                    subject.name,
                    String::from_utf8_lossy(&answered.body)
                )
                .into());
            }
            succeeded(subject.name, &answered.body)?;
            firsts.push(answered.at - started);
            child.kill().await?;
        }
        // Warm: one process, many invocations.
        let mut api = RuntimeApi::start().await?;
        let mut child = api.spawn(&binary, &environment)?;
        let pid = child.id().ok_or("no pid")?;
        api.first_poll(Duration::from_secs(10)).await?;
        api.invoke(&event).await?;
        let cpu_before = cpu_time(pid)?;
        let mut latencies = Vec::new();
        for _ in 0..warm_invocations {
            let sent = Instant::now();
            let answered = api.invoke(&event).await?;
            latencies.push(answered.at - sent);
        }
        let cpu = (cpu_time(pid)? - cpu_before).as_secs_f64() * 1000.0 / warm_invocations as f64;
        let rss = peak_rss_mb(pid)?;
        child.kill().await?;
        let init = median(inits);
        let ratio = hello_init.get_or_insert(init).as_secs_f64();
        println!(
            "| {} | {} | {:.1}x | {} | {} | {} | {:.3} | {:.1} |",
            subject.name,
            ms(init),
            init.as_secs_f64() / ratio,
            ms(median(firsts)),
            ms(percentile(latencies.clone(), 50)),
            ms(percentile(latencies, 99)),
            cpu,
            rss
        );
    }
    Ok(())
}
