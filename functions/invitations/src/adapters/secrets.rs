//! The deployment's secrets in AWS Secrets Manager, read once at cold start.

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
