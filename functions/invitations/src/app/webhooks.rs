//! Webhooks, the use cases: subscribing, rotating a subscription's secret, and where a webhook to
//! a subscription's URL may be sent now (`target_addresses`), checked when subscribing and again
//! before each attempt, which then connects to an address checked here and never resolves the name
//! again (a DNS answer that changed in between, DNS rebinding, cannot steer it inside). No route
//! or function uses them yet (issue 19).

use std::collections::BTreeSet;
use std::net::IpAddr;

use jiff::{SignedDuration, Timestamp};

use crate::domain::webhooks::{
    SigningSecret, TargetRule, WebhookEventType, WebhookKey, WebhookSubscription, WebhookUrl,
};
use crate::domain::{OrganizationId, WebhookDescription, WebhookSubscriptionId};
use crate::ports::{HostResolver, StoreError, WebhookSubscriptions};

/// Why a webhook may not go to a URL now. Its words name no address: an integrator reads them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetRefused {
    /// The name has no address (it does not exist), or the resolver failed.
    #[error("its host name does not resolve")]
    Unresolved,
    /// An address of the host is one the service does not call (`TargetRule`).
    #[error("its host resolves to a private, loopback, link-local or reserved address")]
    Forbidden,
}

/// The addresses a webhook to `url` may be sent to now: those its host resolves to (or the one
/// it names), each permitted by `rule`. One forbidden address refuses them all: a name that
/// resolves to a public and a private address could be made to reach the private one.
pub async fn target_addresses(
    url: &WebhookUrl,
    resolver: &impl HostResolver,
    rule: TargetRule,
) -> Result<Vec<IpAddr>, TargetRefused> {
    let addresses = match (url.address(), url.domain()) {
        (Some(address), _) => vec![address],
        (None, Some(name)) => resolver
            .resolve(name)
            .await
            .map_err(|_| TargetRefused::Unresolved)?,
        (None, None) => return Err(TargetRefused::Unresolved),
    };
    if addresses.is_empty() {
        return Err(TargetRefused::Unresolved);
    }
    if addresses.iter().all(|address| rule.permits(*address)) {
        Ok(addresses)
    } else {
        Err(TargetRefused::Forbidden)
    }
}

/// What an integrator chooses when subscribing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubscription {
    pub url: WebhookUrl,
    /// Never empty (the request's parser sees to it).
    pub event_types: BTreeSet<WebhookEventType>,
    pub description: Option<WebhookDescription>,
}

/// A subscription as stored, with its current signing secret: shown this once, never stored.
pub struct Subscribed {
    pub subscription: WebhookSubscription,
    pub secret: SigningSecret,
}

/// Why a subscription was not made, or its secret not rotated; nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum SubscriptionRefused {
    #[error("the URL is refused: {0}")]
    Target(#[from] TargetRefused),
    /// The organization holds `MAX_WEBHOOK_SUBSCRIPTIONS` already.
    #[error("the organization holds the most subscriptions it may")]
    LimitReached,
    /// The overlap asked for a rotation is out of bounds (`domain::webhooks::MAX_ROTATION_OVERLAP`).
    #[error("the overlap {0}")]
    Overlap(String),
    /// Another rotation of the same secret came first.
    #[error("the secret was rotated meanwhile")]
    RotatedMeanwhile,
    #[error(transparent)]
    Store(StoreError),
}

/// Subscribing and rotating: the store, where webhooks may go, and the key secrets derive under.
pub struct Subscriptions<'a, S, R> {
    pub store: &'a S,
    pub resolver: &'a R,
    pub rule: TargetRule,
    pub key: &'a WebhookKey,
}

impl<S: WebhookSubscriptions, R: HostResolver> Subscriptions<'_, S, R> {
    /// Subscribes `organization` at `now`, once the URL's addresses are checked
    /// ([`target_addresses`]): the subscription and its first secret.
    pub async fn subscribe(
        &self,
        organization: &OrganizationId,
        form: NewSubscription,
        now: Timestamp,
    ) -> Result<Subscribed, SubscriptionRefused> {
        target_addresses(&form.url, self.resolver, self.rule).await?;
        let subscription = WebhookSubscription::new(
            organization.clone(),
            form.url,
            form.event_types,
            form.description,
            now,
        );
        self.store
            .insert_subscription(&subscription)
            .await
            .map_err(|error| match error {
                StoreError::QuotaExhausted => SubscriptionRefused::LimitReached,
                other => SubscriptionRefused::Store(other),
            })?;
        tracing::info!(
            organization = organization.as_str(),
            subscription = %subscription.id,
            "webhook subscription made"
        );
        Ok(self.with_secret(subscription))
    }

    /// Starts the next generation of the subscription's secret at `now`, the current one signing
    /// on for `overlap`: the subscription and its new secret; `None` when there is no such
    /// subscription.
    pub async fn rotate_secret(
        &self,
        organization: &OrganizationId,
        id: WebhookSubscriptionId,
        overlap: SignedDuration,
        now: Timestamp,
    ) -> Result<Option<Subscribed>, SubscriptionRefused> {
        let store_error = SubscriptionRefused::Store;
        let Some(mut subscription) = self
            .store
            .get_subscription(organization, id)
            .await
            .map_err(store_error)?
        else {
            return Ok(None);
        };
        subscription
            .rotate_secret(now, overlap)
            .map_err(SubscriptionRefused::Overlap)?;
        match self.store.rotate_subscription_secret(&subscription).await {
            Ok(()) => Ok(Some(self.with_secret(subscription))),
            // Rotated meanwhile, or deleted: read again to tell which.
            Err(StoreError::Conflict) => {
                match self.store.get_subscription(organization, id).await {
                    Ok(Some(_)) => Err(SubscriptionRefused::RotatedMeanwhile),
                    Ok(None) => Ok(None),
                    Err(error) => Err(store_error(error)),
                }
            }
            Err(error) => Err(store_error(error)),
        }
    }

    fn with_secret(&self, subscription: WebhookSubscription) -> Subscribed {
        let secret =
            SigningSecret::derive(self.key, subscription.id, subscription.secret_generation);
        Subscribed {
            subscription,
            secret,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::adapters::memory::{MemoryStore, StaticResolver};

    fn url(text: &str, rule: TargetRule) -> WebhookUrl {
        WebhookUrl::parse(text, rule).unwrap()
    }

    #[tokio::test]
    async fn every_address_of_the_host_must_be_public() {
        let rule = TargetRule::default();
        let resolver = StaticResolver::new([
            (
                "ats.example",
                vec!["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
            ),
            ("split.example", vec!["93.184.215.14", "10.0.0.7"]),
            ("inside.example", vec!["169.254.169.254"]),
            ("empty.example", vec![]),
        ]);
        let target = |text: &str| {
            let url = url(text, rule);
            let resolver = &resolver;
            async move { target_addresses(&url, resolver, rule).await }
        };
        assert_eq!(target("https://ats.example/hooks").await.unwrap().len(), 2);
        assert_eq!(
            target("https://split.example/").await,
            Err(TargetRefused::Forbidden)
        );
        assert_eq!(
            target("https://inside.example/").await,
            Err(TargetRefused::Forbidden)
        );
        for unknown in ["https://empty.example/", "https://nowhere.example/"] {
            assert_eq!(target(unknown).await, Err(TargetRefused::Unresolved));
        }
        assert_eq!(
            target("https://93.184.215.14/hooks").await.unwrap(),
            ["93.184.215.14".parse::<IpAddr>().unwrap()]
        );
    }

    fn form(text: &str) -> NewSubscription {
        NewSubscription {
            url: url(text, TargetRule::default()),
            event_types: BTreeSet::from([WebhookEventType::InvitationCompleted]),
            description: None,
        }
    }

    #[tokio::test]
    async fn a_subscription_is_stored_with_its_first_secret_shown_once_and_rotated() {
        let store = MemoryStore::default();
        let resolver = StaticResolver::new([
            ("ats.example", vec!["93.184.215.14"]),
            ("inside.example", vec!["10.0.0.7"]),
        ]);
        let key = WebhookKey::new(vec![7; 32]).unwrap();
        let subscriptions = Subscriptions {
            store: &store,
            resolver: &resolver,
            rule: TargetRule::default(),
            key: &key,
        };
        let acme = OrganizationId::parse("acme").unwrap();
        let now: Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        let made = subscriptions
            .subscribe(&acme, form("https://ats.example/hooks"), now)
            .await
            .unwrap();
        let id = made.subscription.id;
        let first = SigningSecret::derive(&key, id, 1).expose();
        assert_eq!(made.secret.expose(), first);
        assert_eq!(
            store.list_subscriptions(&acme).await.unwrap(),
            [made.subscription]
        );

        // Refused where it would call inside, or past the limit; nothing more is stored.
        let inside = subscriptions
            .subscribe(&acme, form("https://inside.example/"), now)
            .await;
        assert!(matches!(
            inside,
            Err(SubscriptionRefused::Target(TargetRefused::Forbidden))
        ));
        for _ in 1..crate::ports::MAX_WEBHOOK_SUBSCRIPTIONS {
            subscriptions
                .subscribe(&acme, form("https://ats.example/hooks"), now)
                .await
                .unwrap();
        }
        let over = subscriptions
            .subscribe(&acme, form("https://ats.example/hooks"), now)
            .await;
        assert!(matches!(over, Err(SubscriptionRefused::LimitReached)));

        // A rotation shows the next secret; the first signs on during the overlap.
        let rotated = subscriptions
            .rotate_secret(&acme, id, SignedDuration::from_hours(1), now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            rotated.secret.expose(),
            SigningSecret::derive(&key, id, 2).expose()
        );
        assert_ne!(rotated.secret.expose(), first);
        assert_eq!(rotated.subscription.signing_generations(now), [2, 1]);
        let too_long = subscriptions
            .rotate_secret(&acme, id, SignedDuration::from_hours(24 * 8), now)
            .await;
        assert!(matches!(too_long, Err(SubscriptionRefused::Overlap(_))));
        let other = OrganizationId::parse("globex").unwrap();
        let foreign = subscriptions
            .rotate_secret(&other, id, SignedDuration::ZERO, now)
            .await;
        assert!(matches!(foreign, Ok(None)));
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_only_where_the_rule_allows_it() {
        let resolver = StaticResolver::new([("receiver.test", vec!["127.0.0.1"])]);
        let refused = TargetRule::default();
        let allowed = TargetRule {
            allow_loopback: true,
        };
        let address = url("https://receiver.test/hooks", refused);
        assert_eq!(
            target_addresses(&address, &resolver, refused).await,
            Err(TargetRefused::Forbidden)
        );
        assert!(target_addresses(&address, &resolver, allowed).await.is_ok());
    }
}
