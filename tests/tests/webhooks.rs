//! Webhooks end to end, on the local stand-in: the recruiter API subscribes an endpoint (a plain
//! HTTP receiver on loopback, which the tests' target rule allows by configuration), the table's
//! own stream (served by the stand-in) feeds the dispatcher, which writes deliveries and queues
//! those that became due on the template's webhook queue, and the sender makes the attempts. Every
//! attempt is checked with the specification's reference implementation (`standardwebhooks`).

use aws_lambda_events::event::sqs::SqsBatchResponse;
use integration_tests::CompletionRoute;
use integration_tests::events::ApiEvent;
use integration_tests::webhook_receiver::ReceivedWebhook;
use integration_tests::webhook_route::WebhookRoute;
use integration_tests::world::{World, world};
use invitations::app::webhook_deliveries::Dispatched;
use invitations::domain::webhooks::TargetRule;
use jiff::Timestamp;
use serde_json::{Value, json};

/// The world and its webhooks' route.
struct Webhooks {
    world: World,
    route: WebhookRoute,
    now: Timestamp,
}

impl Webhooks {
    async fn new() -> Self {
        let world = world().await;
        let route = WebhookRoute::create(&world).await.unwrap();
        Self {
            now: route.now,
            route,
            world,
        }
    }

    /// Subscribes acme's endpoint `path` to `types`: the subscription's id and secret.
    async fn subscribe(&self, path: &str, types: &[&str]) -> (String, String) {
        let url = format!("{}{path}", self.route.receiver.base_url);
        let answer = self
            .acme_calls(ApiEvent::post(
                "/webhook-subscriptions",
                &json!({"url": url, "eventTypes": types}),
            ))
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        (
            answer.body["id"].as_str().unwrap().to_owned(),
            answer.body["secret"].as_str().unwrap().to_owned(),
        )
    }

    async fn dispatch(&mut self) -> Dispatched {
        self.route.dispatch(&self.world).await.unwrap()
    }

    async fn send_after(&self, seconds: i64) -> SqsBatchResponse {
        self.route.send_after(&self.world, seconds).await.unwrap()
    }

    fn received(&self) -> Vec<ReceivedWebhook> {
        self.route.receiver.received()
    }

    /// Acme's request, answered by the API at `now` (the delivery log's clock is the sender's).
    async fn call(&self, event: ApiEvent) -> Value {
        let answer = self.acme_calls(event).await;
        assert!(answer.status < 300, "{}", answer.body);
        answer.body
    }

    async fn acme_calls(&self, event: ApiEvent) -> integration_tests::world::Answer {
        self.world
            .call_at(&self.now.to_string(), event.claims(&self.world.acme))
            .await
    }
}

/// Verifies `webhook` with the reference implementation and `secret`.
fn verified(webhook: &ReceivedWebhook, secret: &str) -> bool {
    standardwebhooks::Webhook::new(secret)
        .unwrap()
        .verify(webhook.body.as_bytes(), &webhook.header_map())
        .is_ok()
}

#[tokio::test]
async fn each_step_is_signed_retried_on_the_schedule_and_signed_by_both_secrets_in_a_rotation() {
    let mut hooks = Webhooks::new().await;
    CompletionRoute::create(&hooks.world.sdk, &hooks.world.tag)
        .await
        .unwrap();
    let (subscription, first_secret) = hooks
        .subscribe(
            "/hooks/ats",
            &[
                "invitation.sent",
                "invitation.cancelled",
                "candidate_data.erased",
            ],
        )
        .await;
    // Another organization's endpoint hears nothing of acme.
    let theirs = hooks
        .world
        .call(
            ApiEvent::post(
                "/webhook-subscriptions",
                &json!({"url": format!("{}/hooks/globex", hooks.route.receiver.base_url),
                        "eventTypes": ["invitation.sent"]}),
            )
            .claims(&hooks.world.globex),
        )
        .await;
    assert_eq!(theirs.status, 201);

    let interview = hooks
        .world
        .create_video_interview(&hooks.world.acme, "Sales Lead")
        .await;
    let form = hooks.world.invitation_form(&interview, "fi", false);
    let sent = hooks.world.invite(&hooks.world.acme, &form).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let invitation = sent.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        hooks.dispatch().await,
        Dispatched {
            deliveries: 1,
            queued: 1
        }
    );
    // A replay of the same records writes and queues nothing more.
    assert_eq!(hooks.dispatch().await, Dispatched::default());

    // The endpoint fails the first attempt: the message stays, for a retry 5 s later.
    hooks.route.receiver.answer_with(&[500]);
    let failed = hooks.send_after(0).await;
    assert_eq!(failed.batch_item_failures.len(), 1);
    let first = &hooks.received()[0];
    assert_eq!(first.path, "/hooks/ats");
    assert!(verified(first, &first_secret), "{first:?}");
    let body: Value = serde_json::from_str(&first.body).unwrap();
    assert_eq!(body["type"], "invitation.sent");
    assert_eq!(body["data"]["invitationId"], invitation.as_str());
    assert_eq!(body["data"]["status"], "sent");
    assert!(
        !first.body.contains("anna") && !first.body.contains("Anna"),
        "no name or address: {}",
        first.body
    );
    // Not due yet: nothing is sent, the message waits.
    let early = hooks.send_after(1).await;
    assert_eq!(early.batch_item_failures.len(), 1);
    assert_eq!(hooks.received().len(), 1);
    // Due: the same message, signed afresh with a new timestamp.
    let retried = hooks.send_after(6).await;
    assert!(retried.batch_item_failures.is_empty());
    let second = &hooks.received()[1];
    assert_eq!(second.header("webhook-id"), first.header("webhook-id"));
    assert_eq!(
        second.header("webhook-timestamp").parse::<i64>().unwrap()
            - first.header("webhook-timestamp").parse::<i64>().unwrap(),
        6
    );
    assert_ne!(
        second.header("webhook-signature"),
        first.header("webhook-signature")
    );
    assert!(verified(second, &first_secret));
    assert_eq!(second.body, first.body);

    // The delivery log, and a redelivery: one more attempt, the same webhook-id.
    let deliveries = format!("/webhook-subscriptions/{subscription}/deliveries");
    let log = hooks.call(ApiEvent::get(&deliveries)).await;
    let delivery = &log["items"][0];
    assert_eq!(log["items"].as_array().unwrap().len(), 1, "{log}");
    assert_eq!(delivery["status"], "succeeded");
    assert_eq!(delivery["attempts"], 2);
    assert_eq!(delivery["lastResponseStatus"], 204);
    assert_eq!(delivery["messageId"], first.header("webhook-id"));
    assert_eq!(delivery["payload"]["type"], "invitation.sent");
    let redelivery = format!(
        "{deliveries}/{}/redelivery",
        delivery["id"].as_str().unwrap()
    );
    let again = hooks.call(ApiEvent::post(&redelivery, &json!({}))).await;
    assert_eq!(again["status"], "pending");
    // Pending, it is not asked for twice.
    let twice = hooks
        .acme_calls(ApiEvent::post(&redelivery, &json!({})))
        .await;
    twice.assert_problem(409);
    assert_eq!(hooks.dispatch().await.queued, 1);
    assert!(hooks.send_after(8).await.batch_item_failures.is_empty());
    let redelivered = &hooks.received()[2];
    assert_eq!(redelivered.header("webhook-id"), first.header("webhook-id"));
    assert!(verified(redelivered, &first_secret));
    let log = hooks.call(ApiEvent::get(&deliveries)).await;
    assert_eq!(log["items"][0]["status"], "succeeded");
    assert_eq!(log["items"][0]["attempts"], 3);

    // A rotation: for the overlap, each webhook is signed by the new secret and the previous one.
    let rotated = hooks
        .call(ApiEvent::post(
            &format!("/webhook-subscriptions/{subscription}/secret-rotation"),
            &json!({"overlapHours": 1}),
        ))
        .await;
    let second_secret = rotated["secret"].as_str().unwrap().to_owned();
    hooks
        .call(ApiEvent::post(
            &format!("/invitations/{invitation}/cancellation"),
            &json!({}),
        ))
        .await;
    assert_eq!(hooks.dispatch().await.queued, 1);
    hooks.send_after(10).await;
    let cancelled = &hooks.received()[3];
    assert_eq!(
        cancelled.header("webhook-signature").split(' ').count(),
        2,
        "{cancelled:?}"
    );
    assert!(verified(cancelled, &first_secret));
    assert!(verified(cancelled, &second_secret));
    assert!(cancelled.body.contains("\"invitation.cancelled\""));

    // Erased: the removal is told by ids.
    let erased = hooks
        .world
        .call(
            ApiEvent::new("DELETE", &format!("/invitations/{invitation}"))
                .claims(&hooks.world.acme),
        )
        .await;
    assert_eq!(erased.status, 204, "{}", erased.body);
    assert_eq!(hooks.dispatch().await.queued, 1);
    hooks.send_after(20).await;
    let removal = &hooks.received()[4];
    let body: Value = serde_json::from_str(&removal.body).unwrap();
    assert_eq!(body["type"], "candidate_data.erased");
    assert_eq!(body["data"]["invitationId"], invitation.as_str());
    assert!(verified(removal, &second_secret));
    // Nothing went to globex's endpoint, nothing to the dead-letter queue.
    assert!(
        hooks
            .received()
            .iter()
            .all(|webhook| webhook.path == "/hooks/ats")
    );
    assert_eq!(hooks.route.queue.dead_letters().await.unwrap(), 0);
    // The delivery log, a page at a time, newest event first. (The sent step is stamped with the
    // API's fixed clock, the later ones with the stream's: the order is the events' times.)
    let mut pages = Vec::new();
    let mut query = "limit=1".to_owned();
    loop {
        let page = hooks
            .call(ApiEvent::get(&deliveries).raw_query(&query))
            .await;
        assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
        let payload = &page["items"][0]["payload"];
        let at: Timestamp = payload["timestamp"].as_str().unwrap().parse().unwrap();
        pages.push((at, payload["type"].as_str().unwrap().to_owned()));
        match page["nextCursor"].as_str() {
            Some(cursor) => query = format!("limit=1&cursor={cursor}"),
            None => break,
        }
    }
    let mut newest_first = pages.clone();
    newest_first.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    assert_eq!(pages, newest_first);
    let mut kinds: Vec<&str> = pages.iter().map(|(_, kind)| kind.as_str()).collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "candidate_data.erased",
            "invitation.cancelled",
            "invitation.sent"
        ]
    );
}

#[tokio::test]
async fn a_410_disables_the_subscription_and_a_private_address_is_refused_at_each_attempt() {
    let mut hooks = Webhooks::new().await;
    let (subscription, _) = hooks
        .subscribe("/hooks/gone", &["invitation.sent", "invitation.cancelled"])
        .await;
    let interview = hooks
        .world
        .create_video_interview(&hooks.world.acme, "Sales Lead")
        .await;
    let form = hooks.world.invitation_form(&interview, "fi", false);
    let invitation = hooks.world.invite(&hooks.world.acme, &form).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(hooks.dispatch().await.queued, 1);

    // Where loopback is not allowed (every deployment), the attempt is not made: its address is
    // checked again before each one.
    let strict = hooks
        .route
        .sender(&hooks.world, hooks.now, TargetRule::default())
        .unwrap();
    let event = hooks.route.queue.receive().await.unwrap();
    let response = strict.handle(event.clone()).await;
    assert_eq!(response.batch_item_failures.len(), 1, "retried later");
    assert!(hooks.received().is_empty());
    hooks.route.queue.settle(&event, &response).await.unwrap();

    // Gone: the subscription is disabled at once, and the message done.
    hooks.route.receiver.answer_with(&[410]);
    let response = hooks.send_after(6).await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(hooks.received().len(), 1);
    let read = hooks
        .call(ApiEvent::get(&format!(
            "/webhook-subscriptions/{subscription}"
        )))
        .await;
    assert_eq!(read["status"], "disabled");
    assert_eq!(read["disabledBecause"], "gone");
    let log = hooks
        .call(ApiEvent::get(&format!(
            "/webhook-subscriptions/{subscription}/deliveries"
        )))
        .await;
    assert_eq!(log["items"][0]["status"], "failed");
    assert_eq!(log["items"][0]["lastResponseStatus"], 410);
    assert_eq!(log["items"][0]["attempts"], 2);
    // Nothing is sent again to a disabled subscription, even by hand.
    let redelivery = hooks
        .world
        .call(
            ApiEvent::post(
                &format!(
                    "/webhook-subscriptions/{subscription}/deliveries/{}/redelivery",
                    log["items"][0]["id"].as_str().unwrap()
                ),
                &json!({}),
            )
            .claims(&hooks.world.acme),
        )
        .await;
    redelivery.assert_problem(409);
    // A disabled subscription gets no more deliveries.
    hooks
        .call(ApiEvent::post(
            &format!("/invitations/{invitation}/cancellation"),
            &json!({}),
        ))
        .await;
    assert_eq!(hooks.dispatch().await, Dispatched::default());
    assert!(
        hooks
            .route
            .queue
            .receive()
            .await
            .unwrap()
            .records
            .is_empty()
    );
}
