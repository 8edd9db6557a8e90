//! `Idempotency-Key` on the recruiter API's POSTs, against the local stand-in: a retry gets the
//! original answer without a second write or email, another body with the same key a 422, a retry
//! during the first a 409, and keys belong to one organization and live 24 hours.

use aws_sdk_dynamodb::types::AttributeValue;
use integration_tests::events::ApiEvent;
use integration_tests::world::*;
use serde_json::{Value, json};

const KEY: &str = "4b0c6f2e-8d8a-4f57-9b1e-2f6d3c1a9e70";

fn send(form: &Value, key: &str) -> ApiEvent {
    ApiEvent::post("/invitations", form).header("idempotency-key", key)
}

async fn invitation_items(world: &World) -> usize {
    world
        .items()
        .await
        .iter()
        .filter(|item| item.get("entity") == Some(&AttributeValue::S("Invitation".into())))
        .count()
}

#[tokio::test]
async fn a_retry_gets_the_original_answer_and_nothing_happens_twice() {
    let world = world().await;
    let video_interview = world.create_video_interview(&world.acme, "Sales").await;
    let form = world.invitation_form(&video_interview, "en", true);
    let first = world.call(send(&form, KEY).claims(&world.acme)).await;
    assert_eq!(first.status, 201, "{}", first.body);
    for _ in 0..3 {
        let retry = world.call(send(&form, KEY).claims(&world.acme)).await;
        assert_eq!(retry.status, 201);
        assert_eq!(retry.body, first.body);
        assert_eq!(retry.header("location"), first.header("location"));
        assert_eq!(retry.header("idempotent-replayed"), "true");
    }
    assert_eq!(invitation_items(&world).await, 1);
    assert_eq!(world.emails().await.len(), 1);

    // The same key with another body (or path) is refused and changes nothing.
    let mut other = form.clone();
    other["firstName"] = json!("Bertil");
    let reused = world.call(send(&other, KEY).claims(&world.acme)).await;
    reused.assert_problem(422);
    assert_eq!(reused.body["type"], "/problems/idempotency-key-reused");
    let elsewhere = world
        .call(
            ApiEvent::post(
                "/video-interviews",
                &json!({"title": "T", "questions": [{"text": "Q"}]}),
            )
            .header("idempotency-key", KEY)
            .claims(&world.acme),
        )
        .await;
    elsewhere.assert_problem(422);
    assert_eq!(invitation_items(&world).await, 1);
    assert_eq!(world.emails().await.len(), 1);
}

#[tokio::test]
async fn keys_belong_to_one_organization() {
    let world = world().await;
    let acme_interview = world.create_video_interview(&world.acme, "Sales").await;
    let globex_interview = world.create_video_interview(&world.globex, "Sales").await;
    let acme = world
        .call(send(&world.invitation_form(&acme_interview, "en", false), KEY).claims(&world.acme))
        .await;
    // Globex's request with the same key is its own: neither a replay of Acme's answer nor refused.
    let globex = world
        .call(
            send(&world.invitation_form(&globex_interview, "en", false), KEY).claims(&world.globex),
        )
        .await;
    assert_eq!((acme.status, globex.status), (201, 201));
    assert_ne!(acme.body["id"], globex.body["id"]);
    assert_eq!(globex.header("idempotent-replayed"), "");
}

#[tokio::test]
async fn a_key_lives_a_day_and_a_dead_request_frees_it() {
    let world = world().await;
    let video_interview = world.create_video_interview(&world.acme, "Sales").await;
    let form = world.invitation_form(&video_interview, "en", false);
    let first = world.call(send(&form, KEY).claims(&world.acme)).await;
    assert_eq!(first.status, 201);
    // 23 hours later: a replay. 25 hours later: a new request.
    let later = world.recruiter_api_at("2026-12-02T09:00:00Z");
    let replay = lambda_answer(&later, send(&form, KEY).claims(&world.acme)).await;
    assert_eq!(replay.body, first.body);
    let next_day = world.recruiter_api_at("2026-12-02T11:00:00Z");
    let fresh = lambda_answer(&next_day, send(&form, KEY).claims(&world.acme)).await;
    assert_eq!(fresh.status, 201);
    assert_ne!(fresh.body["id"], first.body["id"]);

    // A request that claimed a key and died (no answer saved) blocks it only for its lease.
    let store = world.store();
    let organization = invitations::domain::OrganizationId::parse("acme").unwrap();
    let key = invitations::ports::IdempotencyKey::parse("died-midway").unwrap();
    let body = form.to_string();
    let fingerprint =
        invitations::ports::RequestFingerprint::of("POST", "/invitations", body.as_bytes());
    invitations::ports::IdempotencyRecords::claim_idempotency_key(
        &store,
        &organization,
        &key,
        &fingerprint,
        NOW.parse().unwrap(),
    )
    .await
    .unwrap();
    let during = world
        .call(send(&form, "died-midway").claims(&world.acme))
        .await;
    during.assert_problem(409);
    assert_eq!(during.body["type"], "/problems/idempotency-key-in-use");
    assert_eq!(during.header("retry-after"), "1");
    let after_lease = world.recruiter_api_at("2026-12-01T10:00:31Z");
    let retried = lambda_answer(&after_lease, send(&form, "died-midway").claims(&world.acme)).await;
    assert_eq!(retried.status, 201, "{}", retried.body);
}

async fn lambda_answer(api: &Api, event: ApiEvent) -> Answer {
    Answer::from(api.handle(event.into_request()).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_duplicates_make_one_invitation_and_one_email() {
    let world = world().await;
    let video_interview = world.create_video_interview(&world.acme, "Sales").await;
    let form = world.invitation_form(&video_interview, "en", false);
    let attempts: Vec<_> = (0..8)
        .map(|_| {
            let api = world.recruiter_api_at(NOW);
            let event = send(&form, KEY).claims(&world.acme);
            tokio::spawn(async move { lambda_answer(&api, event).await })
        })
        .collect();
    let mut created = Vec::new();
    for attempt in attempts {
        let answer = attempt.await.unwrap();
        match answer.status {
            201 => created.push(answer.body["id"].clone()),
            409 => assert_eq!(answer.body["type"], "/problems/idempotency-key-in-use"),
            other => panic!("unexpected {other}: {}", answer.body),
        }
    }
    assert!(!created.is_empty());
    assert!(created.iter().all(|id| *id == created[0]), "{created:?}");
    assert_eq!(invitation_items(&world).await, 1);
    assert_eq!(world.emails().await.len(), 1);
}

#[tokio::test]
async fn a_malformed_key_is_named_and_a_refused_request_claims_nothing() {
    let world = world().await;
    let video_interview = world.create_video_interview(&world.acme, "Sales").await;
    let form = world.invitation_form(&video_interview, "en", false);
    for bad in ["", "with space", &"k".repeat(256)] {
        let answer = world.call(send(&form, bad).claims(&world.acme)).await;
        assert_eq!(answer.invalid_fields(), ["Idempotency-Key"], "{bad:?}");
    }
    // A refused request changed nothing and keeps nothing: its retry is refused the same way, not
    // replayed ...
    let mut invalid = form.clone();
    invalid["email"] = json!("not an address");
    let refused = world
        .call(send(&invalid, "k-422").claims(&world.acme))
        .await;
    assert_eq!(refused.invalid_fields(), ["/email"]);
    let again = world
        .call(send(&invalid, "k-422").claims(&world.acme))
        .await;
    assert_eq!(again.header("idempotent-replayed"), "");
    assert_eq!(again.body, refused.body);
    let records = |items: &[std::collections::HashMap<String, AttributeValue>]| {
        items
            .iter()
            .filter(|item| {
                item.get("entity") == Some(&AttributeValue::S("IdempotencyRecord".into()))
            })
            .count()
    };
    assert_eq!(records(&world.items().await), 0);
    assert_eq!(invitation_items(&world).await, 0);
    // ... and the corrected request may use the same key, which then holds its answer.
    let sent = world.call(send(&form, "k-422").claims(&world.acme)).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let replayed = world.call(send(&form, "k-422").claims(&world.acme)).await;
    assert_eq!(replayed.header("idempotent-replayed"), "true");
    assert_eq!(replayed.body, sent.body);
    assert_eq!(records(&world.items().await), 1);
    assert_eq!(invitation_items(&world).await, 1);
    assert_eq!(world.emails().await.len(), 1);
}
