//! AWS failing underneath the running code: DynamoDB, SES and EventBridge reached through a
//! fault-injecting proxy (tests/src/faults.rs) that throttles, fails, answers too late or drops the
//! connection, with the functions' own SDK timeouts and retries. Each operation answers a clear
//! status or fails for a retry, what is stored stays consistent with what was sent, and after
//! recovery the work completes.

use completion_notifier::Outcome;
use integration_tests::CompletionRoute;
use integration_tests::events::ApiEvent;
use integration_tests::faults::{ClientsAt, Fault, FaultProxy};
use integration_tests::world::*;
use serde_json::json;
use std::time::Duration;

/// A client straight to the stand-in, with the harness's configuration.
fn direct_ses(world: &World) -> aws_sdk_sesv2::Client {
    aws_sdk_sesv2::Client::new(&world.sdk)
}

fn direct_dynamodb(world: &World) -> aws_sdk_dynamodb::Client {
    world.dynamodb.clone()
}

/// An invitation sent without faults (the setup of the candidate's and the notifier's tests).
async fn sent_invitation(world: &World) -> Answer {
    let video_interview = world.create_video_interview(&world.acme, "S").await;
    let sent = world
        .invite(
            &world.acme,
            &world.invitation_form(&video_interview, "en", false),
        )
        .await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    sent
}

/// Acme's request to invite a candidate to `video_interview`, with Bcc and an Idempotency-Key.
fn keyed_invitation(world: &World, video_interview: &str, key: &str) -> ApiEvent {
    ApiEvent::post(
        "/invitations",
        &world.invitation_form(video_interview, "en", true),
    )
    .header("idempotency-key", key)
    .claims(&world.acme)
}

async fn stored_invitations(world: &World) -> Vec<serde_json::Value> {
    let list = world
        .call(ApiEvent::get("/invitations").claims(&world.acme))
        .await;
    list.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn throttled_dynamodb_is_a_503_with_nothing_sent_and_the_retry_goes_through() {
    let world = world().await;
    let video_interview = world.create_video_interview(&world.acme, "Sales").await;
    let proxy = FaultProxy::start().await.unwrap();
    let api =
        world.recruiter_api_through(proxy.clients().await.dynamodb(), direct_ses(&world), NOW);
    let request = || keyed_invitation(&world, &video_interview, "throttled-once");

    proxy.set(Fault::THROTTLED);
    let answer = Answer::from(api.handle(request().into_request()).await);
    answer.assert_problem(503);
    assert_eq!(answer.header("retry-after"), "1");
    // The SDK tried each of the first two calls (the interview and the organization profile,
    // read at once) three times (standard retry mode), then gave up.
    assert_eq!(proxy.requests(), 6);
    assert!(world.emails().await.is_empty());
    assert!(stored_invitations(&world).await.is_empty());

    proxy.set(Fault::Pass);
    let retried = Answer::from(api.handle(request().into_request()).await);
    assert_eq!(retried.status, 201, "{}", retried.body);
    assert_eq!(world.emails().await.len(), 1);
    assert_eq!(stored_invitations(&world).await.len(), 1);
}

#[tokio::test]
async fn dynamodb_too_slow_or_unreachable_is_a_503_with_nothing_sent() {
    let world = world().await;
    let video_interview = world.create_video_interview(&world.acme, "Sales").await;
    let form = world.invitation_form(&video_interview, "en", false);
    let proxy = FaultProxy::start().await.unwrap();
    let api =
        world.recruiter_api_through(proxy.clients().await.dynamodb(), direct_ses(&world), NOW);
    // Past the 2 s per attempt: the SDK gives up within its 5 s for the whole operation.
    for fault in [
        Fault::Slow(Duration::from_millis(2500)),
        Fault::Drop,
        Fault::INTERNAL,
    ] {
        proxy.set(fault.clone());
        let answer = api
            .handle(
                ApiEvent::post("/invitations", &form)
                    .claims(&world.acme)
                    .into_request(),
            )
            .await;
        Answer::from(answer).assert_problem(503);
        assert!(world.emails().await.is_empty(), "{fault:?}");
    }
    // Nothing listens at all.
    let closed = ClientsAt::new(FaultProxy::closed_endpoint().await.unwrap()).await;
    let unreachable = world.recruiter_api_through(closed.dynamodb(), direct_ses(&world), NOW);
    let answer = unreachable
        .handle(
            ApiEvent::get("/invitations")
                .claims(&world.acme)
                .into_request(),
        )
        .await;
    Answer::from(answer).assert_problem(503);
    assert!(stored_invitations(&world).await.is_empty());
}

#[tokio::test]
async fn failing_ses_leaves_the_invitation_stored_as_send_failed() {
    let world = world().await;
    let video_interview = world.create_video_interview(&world.acme, "Sales").await;
    let proxy = FaultProxy::start().await.unwrap();
    let api =
        world.recruiter_api_through(direct_dynamodb(&world), proxy.clients().await.sesv2(), NOW);
    let unreachable = ClientsAt::new(FaultProxy::closed_endpoint().await.unwrap()).await;
    let unreachable_api =
        world.recruiter_api_through(direct_dynamodb(&world), unreachable.sesv2(), NOW);
    proxy.set(Fault::INTERNAL);
    // SES answering 500, and SES unreachable: both prove that nothing was sent.
    for (api, reason) in [
        (&api, "(InternalFailure)"),
        (&unreachable_api, "could not be reached"),
    ] {
        let answer = Answer::from(
            api.handle(
                ApiEvent::post(
                    "/invitations",
                    &world.invitation_form(&video_interview, "en", true),
                )
                .claims(&world.acme)
                .into_request(),
            )
            .await,
        );
        answer.assert_problem(502);
        let id = answer.body["invitationId"].as_str().unwrap();
        let stored = world
            .call(ApiEvent::get(&format!("/invitations/{id}")).claims(&world.acme))
            .await;
        assert_eq!(stored.body["status"], "send_failed", "{reason}");
        let failure = stored.body["sendFailure"].as_str().unwrap();
        assert!(
            failure.contains(reason) && failure.contains("it was not sent"),
            "{failure}"
        );
    }
    // The SDK's standard retry repeats a send that provably did nothing: three attempts.
    assert_eq!(proxy.requests(), 3);
    assert!(world.emails().await.is_empty());

    // After recovery, each failed invitation is sent again, once, with a link that works.
    proxy.set(Fault::Pass);
    for invitation in stored_invitations(&world).await {
        let id = invitation["id"].as_str().unwrap();
        let resend = ApiEvent::new("POST", &format!("/invitations/{id}/resend"));
        let resent = Answer::from(api.handle(resend.claims(&world.acme).into_request()).await);
        assert_eq!(resent.status, 200, "{}", resent.body);
        assert_eq!(resent.body["status"], "sent");
        assert_eq!(resent.body["sendFailure"], serde_json::Value::Null);
    }
    let emails = world.emails().await;
    assert_eq!(emails.len(), 2);
    let token = candidate_token_in(&emails[0].html, CANDIDATE_APP);
    let opened = world
        .candidate_api("unused", "2026-12-08T09:30:00Z")
        .handle(ApiEvent::get(&format!("/candidate/invitations/{}", token.expose())).into_request())
        .await;
    assert_eq!(opened.status(), 200);
}

#[tokio::test]
async fn with_a_key_a_failed_send_is_answered_again_and_not_retried_behind_the_recruiters_back() {
    let world = world().await;
    let video_interview = world.create_video_interview(&world.acme, "Sales").await;
    let proxy = FaultProxy::start().await.unwrap();
    let api =
        world.recruiter_api_through(direct_dynamodb(&world), proxy.clients().await.sesv2(), NOW);
    let request = || keyed_invitation(&world, &video_interview, "ses-down").into_request();
    proxy.set(Fault::INTERNAL);
    let failed = Answer::from(api.handle(request()).await);
    failed.assert_problem(502);
    // SES is back, but the retry with the key gets the 502 again: the invitation it names is
    // stored as send_failed, and sending it again is the recruiter's call (resend).
    proxy.set(Fault::Pass);
    let retried = Answer::from(api.handle(request()).await);
    assert_eq!(retried.status, 502);
    assert_eq!(retried.header("idempotent-replayed"), "true");
    assert_eq!(retried.body, failed.body);
    let stored = stored_invitations(&world).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["id"], failed.body["invitationId"]);
    assert_eq!(stored[0]["status"], "send_failed");
    assert!(world.emails().await.is_empty());
}

#[tokio::test]
async fn with_a_key_an_invitation_cancelled_while_its_email_goes_out_keeps_its_answer() {
    let world = world().await;
    let video_interview = world.create_video_interview(&world.acme, "Sales").await;
    let proxy = FaultProxy::start().await.unwrap();
    let api =
        world.recruiter_api_through(direct_dynamodb(&world), proxy.clients().await.sesv2(), NOW);
    let request =
        || keyed_invitation(&world, &video_interview, "cancelled-meanwhile").into_request();
    // SES answers slowly; meanwhile the recruiter cancels the invitation, stored as `sending`.
    proxy.set(Fault::Slow(Duration::from_millis(1500)));
    let cancel = async {
        loop {
            if let Some(stored) = stored_invitations(&world).await.first() {
                let id = stored["id"].as_str().unwrap().to_owned();
                let path = format!("/invitations/{id}/cancellation");
                let cancelled = world
                    .call(ApiEvent::new("POST", &path).claims(&world.acme))
                    .await;
                assert_eq!(cancelled.status, 200, "{}", cancelled.body);
                return id;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let (sent, cancelled) = tokio::join!(api.handle(request()), cancel);
    let sent = Answer::from(sent);
    assert_eq!(sent.status, 201, "{}", sent.body);
    assert_eq!(sent.body["id"], cancelled.as_str());
    // The outcome could not be recorded over the cancellation, but the answer was kept: the
    // retry is a replay, not a second invitation and a second email once the lease ends.
    proxy.set(Fault::Pass);
    let retried = Answer::from(api.handle(request()).await);
    assert_eq!(retried.header("idempotent-replayed"), "true");
    assert_eq!(retried.body, sent.body);
    let stored = stored_invitations(&world).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["status"], "cancelled");
    assert_eq!(world.emails().await.len(), 1);
}

#[tokio::test]
async fn failing_eventbridge_keeps_the_completion_and_the_repeat_announces_it_once() {
    let world = world().await;
    let route = CompletionRoute::create(&world.sdk, &world.tag)
        .await
        .unwrap();
    let sent = sent_invitation(&world).await;
    let token = world
        .candidate_token(sent.body["email"].as_str().unwrap())
        .await;
    let proxy = FaultProxy::start().await.unwrap();
    let api = world.candidate_api_through(
        proxy.clients().await.eventbridge(),
        &route.bus_name,
        "2026-12-08T09:30:00Z",
    );
    let complete = || {
        ApiEvent::new(
            "POST",
            &format!("/candidate/invitations/{}/completion", token.expose()),
        )
        .into_request()
    };
    for fault in [
        Fault::INTERNAL,
        Fault::Slow(Duration::from_millis(2500)),
        Fault::Drop,
    ] {
        proxy.set(fault.clone());
        let answer = Answer::from(api.handle(complete()).await);
        answer.assert_problem(503);
        assert_eq!(
            answer.body["type"], "/problems/completion-not-announced",
            "{fault:?}"
        );
    }
    proxy.set(Fault::Pass);
    let answer = Answer::from(api.handle(complete()).await);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["completedAt"], "2026-12-08T09:30:00Z");
    // A slow attempt's event may have reached the bus after the SDK gave up on it: the event is
    // published at least once, and the notifier makes that harmless.
    let delivered = route.delivered().await.unwrap();
    assert!(!delivered.is_empty());
    assert!(
        delivered
            .iter()
            .all(|event| event["detail"]["completedAt"] == json!("2026-12-08T09:30:00Z"))
    );
}

/// The completion event of the invitation `sent` answered.
fn completion_event(sent: &Answer) -> serde_json::Value {
    json!({
        "source": invitations::domain::events::SOURCE,
        "detail-type": invitations::domain::events::DETAIL_TYPE,
        "detail": {"organizationId": "acme", "invitationId": sent.body["id"],
                   "completedAt": "2026-12-08T09:45:00Z"}
    })
}

async fn notices_to_acme(world: &World) -> usize {
    world
        .emails()
        .await
        .iter()
        .filter(|email| email.to_addresses() == [world.acme.email.clone()])
        .count()
}

#[tokio::test]
async fn failing_ses_under_the_notifier_fails_the_delivery_and_the_retry_sends_one_email() {
    let world = world().await;
    let sent = sent_invitation(&world).await;
    let event = completion_event(&sent);
    let proxy = FaultProxy::start().await.unwrap();
    let notifier = world.notifier_through(proxy.clients().await.sesv2(), "2026-12-08T09:45:05Z");
    let unreachable = ClientsAt::new(FaultProxy::closed_endpoint().await.unwrap()).await;
    let unreachable_notifier = world.notifier_through(unreachable.sesv2(), "2026-12-08T09:45:05Z");
    proxy.set(Fault::INTERNAL);
    assert!(notifier.handle(&event).await.is_err());
    assert!(unreachable_notifier.handle(&event).await.is_err());
    proxy.set(Fault::Pass);
    assert_eq!(notifier.handle(&event).await.unwrap(), Outcome::Notified);
    assert_eq!(
        notifier.handle(&event).await.unwrap(),
        Outcome::AlreadyNotified
    );
    assert_eq!(notices_to_acme(&world).await, 1);
}

/// The ways SES's answer gets lost after the request reached it: later than the SDK's 2 s attempt
/// timeout, or the connection dropped before the answer.
fn lost_answers() -> [Fault; 2] {
    [
        Fault::LateAnswer(Duration::from_millis(2500)),
        Fault::DropAnswer,
    ]
}

/// The SES tags of the `index`th request through the proxy.
fn email_tags(proxy: &FaultProxy, index: usize) -> serde_json::Value {
    let body: serde_json::Value = serde_json::from_str(&proxy.bodies()[index]).unwrap();
    body["EmailTags"].clone()
}

#[tokio::test]
async fn an_invitation_whose_answer_is_lost_is_emailed_once_and_stored_unconfirmed() {
    for fault in lost_answers() {
        let world = world().await;
        let video_interview = world.create_video_interview(&world.acme, "Sales").await;
        let proxy = FaultProxy::start().await.unwrap();
        let api = world.recruiter_api_through(
            direct_dynamodb(&world),
            proxy.clients().await.sesv2(),
            NOW,
        );
        let request = || keyed_invitation(&world, &video_interview, "lost-answer").into_request();
        proxy.set(fault.clone());
        let sent = Answer::from(api.handle(request()).await);
        assert_eq!(sent.status, 202, "{fault:?}: {}", sent.body);
        assert_eq!(sent.body["status"], "send_unconfirmed");
        assert!(
            sent.body["sendFailure"]
                .as_str()
                .unwrap()
                .contains("may have been sent")
        );
        let id = sent.body["id"].as_str().unwrap().to_owned();
        assert_eq!(sent.header("location"), format!("invitations/{id}"));
        assert_eq!(proxy.requests(), 1, "{fault:?}: the send was not repeated");
        assert_eq!(
            world.emails().await.len(),
            1,
            "{fault:?}: exactly one email"
        );
        assert_eq!(
            email_tags(&proxy, 0),
            json!([{"Name": "kind", "Value": "invitation"},
                   {"Name": "organization-id", "Value": world.acme.organization_id},
                   {"Name": "invitation-id", "Value": id}])
        );

        // The client's retry with its key gets the same answer, and sends nothing.
        proxy.set(Fault::Pass);
        let retried = Answer::from(api.handle(request()).await);
        assert_eq!(retried.status, 202);
        assert_eq!(retried.header("idempotent-replayed"), "true");
        assert_eq!(retried.body, sent.body);

        // Sending it again is the recruiter's explicit choice (after the resend cool-down).
        let later = world.recruiter_api_through(
            direct_dynamodb(&world),
            proxy.clients().await.sesv2(),
            COOLED_DOWN,
        );
        let resend = |body: Option<serde_json::Value>| {
            let path = format!("/invitations/{id}/resend");
            let event = match body {
                Some(body) => ApiEvent::post(&path, &body),
                None => ApiEvent::new("POST", &path),
            };
            later.handle(event.claims(&world.acme).into_request())
        };
        let refused = Answer::from(resend(None).await);
        refused.assert_problem(409);
        assert_eq!(refused.body["type"], "/problems/send-unconfirmed");
        assert_eq!(refused.body["invitationStatus"], "send_unconfirmed");
        let refused = Answer::from(resend(Some(json!({"acceptDuplicate": "yes"}))).await);
        assert_eq!(refused.invalid_fields(), ["/acceptDuplicate"]);
        assert_eq!(world.emails().await.len(), 1);
        assert_eq!(proxy.requests(), 1);

        // A resend whose answer is lost too: one more email, unconfirmed again.
        proxy.set(fault.clone());
        let resent = Answer::from(resend(Some(json!({"acceptDuplicate": true}))).await);
        assert_eq!(resent.status, 202, "{fault:?}: {}", resent.body);
        assert_eq!(resent.body["status"], "send_unconfirmed");
        assert_eq!(
            proxy.requests(),
            2,
            "{fault:?}: the resend was not repeated"
        );
        assert_eq!(world.emails().await.len(), 2);
        let stored = world
            .call(ApiEvent::get(&format!("/invitations/{id}")).claims(&world.acme))
            .await;
        assert_eq!(stored.body["status"], "send_unconfirmed");
    }
}

#[tokio::test]
async fn a_notice_whose_answer_is_lost_is_sent_once_and_its_delivery_succeeds() {
    for fault in lost_answers() {
        let world = world().await;
        let sent = sent_invitation(&world).await;
        let event = completion_event(&sent);
        let proxy = FaultProxy::start().await.unwrap();
        let notifier =
            world.notifier_through(proxy.clients().await.sesv2(), "2026-12-08T09:45:05Z");
        proxy.set(fault.clone());
        // Succeeding: a failed delivery would be retried by Lambda, and email the recruiter again.
        assert_eq!(
            notifier.handle(&event).await.unwrap(),
            Outcome::Unconfirmed,
            "{fault:?}"
        );
        assert_eq!(proxy.requests(), 1, "{fault:?}: the send was not repeated");
        assert_eq!(
            email_tags(&proxy, 0)[0],
            json!({"Name": "kind", "Value": "completion-notice"})
        );
        // EventBridge delivering the event again, even after the claim's lease: nothing is sent.
        proxy.set(Fault::Pass);
        let later = world.notifier_through(proxy.clients().await.sesv2(), "2026-12-08T12:00:00Z");
        assert_eq!(
            later.handle(&event).await.unwrap(),
            Outcome::AlreadyNotified
        );
        assert_eq!(notices_to_acme(&world).await, 1, "{fault:?}");
        let id = sent.body["id"].as_str().unwrap();
        let stored = world
            .call(ApiEvent::get(&format!("/invitations/{id}")).claims(&world.acme))
            .await;
        assert_eq!(
            stored.body["recruiterNoticeUnconfirmedAt"],
            "2026-12-08T09:45:05Z"
        );
        assert_eq!(stored.body["recruiterNotifiedAt"], serde_json::Value::Null);
    }
}
