//! The store of webhook subscriptions keeps its promises (`ports::WebhookSubscriptions`), the
//! DynamoDB adapter against the local stand-in and its table from the template, and the in-memory
//! adapter the use cases' tests run on, by the same checks: at most `MAX_WEBHOOK_SUBSCRIPTIONS`
//! per organization (a deleted one frees its place), each organization sees only its own, a
//! rotation or a stop written over a stale copy is refused, and nothing else is changed by them.

use std::collections::BTreeSet;

use integration_tests::world::world;
use invitations::adapters::memory::MemoryStore;
use invitations::domain::webhooks::{
    DisabledBecause, TargetRule, WebhookEventType, WebhookSubscription, WebhookUrl,
};
use invitations::domain::{OrganizationId, WebhookDescription, WebhookSubscriptionId};
use invitations::ports::{MAX_WEBHOOK_SUBSCRIPTIONS, StoreError, WebhookSubscriptions};
use jiff::{SignedDuration, Timestamp};

fn organization(name: &str) -> OrganizationId {
    OrganizationId::parse(name).unwrap()
}

fn subscription(owner: &OrganizationId, n: usize, now: Timestamp) -> WebhookSubscription {
    let url = format!("https://ats{n}.example/hooks");
    WebhookSubscription::new(
        owner.clone(),
        WebhookUrl::parse(&url, TargetRule::default()).unwrap(),
        BTreeSet::from([WebhookEventType::InvitationCompleted]),
        Some(WebhookDescription::parse(&format!("ATS {n}")).unwrap()),
        now,
    )
}

async fn keeps_its_promises(store: &impl WebhookSubscriptions, tag: &str) {
    let now: Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
    let (acme, globex) = (
        organization(&format!("acme-{tag}")),
        organization(&format!("globex-{tag}")),
    );
    let limit = usize::try_from(MAX_WEBHOOK_SUBSCRIPTIONS).unwrap();
    let mut held = Vec::new();
    for n in 0..limit {
        let new = subscription(&acme, n, now);
        store.insert_subscription(&new).await.unwrap();
        held.push(new);
    }
    let one_more = subscription(&acme, limit, now);
    assert!(matches!(
        store.insert_subscription(&one_more).await,
        Err(StoreError::QuotaExhausted)
    ));
    let theirs = subscription(&globex, 0, now);
    store.insert_subscription(&theirs).await.unwrap();

    // Each organization reads its own, oldest first, and nothing of the other's.
    assert_eq!(store.list_subscriptions(&acme).await.unwrap(), held);
    assert_eq!(store.list_subscriptions(&globex).await.unwrap(), [theirs]);
    let first = &held[0];
    assert_eq!(
        store
            .get_subscription(&acme, first.id)
            .await
            .unwrap()
            .as_ref(),
        Some(first)
    );
    assert_eq!(
        store.get_subscription(&globex, first.id).await.unwrap(),
        None
    );
    assert!(!store.delete_subscription(&globex, first.id).await.unwrap());

    // A rotation goes through once; one made from the same stale copy is refused.
    let mut rotated = first.clone();
    rotated
        .rotate_secret(now, SignedDuration::from_hours(24))
        .unwrap();
    store.rotate_subscription_secret(&rotated).await.unwrap();
    assert!(matches!(
        store.rotate_subscription_secret(&rotated).await,
        Err(StoreError::Conflict)
    ));
    // Stopped once, and nothing else changed by either write.
    let at = now + SignedDuration::from_mins(5);
    store
        .disable_subscription(&acme, first.id, at, DisabledBecause::Gone)
        .await
        .unwrap();
    assert!(matches!(
        store
            .disable_subscription(&acme, first.id, at, DisabledBecause::PersistentFailure)
            .await,
        Err(StoreError::Conflict)
    ));
    let mut expected = rotated.clone();
    expected.disabled = Some((at, DisabledBecause::Gone));
    assert_eq!(
        store.get_subscription(&acme, first.id).await.unwrap(),
        Some(expected)
    );
    // A rotation after a stop keeps the stop.
    let mut again = rotated.clone();
    again.rotate_secret(at, SignedDuration::ZERO).unwrap();
    store.rotate_subscription_secret(&again).await.unwrap();
    let stored = store
        .get_subscription(&acme, first.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.secret_generation, 3);
    assert_eq!(stored.previous_secret_until, None);
    assert_eq!(stored.disabled, Some((at, DisabledBecause::Gone)));

    // Deleted once; its place is free again; a missing one can be neither rotated nor stopped.
    assert!(store.delete_subscription(&acme, first.id).await.unwrap());
    assert!(!store.delete_subscription(&acme, first.id).await.unwrap());
    store.insert_subscription(&one_more).await.unwrap();
    assert_eq!(store.list_subscriptions(&acme).await.unwrap().len(), limit);
    let gone: WebhookSubscriptionId = first.id;
    assert_eq!(store.get_subscription(&acme, gone).await.unwrap(), None);
    assert!(matches!(
        store.rotate_subscription_secret(&again).await,
        Err(StoreError::Conflict)
    ));
    assert!(matches!(
        store
            .disable_subscription(&acme, gone, at, DisabledBecause::Gone)
            .await,
        Err(StoreError::Conflict)
    ));
}

#[tokio::test]
async fn the_dynamodb_store_keeps_its_promises() {
    let world = world().await;
    keeps_its_promises(&world.store(), &world.tag).await;
}

#[tokio::test]
async fn the_in_memory_store_keeps_the_same_promises() {
    keeps_its_promises(&MemoryStore::default(), "memory").await;
}
