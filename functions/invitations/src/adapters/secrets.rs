//! The deployment's secrets in AWS Secrets Manager: keys whose `SecretString` is taken as its bytes
//! (the template generates each as 64 letters and digits, about 380 bits).

use tokio::sync::OnceCell;

use crate::domain::webhooks::WebhookKey;
use crate::domain::{CandidateLookupKey, LinkKey};

/// A key kept in a secret.
pub trait SecretKey: Sized + Send + Sync {
    /// What the key is for, in messages (never its value).
    const PURPOSE: &'static str;

    /// The key of these bytes, or why not (too short).
    fn from_bytes(bytes: Vec<u8>) -> Result<Self, String>;
}

impl SecretKey for LinkKey {
    const PURPOSE: &'static str = "link key (LINK_KEY_SECRET_ARN)";

    fn from_bytes(bytes: Vec<u8>) -> Result<Self, String> {
        LinkKey::new(bytes)
    }
}

impl SecretKey for CandidateLookupKey {
    const PURPOSE: &'static str = "candidate lookup key (LOOKUP_KEY_SECRET_ARN)";

    fn from_bytes(bytes: Vec<u8>) -> Result<Self, String> {
        CandidateLookupKey::new(bytes)
    }
}

impl SecretKey for WebhookKey {
    const PURPOSE: &'static str = "webhook key (WEBHOOK_KEY_SECRET_ARN)";

    fn from_bytes(bytes: Vec<u8>) -> Result<Self, String> {
        WebhookKey::new(bytes)
    }
}

/// The key in the secret `secret_id` (an ARN or name). The error says what went wrong without the
/// secret's value.
pub async fn read_key<K: SecretKey>(
    client: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
) -> Result<K, String> {
    let output = client
        .get_secret_value()
        .secret_id(secret_id)
        .send()
        .await
        .map_err(|error| {
            format!(
                "reading the secret failed: {}",
                aws_sdk_secretsmanager::error::DisplayErrorContext(error)
            )
        })?;
    let value = output
        .secret_string
        .ok_or("the secret holds no SecretString")?;
    K::from_bytes(value.into_bytes()).map_err(|problem| format!("the secret {problem}"))
}

/// The key of candidates' follow-up links (`domain::token`): anything shorter than
/// `LinkKey::MIN_BYTES` is refused.
pub async fn read_link_key(
    client: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
) -> Result<LinkKey, String> {
    read_key(client, secret_id).await
}

/// A key for a function that needs it on some requests only: read from Secrets Manager the first
/// time it is needed, then kept for the instance's life, so that no cold start waits for it. A
/// failed read is tried again on the next need.
pub struct LazyKey<K> {
    key: OnceCell<K>,
    source: Option<(aws_sdk_secretsmanager::Client, String)>,
}

/// The link key of the recruiter API (deadline notices only).
pub type LinkKeys = LazyKey<LinkKey>;

/// The candidate lookup key of the recruiter API (sends, corrections, erasure and access).
pub type LookupKeys = LazyKey<CandidateLookupKey>;

/// The key webhook subscriptions' secrets derive under (`domain::webhooks::SigningSecret`): the
/// recruiter API's, to show a secret when subscribing or rotating.
pub type WebhookKeys = LazyKey<WebhookKey>;

impl<K: SecretKey> LazyKey<K> {
    /// A key at hand (a function that read it at cold start, tests).
    pub fn ready(key: K) -> Self {
        Self {
            key: OnceCell::new_with(Some(key)),
            source: None,
        }
    }

    /// The key of the secret `secret_id`, read when first needed.
    pub fn from_secret(client: aws_sdk_secretsmanager::Client, secret_id: String) -> Self {
        Self {
            key: OnceCell::new(),
            source: Some((client, secret_id)),
        }
    }

    /// The key, read now if it was not yet; the error names the key's purpose, never its value.
    pub async fn get(&self) -> Result<&K, String> {
        self.key
            .get_or_try_init(|| async {
                let (client, secret_id) = self
                    .source
                    .as_ref()
                    .ok_or("no key and no secret to read it from")?;
                // Boxed: the SDK's request future is large, and it would otherwise sit inside
                // every request's future that may need the key (a send's, joined with others).
                Box::pin(read_key(client, secret_id)).await
            })
            .await
            .map_err(|problem| format!("the {}: {problem}", K::PURPOSE))
    }
}
