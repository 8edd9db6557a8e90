//! The deployment's secrets in AWS Secrets Manager.

use tokio::sync::OnceCell;

use crate::domain::LinkKey;

/// The key of candidates' follow-up links (`domain::token`): the `SecretString` of the secret
/// `secret_id` (an ARN or name), its bytes taken as they are. The template generates it as 64
/// letters and digits (about 380 bits); anything shorter than `LinkKey::MIN_BYTES` is refused.
/// The error says what went wrong without the secret's value.
pub async fn read_link_key(
    client: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
) -> Result<LinkKey, String> {
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
    LinkKey::new(value.into_bytes()).map_err(|problem| format!("the secret {problem}"))
}

/// The link key for a function that needs it on few requests (the recruiter API: deadline notices
/// only): read from Secrets Manager the first time it is needed, then kept for the instance's
/// life, so that no cold start waits for it. A failed read is tried again on the next need.
pub struct LinkKeys {
    key: OnceCell<LinkKey>,
    source: Option<(aws_sdk_secretsmanager::Client, String)>,
}

impl LinkKeys {
    /// A key at hand (a function that read it at cold start, tests).
    pub fn ready(key: LinkKey) -> Self {
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

    /// The key, read now if it was not yet.
    pub async fn get(&self) -> Result<&LinkKey, String> {
        self.key
            .get_or_try_init(|| async {
                let (client, secret_id) = self
                    .source
                    .as_ref()
                    .ok_or("no link key and no secret to read it from")?;
                read_link_key(client, secret_id).await
            })
            .await
    }
}
