//! The webhook subscription routes of the recruiter API, on the local stand-in: subscribing shows
//! the secret once and stores none, a URL that reaches inside is refused, `Idempotency-Key` is
//! refused where the answer holds a secret, a rotation shows the next secret with the previous one
//! still signing for the overlap, each organization sees only its own, and the limit holds.

use integration_tests::events::ApiEvent;
use integration_tests::world::{NOW, webhook_key, world};
use invitations::domain::webhooks::SigningSecret;
use serde_json::{Value, json};

fn subscription(url: &str) -> Value {
    json!({
        "url": url,
        "eventTypes": ["invitation.sent", "invitation.completed"],
        "description": "Our ATS",
    })
}

#[tokio::test]
async fn subscribing_rotating_and_deleting() {
    let world = world().await;
    let answer = world
        .call(
            ApiEvent::post(
                "/webhook-subscriptions",
                &subscription("http://127.0.0.1:9/hooks"),
            )
            .claims(&world.acme),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let id = answer.body["id"].as_str().unwrap().to_owned();
    // Relative to the request's path (RFC 9110 §10.2.2), so right under any stage.
    assert_eq!(
        answer.header("location"),
        format!("webhook-subscriptions/{id}")
    );
    let secret = answer.body["secret"].as_str().unwrap().to_owned();
    assert_eq!(
        secret,
        SigningSecret::derive(&webhook_key(), id.parse().unwrap(), 1).expose()
    );
    assert_eq!(answer.body["status"], "enabled");
    assert_eq!(
        answer.body["eventTypes"],
        json!(["invitation.sent", "invitation.completed"])
    );
    // Nothing stored holds the secret.
    let stored = format!("{:?}", world.items().await);
    assert!(!stored.contains(&secret[6..]), "the secret is stored");

    // Read and listed without it; another organization sees none of it.
    let path = format!("/webhook-subscriptions/{id}");
    let read = world.call(ApiEvent::get(&path).claims(&world.acme)).await;
    assert_eq!(read.status, 200);
    assert!(read.body.get("secret").is_none());
    let listed = world
        .call(ApiEvent::get("/webhook-subscriptions").claims(&world.acme))
        .await;
    assert_eq!(listed.body["items"][0]["id"], id.as_str());
    let theirs = world
        .call(ApiEvent::get("/webhook-subscriptions").claims(&world.globex))
        .await;
    assert_eq!(theirs.body["items"], json!([]));
    for event in [
        ApiEvent::get(&path),
        ApiEvent::new("DELETE", &path),
        ApiEvent::post(&format!("{path}/secret-rotation"), &json!({})),
        ApiEvent::get(&format!("{path}/deliveries")),
        ApiEvent::post(
            &format!("{path}/deliveries/01KAWZ9R5T7V0X3Z6B9D2F5H8K/redelivery"),
            &json!({}),
        ),
    ] {
        world
            .call(event.claims(&world.globex))
            .await
            .assert_problem(404);
    }

    // A rotation: the next secret, the previous one signing for the hour asked.
    let rotated = world
        .call(
            ApiEvent::post(
                &format!("{path}/secret-rotation"),
                &json!({"overlapHours": 1}),
            )
            .claims(&world.acme),
        )
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    assert_eq!(
        rotated.body["secret"],
        SigningSecret::derive(&webhook_key(), id.parse().unwrap(), 2).expose()
    );
    let now: jiff::Timestamp = NOW.parse().unwrap();
    assert_eq!(
        rotated.body["previousSecretValidUntil"],
        (now + jiff::SignedDuration::from_hours(1)).to_string()
    );

    let deleted = world
        .call(ApiEvent::new("DELETE", &path).claims(&world.acme))
        .await;
    assert_eq!(deleted.status, 204);
    world
        .call(ApiEvent::get(&path).claims(&world.acme))
        .await
        .assert_problem(404);
    world
        .call(ApiEvent::new("DELETE", &path).claims(&world.acme))
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn what_is_refused_stores_nothing() {
    let world = world().await;
    let post = |body: Value| ApiEvent::post("/webhook-subscriptions", &body).claims(&world.acme);
    // Private, link-local (the metadata service), shared and plain-http public targets.
    for url in [
        "https://10.0.0.8/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/",
        "http://93.184.215.14/hooks",
        "https://no-such-host.invalid/hooks",
    ] {
        let answer = world.call(post(subscription(url))).await;
        assert_eq!(answer.invalid_fields(), ["/url"], "{url}");
    }
    // Types the service does not send yet, and an unknown one.
    let answer = world
        .call(post(json!({
            "url": "https://127.0.0.1/hooks",
            "eventTypes": ["invitation.expired", "invitation_batch.finished", "nope"],
        })))
        .await;
    assert_eq!(
        answer.invalid_fields(),
        ["/eventTypes/0", "/eventTypes/1", "/eventTypes/2"]
    );
    // The answer would hold the secret: no key keeps it.
    let keyed = world
        .call(post(subscription("https://127.0.0.1/hooks")).header("Idempotency-Key", "k-1"))
        .await;
    assert_eq!(keyed.invalid_fields(), ["Idempotency-Key"]);
    let listed = world
        .call(ApiEvent::get("/webhook-subscriptions").claims(&world.acme))
        .await;
    assert_eq!(listed.body["items"], json!([]));
}

#[tokio::test]
async fn an_organization_holds_ten_subscriptions_at_most() {
    let world = world().await;
    let post = |n: usize| {
        ApiEvent::post(
            "/webhook-subscriptions",
            &subscription(&format!("https://127.0.0.1/hooks/{n}")),
        )
        .claims(&world.acme)
    };
    for n in 0..10 {
        assert_eq!(world.call(post(n)).await.status, 201);
    }
    let eleventh = world.call(post(10)).await;
    eleventh.assert_problem(409);
    assert_eq!(
        eleventh.body["detail"],
        format!("{}.", recruiter_api::WEBHOOK_LIMIT_REACHED)
    );
    // Another organization's count is its own.
    let theirs = world
        .call(
            ApiEvent::post(
                "/webhook-subscriptions",
                &subscription("https://127.0.0.1/hooks"),
            )
            .claims(&world.globex),
        )
        .await;
    assert_eq!(theirs.status, 201);
}
