//! AWS round trips per operation, counted by the SDK interceptor of `calls.rs` on the clients each
//! function is built with (not taken from the code): how many requests each operation makes, to
//! which services, and in how many sequential rounds. Prints a Markdown table. Needs the local
//! stand-in (scripts/bench starts it).

use integration_tests::Error;
use integration_tests::calls::CallLog;
use integration_tests::events::ApiEvent;
use integration_tests::world::*;
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
    world.invite(&world.acme, &again).await;
    rows.push(row("POST /invitations", &calls.recruiter_api));
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

    println!("{}", rows.join("\n"));
    Ok(())
}
