//! AWS SDK configuration shared by every function: explicit timeouts so that a slow dependency
//! turns into a clear error well inside the Lambda and API Gateway limits instead of a hung request,
//! and an HTTPS client that trusts only the roots AWS endpoints chain to.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};

/// Every endpoint the functions call (DynamoDB, SES, EventBridge, STS) presents a chain to Amazon
/// Trust Services. Trusting only these roots, embedded, spares each cold start reading and parsing
/// the system's 140-odd roots (about 1.9 ms of init, docs/performance.md) and narrows whom the
/// functions would send credentials-signed requests to.
const AMAZON_TRUST_SERVICES_ROOTS: &[u8] = include_bytes!("amazon-trust-services-roots.pem");

/// Connecting is fast or hopeless; one attempt of a small DynamoDB or SES request takes tens of
/// milliseconds; three attempts with backoff must fit well under API Gateway's 30 s.
pub fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(1))
        .operation_attempt_timeout(Duration::from_secs(2))
        .operation_timeout(Duration::from_secs(5))
        .build()
}

/// Loads region, credentials and endpoint (`AWS_ENDPOINT_URL`, used for the local stand-in) from
/// the standard environment, with our timeouts, the standard retry mode and the SDK's default
/// HTTPS client (rustls with aws-lc) restricted to Amazon's roots.
pub async fn load_sdk_config() -> SdkConfig {
    let trust = TlsContext::builder()
        .with_trust_store(TrustStore::empty().with_pem_certificate(AMAZON_TRUST_SERVICES_ROOTS))
        .build()
        .expect("a TLS context with a trust store always builds");
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(trust)
        .build_https();
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(https)
        .timeout_config(timeouts())
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .load()
        .await
}

#[cfg(test)]
mod tests {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;

    use super::AMAZON_TRUST_SERVICES_ROOTS;

    /// The SDK parses the bundle only at the first TLS connection and panics there if it is bad,
    /// so it is checked here the way the SDK reads it.
    #[test]
    fn the_trust_store_holds_the_five_amazon_trust_services_roots() {
        let roots = CertificateDer::pem_slice_iter(AMAZON_TRUST_SERVICES_ROOTS)
            .collect::<Result<Vec<_>, _>>()
            .expect("the bundle is valid PEM");
        let names = [
            "Amazon Root CA 1",
            "Amazon Root CA 2",
            "Amazon Root CA 3",
            "Amazon Root CA 4",
            "Starfield Services Root Certificate Authority - G2",
        ];
        assert_eq!(roots.len(), names.len());
        for (root, name) in roots.iter().zip(names) {
            let der: &[u8] = root.as_ref();
            assert!(
                der.windows(name.len())
                    .any(|window| window == name.as_bytes()),
                "{name} is not where expected"
            );
        }
    }
}
