//! Every sample event in events/ drives its function through the real journey: the recruiter's
//! routes, the candidate's routes with the token from the email, the completion event, and a
//! batch's queued invitation taken from the send queue. A sample that drifts from what the code
//! accepts fails here.

use std::collections::BTreeSet;
use std::path::Path;

use aws_lambda_events::event::sqs::SqsEvent;
use completion_notifier::Outcome;
use integration_tests::CompletionRoute;
use integration_tests::events::into_request;
use integration_tests::webhook_route::WebhookRoute;
use integration_tests::world::*;
use invitations::adapters::secrets::{LinkKeys, read_link_key};
use invitations::domain::webhooks::TargetRule;
use invitations::domain::{
    EmailAddress, Invitation, InvitationBatchId, InvitationStatus, RetentionPeriod, fixtures,
};
use invitations::ports::{InvitationBatches, Invitations};
use serde_json::Value;

const VIDEO_INTERVIEW_PLACEHOLDER: &str = "01KAWXJ0V8G5Q8ZK3N2M4P6R7S";
const INVITATION_PLACEHOLDER: &str = "01KAWXK4D2T6Y9B3C5E7G8H1J2";
const BATCH_PLACEHOLDER: &str = "01KAWY3H8R2C6V9N4D7F1G5J0K";
const MESSAGE_ID_PLACEHOLDER: &str = "0102019c2f3a4b5c-6d7e8f90-1a2b-3c4d-5e6f-7a8b9c0d1e2f-000000";
const WEBHOOK_SUBSCRIPTION_PLACEHOLDER: &str = "01KAWZ8M3Q6T9W2Y5A8C1E4G7J";
const WEBHOOK_DELIVERY_PLACEHOLDER: &str = "01KAWZ9R5T7V0X3Z6B9D2F5H8K";
const SAMPLE_IDEMPOTENCY_KEY: &str = "9f8b2c4e-1d3a-4e5f-8a6b-7c9d0e1f2a3b";
const TOKEN_PLACEHOLDER: &str =
    "Q2FuZGlkYXRlVG9rZW5QbGFjZWhvbGRlcjAwMDAwMDAAAAAAAAAAAAAAAAAAAAAAZXhhbXBsZS1vcmc";

fn sample(path: &str, replacements: &[(&str, &str)]) -> Value {
    let file = integration_tests::repository_root()
        .join("events")
        .join(path);
    let mut text = std::fs::read_to_string(&file).unwrap();
    for (placeholder, value) in replacements {
        text = text.replace(placeholder, value);
    }
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", file.display()))
}

fn json_files(folder: &Path) -> usize {
    std::fs::read_dir(folder)
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().extension() == Some("json".as_ref()))
        .count()
}

/// Runs every sample through the journey, each answered with success.
async fn journey(world: &World) {
    let recruiter = |event: Value| async move {
        Answer::from(Box::pin(world.api.handle(into_request(&event))).await)
    };
    // The profile first: the sample invitation's email then names the organization.
    let profile = recruiter(sample("recruiter-api/put-organization-profile.json", &[])).await;
    assert_eq!(profile.status, 201, "{}", profile.body);
    let created = recruiter(sample("recruiter-api/create-video-interview.json", &[])).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let video_interview = created.body["id"].as_str().unwrap().to_owned();
    // An integrator's endpoint (here one on loopback, which the tests' API allows), listed, read,
    // its secret rotated; it hears of the journey's steps below, and is deleted at its end.
    let mut hooks = WebhookRoute::create(world).await.unwrap();
    hooks.now = NOW.parse().unwrap();
    let endpoint = format!("{}/hooks/", hooks.receiver.base_url);
    let subscribed = recruiter(sample(
        "recruiter-api/subscribe-webhooks.json",
        &[("https://ats.example/hooks/", &endpoint)],
    ))
    .await;
    assert_eq!(subscribed.status, 201, "{}", subscribed.body);
    let subscription_id = subscribed.body["id"].as_str().unwrap().to_owned();
    let subscription = [(WEBHOOK_SUBSCRIPTION_PLACEHOLDER, subscription_id.as_str())];
    for name in [
        "list-webhook-subscriptions",
        "get-webhook-subscription",
        "rotate-webhook-secret",
    ] {
        let answer = recruiter(sample(&format!("recruiter-api/{name}.json"), &subscription)).await;
        assert_eq!(answer.status, 200, "{name}: {}", answer.body);
    }
    let send = |key: &str| {
        sample(
            "recruiter-api/send-invitation.json",
            &[
                (VIDEO_INTERVIEW_PLACEHOLDER, &video_interview),
                (SAMPLE_IDEMPOTENCY_KEY, key),
            ],
        )
    };
    let sent = recruiter(send(SAMPLE_IDEMPOTENCY_KEY)).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let invitation = sent.body["id"].as_str().unwrap().to_owned();
    let ids = [
        (INVITATION_PLACEHOLDER, invitation.as_str()),
        (VIDEO_INTERVIEW_PLACEHOLDER, video_interview.as_str()),
    ];
    for name in [
        "get-organization-profile",
        "list-video-interviews",
        "get-video-interview",
        "list-invitations",
        "get-invitation",
    ] {
        let answer = recruiter(sample(&format!("recruiter-api/{name}.json"), &ids)).await;
        assert_eq!(answer.status, 200, "{name}: {}", answer.body);
    }

    // The send reaches the endpoint: its stream records make a delivery, queued; the endpoint
    // fails the first attempt (the message is deferred) and takes the retry.
    assert_eq!(hooks.dispatch(world).await.unwrap().queued, 1);
    hooks.receiver.answer_with(&[500]);
    let retry = hooks.send_after(world, 0).await.unwrap();
    assert_eq!(retry.batch_item_failures.len(), 1);
    assert!(
        hooks
            .send_after(world, 6)
            .await
            .unwrap()
            .batch_item_failures
            .is_empty()
    );
    // The dispatcher's sample is a record of this send: given again, it makes nothing new.
    let record: aws_lambda_events::event::dynamodb::Event =
        serde_json::from_value(sample("webhook-dispatcher/invitation-sent.json", &ids)).unwrap();
    let replayed = hooks.dispatcher(world).handle(&record).await.unwrap();
    assert_eq!(replayed.deliveries, 0);
    // The delivery log, and a redelivery; the sender's sample is its queued message.
    let log = recruiter(sample(
        "recruiter-api/list-webhook-deliveries.json",
        &subscription,
    ))
    .await;
    assert_eq!(log.status, 200, "{}", log.body);
    assert_eq!(log.body["items"][0]["status"], "succeeded", "{}", log.body);
    let delivery = log.body["items"][0]["id"].as_str().unwrap().to_owned();
    let delivery_ids = [
        (WEBHOOK_SUBSCRIPTION_PLACEHOLDER, subscription_id.as_str()),
        (WEBHOOK_DELIVERY_PLACEHOLDER, delivery.as_str()),
    ];
    let redelivery = recruiter(sample(
        "recruiter-api/redeliver-webhook.json",
        &delivery_ids,
    ))
    .await;
    assert_eq!(redelivery.status, 202, "{}", redelivery.body);
    assert_eq!(hooks.dispatch(world).await.unwrap().queued, 1);
    let queued: SqsEvent =
        serde_json::from_value(sample("webhook-sender/queued-delivery.json", &delivery_ids))
            .unwrap();
    let sender = hooks
        .sender(
            world,
            hooks.now,
            TargetRule {
                allow_loopback: true,
            },
        )
        .unwrap();
    assert!(sender.handle(queued).await.batch_item_failures.is_empty());
    // The dispatcher's message for it finds it delivered.
    hooks.send_after(world, 0).await.unwrap();
    assert_eq!(hooks.receiver.received().len(), 3);

    // A batch (CSV with a BOM, semicolons, a quoted comma, an invalid and a repeated row), then
    // the batch read back and the list of batches.
    let batch = recruiter(sample(
        "recruiter-api/send-invitation-batch.json",
        &[(VIDEO_INTERVIEW_PLACEHOLDER, &video_interview)],
    ))
    .await;
    assert_eq!(batch.status, 202, "{}", batch.body);
    let verdicts: Vec<&str> = batch.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["accepted", "accepted", "invalid", "duplicate"]);
    let batch_id = batch.body["id"].as_str().unwrap().to_owned();
    for name in ["get-invitation-batch", "list-invitation-batches"] {
        let event = sample(
            &format!("recruiter-api/{name}.json"),
            &[(BATCH_PLACEHOLDER, &batch_id)],
        );
        let answer = recruiter(event).await;
        assert_eq!(answer.status, 200, "{name}: {}", answer.body);
    }

    // The candidate's routes, with the token from the email the sample invitation sent.
    // The sample's candidate is the same in every test: the email is told apart by its SES id.
    let message_id = world.message_id(&invitation).await;
    let emails = integration_tests::sent_emails().await.unwrap();
    let email = emails.iter().find(|email| email.id == *message_id).unwrap();
    let token = candidate_token_in(&email.html, CANDIDATE_APP);
    let route = CompletionRoute::create(&world.sdk, &world.tag)
        .await
        .unwrap();
    let candidate_api = world.candidate_api(&route.bus_name, "2026-12-08T09:30:00Z");
    for name in ["open-invitation", "complete-invitation"] {
        let event = sample(
            &format!("candidate-api/{name}.json"),
            &[(TOKEN_PLACEHOLDER, token.expose())],
        );
        let answer = Answer::from(candidate_api.handle(into_request(&event)).await);
        assert_eq!(answer.status, 200, "{name}: {}", answer.body);
    }
    let event = sample("candidate-api/get-openapi-document.json", &[]);
    let answer = Answer::from(candidate_api.handle(into_request(&event)).await);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["openapi"], "3.1.0");

    // The completion event: the sample's organization is the one of the sample claims.
    let event = sample("completion-notifier/video-interview-completed.json", &ids);
    let notifier = world.notifier(SENDER, "2026-12-08T09:45:05Z");
    assert_eq!(notifier.handle(&event).await.unwrap(), Outcome::Notified);

    // Cancelling: a second invitation, as the completed one cannot be.
    // (With a key of its own: the sample's key would replay the first invitation.)
    let second = recruiter(send("c6a1f0d2-5b7e-4c3a-9e8f-0a1b2c3d4e5f")).await;
    let second = second.body["id"].as_str().unwrap();
    // Resent once the cool-down after its first email is over.
    let resend = sample(
        "recruiter-api/resend-invitation.json",
        &[(INVITATION_PLACEHOLDER, second)],
    );
    let resent = Answer::from(
        world
            .recruiter_api_at(COOLED_DOWN)
            .handle(into_request(&resend))
            .await,
    );
    assert_eq!(resent.status, 200, "{}", resent.body);
    // More time for it, with a notice to the candidate.
    let extended = recruiter(sample(
        "recruiter-api/extend-deadline.json",
        &[(INVITATION_PLACEHOLDER, second)],
    ))
    .await;
    assert_eq!(extended.status, 200, "{}", extended.body);
    assert_eq!(extended.body["answerDeadline"], "2027-07-15");
    assert_eq!(extended.body["lastFollowUp"]["status"], "sent");
    let cancelled = recruiter(sample(
        "recruiter-api/cancel-invitation.json",
        &[(INVITATION_PLACEHOLDER, second)],
    ))
    .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    // The endpoint hears of the steps since (opened, completed, the second invitation's), and is
    // gone (410) at the first: its subscription is disabled, then deleted.
    assert!(hooks.dispatch(world).await.unwrap().queued > 1);
    hooks.receiver.answer_with(&[410]);
    hooks.send_after(world, 0).await.unwrap();
    let read = recruiter(sample(
        "recruiter-api/get-webhook-subscription.json",
        &subscription,
    ))
    .await;
    assert_eq!(read.body["status"], "disabled", "{}", read.body);
    let deleted = recruiter(sample(
        "recruiter-api/delete-webhook-subscription.json",
        &subscription,
    ))
    .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    // Erased on the candidate's request, and announced on the bus (the route's).
    let erased = recruiter(sample(
        "recruiter-api/erase-invitation.json",
        &[(INVITATION_PLACEHOLDER, second)],
    ))
    .await;
    assert_eq!(erased.status, 204, "{}", erased.body);

    // A third invitation, due 30 June 2027 in Helsinki (ends 21:00 UTC): its reminder 48 hours
    // before goes out on the schedule's sweep.
    let third = recruiter(send("7d2e9a41-3c5b-4f6e-8d7c-1b2a3c4d5e6f")).await;
    assert_eq!(third.status, 201, "{}", third.body);
    let third_id = third.body["id"].as_str().unwrap().to_owned();
    let sweep = sample("deadline-reminders/scheduled-sweep.json", &[]);
    let reminders = world.deadline_reminders("2027-06-28T21:05:00Z");
    match reminders.handle(&sweep).await.unwrap() {
        deadline_reminders::Outcome::Swept(report) => assert_eq!(report.sent, 1, "{report:?}"),
        other => panic!("{other:?}"),
    }

    // SES's events about the third invitation's email: sent, delivered, a complaint, a bounce
    // (which tells the recruiter).
    let message_id = &world.message_id(&third_id).await;
    let email_events = world.email_events("2027-06-29T08:00:00Z");
    for (name, expected) in [
        ("email-sent", "no_change"),
        ("email-delivered", "delivered"),
        ("email-complaint", "complaint"),
        ("email-bounced", "bounced"),
    ] {
        let event = sample(
            &format!("email-events/{name}.json"),
            &[
                (INVITATION_PLACEHOLDER, &third_id),
                (MESSAGE_ID_PLACEHOLDER, message_id),
            ],
        );
        let outcome = email_events.handle(&event).await.unwrap();
        assert_eq!(outcome.code(), expected, "{name}");
    }

    // The candidate asks what is held of them (the first and third invitations; the second was
    // erased), then to be erased.
    let held = recruiter(sample("recruiter-api/get-candidate-data.json", &[])).await;
    assert_eq!(held.status, 200, "{}", held.body);
    assert_eq!(held.body["invitations"].as_array().unwrap().len(), 2);
    let erased = recruiter(sample("recruiter-api/erase-candidate.json", &[])).await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    assert_eq!(erased.body["erased"], 2, "{}", erased.body);
}

/// The batch sender's samples: a queued invitation of `acme` (stored as accepting a batch stores
/// it, by the test's own client) is sent on the first delivery, and nothing on the second.
async fn batch_sender(world: &World) {
    let now: jiff::Timestamp = NOW.parse().unwrap();
    let recruiter = fixtures::recruiter();
    let interview = fixtures::video_interview(&recruiter);
    let mut new = fixtures::new_invitation(&interview);
    let candidate = world.candidate_email("batch");
    new.candidate.email = EmailAddress::parse(&candidate).unwrap();
    let retention = RetentionPeriod::default();
    let batch = InvitationBatchId::generate(now);
    let queued = Invitation::queued(new, &interview, &recruiter, &retention, now, batch);
    let store = world.store();
    store
        .insert_queued_invitations(std::slice::from_ref(&queued))
        .await
        .unwrap();
    // A few seconds after the samples' SentTimestamp; the template's highest rate.
    let sender = world.invitation_sender("2026-12-01T10:00:05Z", 1000.0);
    let id = queued.id.to_string();
    for name in ["queued-invitation", "redelivered-invitation"] {
        let event: SqsEvent = serde_json::from_value(sample(
            &format!("invitation-sender/{name}.json"),
            &[(INVITATION_PLACEHOLDER, &id)],
        ))
        .unwrap();
        let response = sender.handle(event).await;
        assert!(
            response.batch_item_failures.is_empty(),
            "{name}: {:?}",
            response.batch_item_failures
        );
        let sent = world.emails().await;
        let to_candidate = sent
            .iter()
            .filter(|email| email.to_addresses().contains(&candidate))
            .count();
        assert_eq!(to_candidate, 1, "{name}: one email, however often it comes");
    }
    let stored = store
        .get_invitation(&queued.organization_id, queued.id)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(stored.status, InvitationStatus::Sent);
}

#[tokio::test]
async fn every_sample_event_is_answered_with_success() {
    let world = world().await;
    // Boxed: in a debug build the journey's future alone overflows a test thread's stack.
    Box::pin(journey(&world)).await;
    Box::pin(batch_sender(&world)).await;
    let events = integration_tests::repository_root().join("events");
    for (folder, exercised) in [
        ("recruiter-api", 24),
        ("candidate-api", 3),
        ("completion-notifier", 1),
        ("deadline-reminders", 1),
        ("email-events", 4),
        ("invitation-sender", 2),
        ("webhook-dispatcher", 1),
        ("webhook-sender", 1),
    ] {
        assert_eq!(
            json_files(&events.join(folder)),
            exercised,
            "every sample in events/{folder} is exercised here"
        );
    }
}

/// Every action the statements of `function`'s inline policies allow, but the statements `except`.
fn policy_actions_but(function: &str, except: &[&str]) -> BTreeSet<String> {
    let template = integration_tests::template().unwrap();
    let policies = template["Resources"][function]["Properties"]["Policies"]
        .as_sequence()
        .unwrap_or_else(|| panic!("{function} has no Policies"));
    let statements: Vec<&serde_yaml::Value> = policies
        .iter()
        .filter_map(|policy| policy["Statement"].as_sequence())
        .flatten()
        .collect();
    for sid in except {
        assert!(
            statements
                .iter()
                .any(|statement| statement["Sid"].as_str() == Some(sid)),
            "{function} has a statement {sid}"
        );
    }
    statements
        .into_iter()
        .filter(|statement| {
            !statement["Sid"]
                .as_str()
                .is_some_and(|sid| except.contains(&sid))
        })
        .flat_map(|statement| match &statement["Action"] {
            serde_yaml::Value::String(action) => vec![action.clone()],
            serde_yaml::Value::Sequence(list) => list
                .iter()
                .map(|action| action.as_str().unwrap().to_owned())
                .collect(),
            other => panic!("{function}: unexpected Action {other:?}"),
        })
        .collect()
}

/// The policies are read from the template; the calls are what the code did in the journey, which
/// takes every route, the notifier's send, a reminders sweep, SES's events (a bounce notice
/// sent) and the batch sender's send, with the link key read as each function reads it (the
/// recruiter API when a deadline notice first needs it, the reminders at cold start). A call the
/// policy lacks would fail in AWS; an action the code never calls is a permission too many.
#[tokio::test]
async fn each_function_is_allowed_exactly_the_aws_actions_its_code_calls() {
    let world = world().await;
    let secret = integration_tests::create_link_key(&world.sdk, &world.tag)
        .await
        .unwrap();
    // The recruiter API's read (LinkKeys, as its main.rs builds it), and the reminders' (as
    // theirs does at cold start).
    let recruiters_keys = LinkKeys::from_secret(
        world.calls.recruiter_api.secretsmanager(&world.sdk),
        secret.clone(),
    );
    recruiters_keys.get().await.unwrap();
    read_link_key(
        &world.calls.deadline_reminders.secretsmanager(&world.sdk),
        &secret,
    )
    .await
    .unwrap();
    // The webhook sender's, at cold start (main.rs).
    let webhook_secret = integration_tests::create_webhook_key(&world.sdk, &world.tag)
        .await
        .unwrap();
    let _: invitations::domain::webhooks::WebhookKey = invitations::adapters::secrets::read_key(
        &world.calls.webhook_sender.secretsmanager(&world.sdk),
        &webhook_secret,
    )
    .await
    .unwrap();
    Box::pin(journey(&world)).await;
    for (function, calls) in [
        ("RecruiterApiFunction", &world.calls.recruiter_api),
        ("CandidateApiFunction", &world.calls.candidate_api),
        (
            "CompletionNotifierFunction",
            &world.calls.completion_notifier,
        ),
        ("DeadlineRemindersFunction", &world.calls.deadline_reminders),
        ("EmailEventsFunction", &world.calls.email_events),
    ] {
        assert_eq!(
            integration_tests::policy_actions(function).unwrap(),
            calls.iam_actions(),
            "{function}: allowed (left) vs called (right)"
        );
    }
    Box::pin(batch_sender(&world)).await;
    // The statements named are the event source mappings', which use the function's role (to
    // poll and delete, to read the stream and keep a failed batch's place); the code itself never
    // makes those calls (its calls here would show it).
    for (function, mappings, calls) in [
        (
            "InvitationSenderFunction",
            &["PollTheSendQueue"][..],
            &world.calls.invitation_sender,
        ),
        (
            "WebhookDispatcherFunction",
            &["TheStreamMapping", "TheStreamMappingFailures"][..],
            &world.calls.webhook_dispatcher,
        ),
        (
            "WebhookSenderFunction",
            &["PollTheWebhookQueue"][..],
            &world.calls.webhook_sender,
        ),
    ] {
        assert_eq!(
            policy_actions_but(function, mappings),
            calls.iam_actions(),
            "{function}: allowed (left) vs called (right)"
        );
    }
}
