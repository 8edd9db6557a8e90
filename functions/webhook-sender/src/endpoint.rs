//! The attempts' HTTP client (`ports::WebhookEndpoint`): one HTTP/1.1 `POST` per attempt (hyper's
//! client connection) over a TCP connection to an address checked for the attempt (the name is
//! not resolved again, so a DNS answer changed since the check cannot steer it inside), through
//! rustls with the system's roots for `https` (the URL's host as the server name). Short
//! timeouts; no pool, no proxy, no redirect followed; the answer's body is never read: its status
//! is all that counts.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use invitations::domain::webhook_delivery::AttemptOutcome;
use invitations::ports::{WebhookEndpoint, WebhookRequest};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// Connecting (TCP and TLS) is quick or hopeless.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// The whole attempt, answer included: an endpoint should queue the work and answer at once (the
/// specification's advice); a slower one is retried, and holds up only its own message.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

pub struct HttpsEndpoint {
    tls: tokio_rustls::TlsConnector,
}

/// Why an attempt got no answer, in words that name no address.
fn no_answer(why: &str) -> AttemptOutcome {
    AttemptOutcome::NoAnswer(why.to_owned())
}

impl HttpsEndpoint {
    /// A client trusting the system's roots (on Lambda, Amazon Linux's CA bundle), with aws-lc as
    /// its provider: `Err` names what could not be read.
    pub fn with_system_roots() -> Result<Self, String> {
        let found = rustls_native_certs::load_native_certs();
        let mut roots = rustls::RootCertStore::empty();
        let (added, _) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            return Err(format!(
                "no root certificate could be read from the system: {:?}",
                found.errors
            ));
        }
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| format!("TLS versions: {error}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            tls: tokio_rustls::TlsConnector::from(Arc::new(tls)),
        })
    }

    /// The request over `io`, and the answer's status.
    async fn exchange<T>(io: T, request: hyper::Request<Full<Bytes>>) -> AttemptOutcome
    where
        T: AsyncRead + AsyncWrite + Send + Unpin + 'static,
    {
        let Ok((mut sender, connection)) =
            hyper::client::conn::http1::handshake(TokioIo::new(io)).await
        else {
            return no_answer("connection failed");
        };
        let driving = tokio::spawn(connection);
        let outcome = match sender.send_request(request).await {
            Ok(answer) => AttemptOutcome::Answered(answer.status().as_u16()),
            Err(_) => no_answer("request failed"),
        };
        driving.abort();
        outcome
    }

    async fn attempt(&self, request: WebhookRequest<'_>) -> AttemptOutcome {
        let url = request.url;
        let addresses: Vec<SocketAddr> = request
            .addresses
            .iter()
            .map(|address| SocketAddr::new(*address, url.port()))
            .collect();
        let Ok(connected) = timeout(CONNECT_TIMEOUT, TcpStream::connect(&addresses[..])).await
        else {
            return no_answer("timeout");
        };
        let Ok(tcp) = connected else {
            return no_answer("connection failed");
        };
        let parsed: hyper::Uri = match url.as_str().parse() {
            Ok(uri) => uri,
            Err(_) => return no_answer("invalid URL"),
        };
        let authority = parsed
            .authority()
            .map(|authority| authority.as_str().to_owned())
            .unwrap_or_default();
        let target = parsed
            .path_and_query()
            .map_or("/", |target| target.as_str())
            .to_owned();
        let mut builder = hyper::Request::post(target)
            .header(hyper::header::HOST, authority)
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(
                hyper::header::USER_AGENT,
                "video-interview-invitations-webhooks/1",
            );
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        let Ok(http) = builder.body(Full::new(Bytes::from(request.body.to_owned()))) else {
            return no_answer("invalid request");
        };
        if parsed.scheme_str() != Some("https") {
            // Plain http is allowed to loopback only, by configuration (`TargetRule`).
            return Self::exchange(tcp, http).await;
        }
        let name = match url.domain() {
            Some(domain) => ServerName::try_from(domain.to_owned()),
            None => ServerName::try_from(
                parsed
                    .host()
                    .unwrap_or_default()
                    .trim_matches(['[', ']'])
                    .to_owned(),
            ),
        };
        let Ok(name) = name else {
            return no_answer("invalid server name");
        };
        match timeout(CONNECT_TIMEOUT, self.tls.connect(name, tcp)).await {
            Ok(Ok(tls)) => Self::exchange(tls, http).await,
            Ok(Err(_)) => no_answer("TLS handshake failed"),
            Err(_) => no_answer("timeout"),
        }
    }
}

impl WebhookEndpoint for HttpsEndpoint {
    async fn post(&self, request: WebhookRequest<'_>) -> AttemptOutcome {
        timeout(ATTEMPT_TIMEOUT, self.attempt(request))
            .await
            .unwrap_or_else(|_| no_answer("timeout"))
    }
}
