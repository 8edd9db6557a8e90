//! AWS round trips per operation, counted by the SDK interceptor of `calls.rs` on the clients each
//! function is built with (not taken from the code): how many requests each operation makes, to
//! which services, and in how many sequential rounds. Prints a Markdown table. Then a sweep of many
//! due reminders (REMINDER_SWEEP_SIZE, default 1,000): its wall time and requests per reminder.
//! Needs the local stand-in (scripts/bench starts it).

use std::time::Instant;

use futures_util::StreamExt;
use integration_tests::Error;
use integration_tests::calls::CallLog;
use integration_tests::events::{ApiEvent, ses_event};
use integration_tests::webhook_route::WebhookRoute;
use integration_tests::world::*;
use invitations::domain::webhooks::TargetRule;
use serde_json::json;

fn row(operation: &str, log: &CallLog) -> String {
    let requests = log.requests();
    let actions: Vec<String> = requests.iter().map(|actions| actions.join("+")).collect();
    let row = format!(
        "| {operation} | {} | {} | {} |",
        requests.len(),
        log.sequential_rounds(),
        actions.join(", ")
    );
    log.clear();
    row
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let world = world().await;
    let calls = &world.calls;
    let mut rows = vec![
        "| operation | AWS requests | sequential rounds | requests, in order |".to_owned(),
        "|---|---|---|---|".to_owned(),
    ];
    let video_interview = world.create_video_interview(&world.acme, "Sales").await;
    rows.push(row("POST /video-interviews", &calls.recruiter_api));

    let form = world.invitation_form(&video_interview, "en", true);
    let sent = world.invite(&world.acme, &form).await;
    rows.push(row(
        "POST /invitations, first to its interview on this instance",
        &calls.recruiter_api,
    ));
    let mut again = form.clone();
    again["email"] = json!(world.candidate_email("again"));
    let again_sent = world.invite(&world.acme, &again).await;
    rows.push(row("POST /invitations", &calls.recruiter_api));
    // A fresh instance reads its candidate lookup key from Secrets Manager on its first send, as
    // main.rs builds it (the world's API holds its keys ready).
    let lookup_key = integration_tests::create_lookup_key(&world.sdk, &world.tag).await?;
    let fresh = recruiter_api::RecruiterApi::new(
        invitations::adapters::dynamodb::DynamoStore::new(
            calls.recruiter_api.dynamodb(&world.sdk),
            &world.table,
        ),
        mailer(calls.recruiter_api.sesv2(&world.sdk), SENDER),
        world.bus(),
        world.queue(),
        at(NOW),
        settings(),
        recruiter_api::Keys {
            lookups: invitations::adapters::secrets::LookupKeys::from_secret(
                calls.recruiter_api.secretsmanager(&world.sdk),
                lookup_key,
            ),
            ..keys()
        },
    );
    let mut first = form.clone();
    first["email"] = json!(world.candidate_email("fresh"));
    // No reminder: the sweep below has exactly one due.
    first["reminders"] = json!(false);
    let answer = fresh
        .handle(
            ApiEvent::post("/invitations", &first)
                .claims(&world.acme)
                .into_request(),
        )
        .await;
    if answer.status() != 201 {
        return Err(format!("the fresh instance's send answered {}", answer.status()).into());
    }
    rows.push(row(
        "POST /invitations, first on a fresh instance (its lookup key read)",
        &calls.recruiter_api,
    ));
    let mut other = form.clone();
    other["email"] = json!(world.candidate_email("keyed"));
    let keyed = ApiEvent::post("/invitations", &other)
        .header("idempotency-key", "bench")
        .claims(&world.acme);
    world.call(keyed.clone()).await;
    rows.push(row(
        "POST /invitations with Idempotency-Key",
        &calls.recruiter_api,
    ));
    world.call(keyed).await;
    rows.push(row("POST /invitations, replayed", &calls.recruiter_api));

    let profile = json!({
        "displayName": "Acme Oy",
        "privacyNoticeUrl": "https://acme.example/privacy",
    });
    world
        .call(ApiEvent::put("/organization", &profile).claims(&world.acme))
        .await;
    rows.push(row("PUT /organization", &calls.recruiter_api));
    world
        .call(ApiEvent::get("/organization").claims(&world.acme))
        .await;
    rows.push(row("GET /organization", &calls.recruiter_api));

    let again_id = again_sent.body["id"]
        .as_str()
        .ok_or("no second invitation")?
        .to_owned();
    world
        .call(
            ApiEvent::post(
                &format!("/invitations/{again_id}/deadline-extension"),
                &json!({"answerDeadline": "2026-12-20"}),
            )
            .claims(&world.acme),
        )
        .await;
    rows.push(row(
        "POST /invitations/{id}/deadline-extension, with its notice",
        &calls.recruiter_api,
    ));

    let id = sent.body["id"].as_str().ok_or("no invitation")?.to_owned();
    world
        .call(ApiEvent::get("/invitations").claims(&world.acme))
        .await;
    rows.push(row("GET /invitations", &calls.recruiter_api));
    world
        .call(ApiEvent::get(&format!("/invitations/{id}")).claims(&world.acme))
        .await;
    rows.push(row("GET /invitations/{id}", &calls.recruiter_api));

    let token = world
        .candidate_token(sent.body["email"].as_str().ok_or("no email")?)
        .await;
    let route = integration_tests::CompletionRoute::create(&world.sdk, &world.tag).await?;
    let candidate = world.candidate_api(&route.bus_name, "2026-12-08T09:30:00Z");
    let open = || ApiEvent::get(&format!("/candidate/invitations/{}", token.expose()));
    candidate.handle(open().into_request()).await;
    rows.push(row(
        "GET /candidate/invitations/{token}, first",
        &calls.candidate_api,
    ));
    candidate.handle(open().into_request()).await;
    rows.push(row(
        "GET /candidate/invitations/{token}, again",
        &calls.candidate_api,
    ));
    let complete = ApiEvent::new(
        "POST",
        &format!("/candidate/invitations/{}/completion", token.expose()),
    );
    candidate.handle(complete.clone().into_request()).await;
    rows.push(row("POST …/completion", &calls.candidate_api));
    candidate.handle(complete.into_request()).await;
    rows.push(row("POST …/completion, repeated", &calls.candidate_api));

    let event = route.delivered().await?.pop().ok_or("no event delivered")?;
    let notifier = world.notifier(SENDER, "2026-12-08T09:30:05Z");
    notifier.handle(&event).await?;
    rows.push(row(
        "completion event (notify me)",
        &calls.completion_notifier,
    ));
    notifier.handle(&event).await?;
    rows.push(row(
        "completion event, redelivered",
        &calls.completion_notifier,
    ));

    // SES's events about the keyed invitation's email: delivered (again: a duplicate), bounced.
    let keyed_id = world
        .call(
            ApiEvent::get("/invitations")
                .query("limit", "1")
                .claims(&world.acme),
        )
        .await
        .body["items"][0]["id"]
        .as_str()
        .ok_or("no keyed invitation")?
        .to_owned();
    calls.recruiter_api.clear();
    let message_id = world.message_id(&keyed_id).await;
    let candidate = world.candidate_email("keyed");
    let email_events = world.email_events("2026-12-01T10:05:00Z");
    let delivered = ses_event("Email Delivered", &keyed_id, &message_id, &candidate);
    email_events.handle(&delivered).await?;
    rows.push(row("email event: delivered", &calls.email_events));
    email_events.handle(&delivered).await?;
    rows.push(row("email event: delivered, again", &calls.email_events));

    // Due now: the keyed invitation's reminder (the first is completed, the second moved on).
    let schedule = scheduled_event();
    let reminders = world.deadline_reminders(REMINDER_DUE);
    reminders.handle(&schedule).await?;
    rows.push(row("reminders sweep, 1 due", &calls.deadline_reminders));
    reminders.handle(&schedule).await?;
    rows.push(row("reminders sweep, none due", &calls.deadline_reminders));
    let bounced = ses_event("Email Bounced", &keyed_id, &message_id, &candidate);
    email_events.handle(&bounced).await?;
    rows.push(row(
        "email event: bounced (the recruiter told)",
        &calls.email_events,
    ));

    // The candidate's requests (the keyed invitation's address), and the first invitation erased
    // by id; the erasures are announced on the route's bus.
    world
        .call(
            ApiEvent::get("/candidate-data")
                .query("email", &candidate)
                .claims(&world.acme),
        )
        .await;
    rows.push(row(
        "GET /candidate-data?email=, 1 invitation",
        &calls.recruiter_api,
    ));
    world
        .call(ApiEvent::new("DELETE", &format!("/invitations/{id}")).claims(&world.acme))
        .await;
    rows.push(row("DELETE /invitations/{id}", &calls.recruiter_api));
    world
        .call(
            ApiEvent::post("/candidate-erasures", &json!({ "email": candidate }))
                .claims(&world.acme),
        )
        .await;
    rows.push(row(
        "POST /candidate-erasures, 1 invitation (with a saved answer)",
        &calls.recruiter_api,
    ));
    // A batch's queued invitations, each its send queue message: the first on a fresh sender
    // instance (the organization's profile read), the next, and a redelivery. Last: they are the
    // newest invitations, which the rows above look up.
    // The template's highest rate: no send here waits for its turn.
    let sender = world.invitation_sender(NOW, 1000.0);
    let queued_message = |name: &'static str| {
        let world = &world;
        async move {
            let email = world.candidate_email(name);
            let event = world.queued_invitation_event(&email, NOW.parse()?).await?;
            Ok::<aws_lambda_events::event::sqs::SqsEvent, Error>(serde_json::from_value(event)?)
        }
    };
    let first = queued_message("batch1").await?;
    let next = queued_message("batch2").await?;
    for (operation, event) in [
        (
            "queued invitation (SQS message), first on this instance",
            first,
        ),
        ("queued invitation (SQS message)", next.clone()),
        ("queued invitation (SQS message), redelivered", next),
    ] {
        let response = sender.handle(event).await;
        if !response.batch_item_failures.is_empty() {
            return Err(format!("{operation}: handed back").into());
        }
        rows.push(row(operation, &calls.invitation_sender));
    }
    webhooks(&world, &video_interview, &mut rows).await?;
    println!("{}", rows.join("\n"));

    let size: usize = std::env::var("REMINDER_SWEEP_SIZE").map_or(Ok(1000), |v| v.parse())?;
    sweep_of_many(&world, &video_interview, size).await
}

/// A send's webhook to one subscription: the stream's batches the dispatcher gets (the send's
/// records, then its delivery's), and the sender's attempt and a copy of its message.
async fn webhooks(
    world: &World,
    video_interview: &str,
    rows: &mut Vec<String>,
) -> Result<(), Error> {
    let calls = &world.calls;
    let mut hooks = WebhookRoute::create(world).await?;
    hooks.now = NOW.parse()?;
    // What came before is the stream's history, not this send's; read before subscribing, so
    // that it makes no deliveries.
    hooks.dispatch(world).await?;
    calls.webhook_dispatcher.clear();
    let url = format!("{}/hooks", hooks.receiver.base_url);
    world
        .call(
            ApiEvent::post(
                "/webhook-subscriptions",
                &json!({"url": url, "eventTypes": ["invitation.sent"]}),
            )
            .claims(&world.acme),
        )
        .await;
    rows.push(row("POST /webhook-subscriptions", &calls.recruiter_api));
    let mut form = world.invitation_form(video_interview, "en", false);
    form["email"] = json!(world.candidate_email("webhook"));
    // No reminder: the sweep below counts exactly its own due ones.
    form["reminders"] = json!(false);
    world.invite(&world.acme, &form).await;
    calls.recruiter_api.clear();
    let dispatcher = hooks.dispatcher(world);
    for operation in [
        "stream batch: an invitation sent, 1 subscription",
        "stream batch: its delivery, due",
    ] {
        dispatcher.handle(&hooks.stream.next_event().await?).await?;
        rows.push(row(operation, &calls.webhook_dispatcher));
    }
    let event = hooks.queue.receive().await?;
    let sender = hooks.sender(
        world,
        hooks.now,
        TargetRule {
            allow_loopback: true,
        },
    )?;
    for operation in [
        "webhook attempt, delivered",
        "webhook message again, delivered already",
    ] {
        let response = sender.handle(event.clone()).await;
        if !response.batch_item_failures.is_empty() {
            return Err(format!("{operation}: handed back").into());
        }
        rows.push(row(operation, &calls.webhook_sender));
    }
    Ok(())
}

/// 48 hours before the end of the tests' deadline day (15 December 2026 in Helsinki).
const REMINDER_DUE: &str = "2026-12-13T22:00:30Z";

fn scheduled_event() -> serde_json::Value {
    json!({
        "version": "0", "id": "bench", "detail-type": "Scheduled Event", "source": "aws.events",
        "account": "123456789012", "time": "2026-12-13T22:00:00Z", "region": "eu-west-1",
        "resources": [], "detail": {}
    })
}

/// `size` invitations whose reminder is due, then one sweep of them all, timed.
async fn sweep_of_many(world: &World, video_interview: &str, size: usize) -> Result<(), Error> {
    futures_util::stream::iter(0..size)
        .map(|index| async move {
            let mut form = world.invitation_form(video_interview, "en", false);
            form["email"] = json!(world.candidate_email(&format!("due{index}")));
            world.invite(&world.acme, &form).await
        })
        .buffer_unordered(16)
        .for_each(|_| async {})
        .await;
    let calls = &world.calls.deadline_reminders;
    calls.clear();
    let reminders = world.deadline_reminders(REMINDER_DUE);
    let started = Instant::now();
    let outcome = reminders.handle(&scheduled_event()).await?;
    let elapsed = started.elapsed();
    let deadline_reminders::Outcome::Swept(report) = outcome else {
        return Err("the sweep ignored its event".into());
    };
    if report.sent != size {
        return Err(format!("{size} due, {report:?}").into());
    }
    let requests = calls.requests().len();
    println!();
    println!(
        "| reminders due | sweep wall time (ms) | AWS requests | per reminder | sequential rounds |"
    );
    println!("|---|---|---|---|---|");
    println!(
        "| {size} | {:.0} | {requests} | {:.2} | {} |",
        elapsed.as_secs_f64() * 1000.0,
        requests as f64 / size as f64,
        calls.sequential_rounds()
    );
    Ok(())
}
