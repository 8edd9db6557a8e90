//! No personal data in logs: the functions' own logging setup (`invitations::logging`, JSON as the
//! template configures it, at the level Lambda passes) captures a whole journey, failures
//! included, and nothing in it names a candidate or a recruiter, or carries a token; at every
//! level, TRACE included.

use completion_notifier::Outcome;
use integration_tests::CompletionRoute;
use integration_tests::captured_logs::Captured;
use integration_tests::events::{ApiEvent, Claims, ses_event};
use integration_tests::faults::{Fault, FaultProxy};
use integration_tests::world::*;
use serde_json::json;

/// Run on a thread with the 8 MB stack of Lambda's main thread (where the functions' runtime
/// polls them), not a test thread's 2 MB: at TRACE every SDK request formats its spans, and a
/// whole journey of unoptimized futures is deeper than a test thread allows.
#[test]
fn a_whole_journey_logs_no_names_addresses_or_tokens_even_at_trace() {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(whole_journey_at_trace())
        })
        .unwrap()
        .join()
        .expect("the journey's assertions hold");
}

async fn whole_journey_at_trace() {
    // What Lambda sets for the template's LoggingConfig (JSON), with the most verbose level an
    // operator can choose: it logs everything INFO does, and more. At TRACE the AWS SDK would log
    // each request and response whole (the invitation with its names and addresses), and the
    // runtime each raw event; the functions' subscriber keeps them at INFO.
    // SAFETY: set before any other thread of this test binary reads the environment.
    unsafe {
        std::env::set_var("AWS_LAMBDA_LOG_FORMAT", "JSON");
        std::env::set_var("AWS_LAMBDA_LOG_LEVEL", "TRACE");
    }
    let logs = Captured::default();
    invitations::logging::init_subscriber_with_writer(logs.clone());

    let world = world().await;
    let recruiter = world.acme.clone();
    let route = CompletionRoute::create(&world.sdk, &world.tag)
        .await
        .unwrap();
    // The organization's profile, whose name and links go into every email (and never a log).
    let profile = world
        .call(
            ApiEvent::put(
                "/organization",
                &json!({"displayName": "Xanthippe Widgets", "privacyNoticeUrl": "https://xanthippe.example/privacy"}),
            )
            .claims(&recruiter),
        )
        .await;
    assert_eq!(profile.status, 201, "{}", profile.body);
    let video_interview = world.create_video_interview(&recruiter, "Sales lead").await;
    let mut form = world.invitation_form(&video_interview, "fi", true);
    form["firstName"] = json!("Zebulon");
    form["lastName"] = json!("Quixotic-Yarrow");
    let sent = world.invite(&recruiter, &form).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let id = sent.body["id"].as_str().unwrap().to_owned();
    let candidate = form["email"].as_str().unwrap().to_owned();
    let token = world.candidate_token(&candidate).await;

    // Bad input, a wrong token, the candidate's journey, the notice, a failed send, a cancellation.
    let mut bad = form.clone();
    bad["email"] = json!("Zebulon <zebulon@bad>");
    assert_eq!(world.invite(&recruiter, &bad).await.status, 422);
    let candidate_api = world.candidate_api(&route.bus_name, "2026-12-08T09:30:00Z");
    for path in [
        format!("/candidate/invitations/{}", token.expose()),
        format!("/candidate/invitations/{}/completion", token.expose()),
    ] {
        let method = if path.ends_with("completion") {
            "POST"
        } else {
            "GET"
        };
        let answer = candidate_api
            .handle(ApiEvent::new(method, &path).into_request())
            .await;
        assert_eq!(answer.status(), 200);
    }
    let event = route.delivered().await.unwrap().pop().unwrap();
    let failing = world.notifier("jobs@unverified.example", "2026-12-08T09:30:05Z");
    assert!(failing.handle(&event).await.is_err());
    let notifier = world.notifier(SENDER, "2026-12-08T09:30:10Z");
    assert_eq!(notifier.handle(&event).await.unwrap(), Outcome::Notified);
    let second = world.invite(&recruiter, &form).await;
    let cancel = format!(
        "/invitations/{}/cancellation",
        second.body["id"].as_str().unwrap()
    );
    world
        .call(ApiEvent::new("POST", &cancel).claims(&recruiter))
        .await;

    // Sends whose answers SES never gives: the email may be out; these lines feed an alarm.
    let proxy = FaultProxy::start().await.unwrap();
    proxy.set(Fault::DropAnswer);
    let lost =
        world.recruiter_api_through(world.dynamodb.clone(), proxy.clients().await.sesv2(), NOW);
    let unconfirmed = Answer::from(
        lost.handle(
            ApiEvent::post("/invitations", &form)
                .claims(&recruiter)
                .into_request(),
        )
        .await,
    );
    assert_eq!(unconfirmed.status, 202, "{}", unconfirmed.body);
    let token = world.candidate_token(&candidate).await;
    let completion = format!("/candidate/invitations/{}/completion", token.expose());
    let answer = candidate_api
        .handle(ApiEvent::new("POST", &completion).into_request())
        .await;
    assert_eq!(answer.status(), 200);
    let event = route.delivered().await.unwrap().pop().unwrap();
    let lost_notifier =
        world.notifier_through(proxy.clients().await.sesv2(), "2026-12-08T09:31:00Z");
    assert_eq!(
        lost_notifier.handle(&event).await.unwrap(),
        Outcome::Unconfirmed
    );

    // A deadline notice whose answer SES never gives, through the same proxy.
    let fourth = world.invite(&recruiter, &form).await;
    let unconfirmed_id = fourth.body["id"].as_str().unwrap();
    let extended = Answer::from(
        lost.handle(
            ApiEvent::post(
                &format!("/invitations/{unconfirmed_id}/deadline-extension"),
                &json!({"answerDeadline": "2026-12-20"}),
            )
            .claims(&recruiter)
            .into_request(),
        )
        .await,
    );
    assert_eq!(extended.status, 200, "{}", extended.body);
    assert_eq!(extended.body["lastFollowUp"]["status"], "send_unconfirmed");

    // SES reports the fourth invitation's email bounced: the recruiter is told.
    let message_id = world.message_id(unconfirmed_id).await;
    let bounce = ses_event("Email Bounced", unconfirmed_id, &message_id, &candidate);
    let email_events = world.email_events("2026-12-01T10:05:00Z");
    assert_eq!(
        email_events.handle(&bounce).await.unwrap().code(),
        "bounced"
    );

    Box::pin(access_and_erasure(&world, &recruiter, &candidate)).await;

    // A reminder due on an invitation whose item cannot be read (corrupted by hand): the sweep
    // logs the failure, without the item's data.
    let third = world.invite(&recruiter, &form).await;
    let third_id = third.body["id"].as_str().unwrap();
    world
        .dynamodb
        .update_item()
        .table_name(&world.table)
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S("ORG#acme".into()),
        )
        .key(
            "sk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("INV#{third_id}")),
        )
        .update_expression("SET #language = :unknown")
        .expression_attribute_names("#language", "language")
        .expression_attribute_values(
            ":unknown",
            aws_sdk_dynamodb::types::AttributeValue::S("xx".into()),
        )
        .send()
        .await
        .unwrap();
    let sweep = world.deadline_reminders("2026-12-13T22:00:00Z");
    let schedule = json!({"detail-type": "Scheduled Event", "source": "aws.events"});
    let deadline_reminders::Outcome::Swept(report) = sweep.handle(&schedule).await.unwrap() else {
        panic!("the schedule's event was ignored")
    };
    assert!(report.failed >= 1, "{report:?}");

    // The runtime's own logging of a raw event, at the level it uses.
    lambda_http::tracing::trace!(target: "lambda_runtime", "raw event: {candidate} {}", token.expose());
    lambda_http::tracing::debug!(target: "lambda_runtime::layers::api_response", "{candidate}");

    let text = logs.text();
    // The capture works, and it is the journey's: each step left its line.
    for expected in [
        "invitation sent",
        "invitation opened",
        "video interview completed",
        "notice not sent",
        "recruiter notified",
        "invitation cancelled",
        "organization profile saved",
        "candidate's address bounced",
        "email event handled",
        "invitation erased",
        id.as_str(),
    ] {
        assert!(
            text.contains(expected),
            "no {expected:?} in the logs:\n{text}"
        );
    }
    for line in text.lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|error| panic!("not a JSON log line ({error}): {line}"));
    }
    let hash = token.hash();
    for secret in [
        candidate.as_str(),
        "Zebulon",
        "Quixotic",
        recruiter.email.as_str(),
        "Rita Recruiter",
        token.expose(),
        hash.as_str(),
        "zebulon@bad",
        "Xanthippe",
    ] {
        assert!(!text.contains(secret), "{secret:?} is in the logs:\n{text}");
    }
}

/// The candidate asks what is held of them, then to be erased: by address, a bad one first. (A
/// function of its own: the journey's is already large for a test thread's stack.)
async fn access_and_erasure(world: &World, recruiter: &Claims, candidate: &str) {
    let held = world
        .call(
            ApiEvent::get("/candidate-data")
                .query("email", candidate)
                .claims(recruiter),
        )
        .await;
    assert_eq!(held.status, 200, "{}", held.body);
    assert!(!held.body["invitations"].as_array().unwrap().is_empty());
    let refused = world
        .call(
            ApiEvent::post(
                "/candidate-erasures",
                &json!({"email": "Zebulon <zebulon@bad>"}),
            )
            .claims(recruiter),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let erased = world
        .call(ApiEvent::post("/candidate-erasures", &json!({"email": candidate})).claims(recruiter))
        .await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    assert!(
        erased.body["erased"].as_u64().unwrap() >= 4,
        "{}",
        erased.body
    );
}
