//! Deadline reminders through the real function's handler, the real SDK and the local stand-in,
//! the clock injected: each reminder exactly once under overlapping sweeps and a retry, none after
//! completion or cancellation, re-planned when the deadline moves, found through the sparse index.

use deadline_reminders::Outcome;
use integration_tests::CompletionRoute;
use integration_tests::events::ApiEvent;
use integration_tests::world::*;
use invitations::app::reminders::SweepReport;
use serde_json::{Value, json};

/// The event an EventBridge schedule delivers.
fn scheduled_event() -> Value {
    json!({
        "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event", "source": "aws.events",
        "account": "123456789012", "time": "2026-12-13T22:00:00Z", "region": "eu-west-1",
        "resources": ["arn:aws:events:eu-west-1:123456789012:rule/reminders"], "detail": {}
    })
}

/// One sweep at `now`.
async fn sweep(world: &World, now: &str) -> SweepReport {
    let function = world.deadline_reminders(now);
    match Box::pin(function.handle(&scheduled_event())).await.unwrap() {
        Outcome::Swept(report) => report,
        Outcome::Ignored => panic!("the schedule's event was ignored"),
    }
}

/// The reminder emails this test's candidates got.
async fn reminders(world: &World) -> Vec<integration_tests::SentEmail> {
    world
        .emails()
        .await
        .into_iter()
        .filter(|email| email.subject.contains("reminder"))
        .collect()
}

/// Invites `name` (deadline 15 December 2026 in Helsinki, created 1 December): the id.
async fn invite(world: &World, interview: &str, name: &str) -> String {
    let mut form = world.invitation_form(interview, "en", false);
    form["email"] = json!(world.candidate_email(name));
    let answer = world.invite(&world.acme, &form).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.body["id"].as_str().unwrap().to_owned()
}

// 15 December in Helsinki ends at 22:00 UTC: the reminders are due at 2026-12-13T22:00Z (48 hours
// before) and 2026-12-15T07:00Z (09:00 on the last day).

#[tokio::test]
async fn each_reminder_goes_out_exactly_once_under_overlapping_sweeps_and_a_retry() {
    let world = world().await;
    let interview = world.create_video_interview(&world.acme, "Sales").await;
    let id = invite(&world, &interview, "anna").await;
    let shown = world
        .call(ApiEvent::get(&format!("/invitations/{id}")).claims(&world.acme))
        .await;
    assert_eq!(shown.body["nextReminderAt"], "2026-12-13T22:00:00Z");
    assert_eq!(shown.body["reminders"], true);

    assert_eq!(sweep(&world, "2026-12-13T21:59:59.999Z").await.due, 0);
    // Two sweeps at once (a slow one overlapping the next), then Lambda retrying one.
    let now = "2026-12-13T22:00:30Z";
    let (one, other) = (world.deadline_reminders(now), world.deadline_reminders(now));
    let event = scheduled_event();
    let (first, second) = tokio::join!(one.handle(&event), other.handle(&event));
    let sent: usize = [first.unwrap(), second.unwrap()]
        .into_iter()
        .map(|outcome| match outcome {
            Outcome::Swept(report) => report.sent,
            Outcome::Ignored => 0,
        })
        .sum();
    assert_eq!(sent, 1);
    assert_eq!(
        sweep(&world, now).await,
        SweepReport::default(),
        "the retry"
    );
    let emails = reminders(&world).await;
    assert_eq!(emails.len(), 1);
    let reminder = &emails[0];
    assert_eq!(reminder.to_addresses(), [world.candidate_email("anna")]);
    assert!(
        reminder.html.contains("You have 2 days left"),
        "{}",
        reminder.html
    );
    assert!(reminder.html.contains("Tuesday 15 December 2026"));
    // Its link opens the interview.
    let token = candidate_token_in(&reminder.html, CANDIDATE_APP);
    let candidate = world.candidate_api("bus-unused", now);
    let opened = Answer::from(
        candidate
            .handle(
                ApiEvent::get(&format!("/candidate/invitations/{}", token.expose())).into_request(),
            )
            .await,
    );
    assert_eq!(opened.status, 200, "{}", opened.body);

    let last_day = "2026-12-15T07:01:00Z";
    assert_eq!(sweep(&world, last_day).await.sent, 1);
    assert_eq!(sweep(&world, last_day).await.due, 0);
    let emails = reminders(&world).await;
    assert_eq!(emails.len(), 2);
    assert!(emails[1].html.contains("Today is the last day to answer"));
    assert_eq!(
        candidate_token_in(&emails[1].html, CANDIDATE_APP).expose(),
        token.expose(),
        "the same follow-up link"
    );
    let shown = world
        .call_at(
            last_day,
            ApiEvent::get(&format!("/invitations/{id}")).claims(&world.acme),
        )
        .await;
    assert_eq!(shown.body["nextReminderAt"], Value::Null);
    assert_eq!(shown.body["lastFollowUp"]["kind"], "reminder");
    assert_eq!(shown.body["lastFollowUp"]["status"], "sent");
    // The sweeps read the index, never the table.
    let requests = world.calls.deadline_reminders.requests();
    assert!(
        requests
            .iter()
            .flatten()
            .all(|action| action != "dynamodb:Scan")
    );
}

#[tokio::test]
async fn no_reminder_after_completion_or_cancellation_or_for_a_recruiter_who_turned_them_off() {
    let world = world().await;
    let interview = world.create_video_interview(&world.acme, "Sales").await;
    let completed = invite(&world, &interview, "done").await;
    let cancelled = invite(&world, &interview, "gone").await;
    let mut form = world.invitation_form(&interview, "en", false);
    form["email"] = json!(world.candidate_email("quiet"));
    form["reminders"] = json!(false);
    let quiet = world.invite(&world.acme, &form).await;
    assert_eq!(quiet.body["nextReminderAt"], Value::Null);
    let waiting = invite(&world, &interview, "waiting").await;

    let route = CompletionRoute::create(&world.sdk, &world.tag)
        .await
        .unwrap();
    let token = world.candidate_token(&world.candidate_email("done")).await;
    let candidate = world.candidate_api(&route.bus_name, "2026-12-05T10:00:00Z");
    let done = Answer::from(
        candidate
            .handle(
                ApiEvent::new(
                    "POST",
                    &format!("/candidate/invitations/{}/completion", token.expose()),
                )
                .into_request(),
            )
            .await,
    );
    assert_eq!(done.status, 200, "{}", done.body);
    let withdrawn = world
        .call(
            ApiEvent::post(
                &format!("/invitations/{cancelled}/cancellation"),
                &json!({}),
            )
            .claims(&world.acme),
        )
        .await;
    assert_eq!(withdrawn.status, 200);

    let report = sweep(&world, "2026-12-13T22:00:00Z").await;
    assert_eq!(
        (report.due, report.sent),
        (1, 1),
        "only the one still waiting"
    );
    let emails = reminders(&world).await;
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].to_addresses(), [world.candidate_email("waiting")]);
    let _ = (completed, waiting);
}

#[tokio::test]
async fn a_moved_deadline_re_plans_the_reminders() {
    let world = world().await;
    let interview = world.create_video_interview(&world.acme, "Sales").await;
    let id = invite(&world, &interview, "anna").await;
    let moved = world
        .call_at(
            "2026-12-10T10:00:00Z",
            ApiEvent::post(
                &format!("/invitations/{id}/deadline-extension"),
                &json!({"answerDeadline": "2026-12-22", "notifyCandidate": false}),
            )
            .claims(&world.acme),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body["nextReminderAt"], "2026-12-20T22:00:00Z");
    // The old times pass without a reminder; the new one sends it.
    assert_eq!(sweep(&world, "2026-12-13T22:00:00Z").await.due, 0);
    assert_eq!(sweep(&world, "2026-12-15T07:00:00Z").await.due, 0);
    assert_eq!(sweep(&world, "2026-12-20T22:00:00Z").await.sent, 1);
    let emails = reminders(&world).await;
    assert_eq!(emails.len(), 1);
    assert!(
        emails[0].html.contains("Tuesday 22 December 2026"),
        "{}",
        emails[0].html
    );
}

#[tokio::test]
async fn anything_but_a_schedules_event_is_ignored() {
    let world = world().await;
    let function = world.deadline_reminders(NOW);
    let mut event = scheduled_event();
    event["source"] = json!("recruit.video-interviews");
    assert_eq!(function.handle(&event).await.unwrap(), Outcome::Ignored);
    assert_eq!(function.handle(&json!({})).await.unwrap(), Outcome::Ignored);
    assert!(world.calls.deadline_reminders.requests().is_empty());
}
