//! A small fault-injecting HTTP proxy for the tests: a client built with its endpoint talks to the
//! local stand-in through it, and the test decides, at any moment, whether requests pass, fail with
//! an AWS error, answer too slowly, or find the connection closed.
//!
//! It understands just enough HTTP/1.1 for the AWS SDK: a request head and a `Content-Length` body;
//! each request is forwarded on a fresh connection with `Connection: close` and the answer relayed.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_config::SdkConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::Error;

/// What the proxy does with the next requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Forward to the stand-in.
    Pass,
    /// Answer this status, with this `x-amzn-ErrorType` / `__type` and no forwarding.
    Fail {
        status: u16,
        error_type: &'static str,
    },
    /// Forward, but only after this delay (the request reaches AWS late: an ambiguous failure to
    /// the client when it gives up first, though nothing happened).
    Slow(Duration),
    /// Close the connection without an answer, forwarding nothing.
    Drop,
    /// Forward at once, and relay the answer only after this delay: the request took effect, the
    /// client may have given up on its answer.
    LateAnswer(Duration),
    /// Forward at once, then close the connection without relaying the answer: the request took
    /// effect, the client only sees the connection drop.
    DropAnswer,
    /// `fault` for the requests of one operation (their `X-Amz-Target` ends with `.operation`,
    /// such as `BatchWriteItem`), `Pass` for every other.
    On {
        operation: &'static str,
        fault: Box<Fault>,
    },
}

impl Fault {
    /// DynamoDB's throttling answer (retried by the SDK, then an error).
    pub const THROTTLED: Fault = Fault::Fail {
        status: 400,
        error_type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    };
    /// A service's internal failure.
    pub const INTERNAL: Fault = Fault::Fail {
        status: 500,
        error_type: "InternalFailure",
    };
}

#[derive(Clone)]
pub struct FaultProxy {
    pub endpoint: String,
    fault: Arc<Mutex<Fault>>,
    requests: Arc<Mutex<usize>>,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl FaultProxy {
    /// A proxy on a free loopback port in front of the stand-in.
    pub async fn start() -> Result<Self, Error> {
        let upstream = crate::local_endpoint()
            .trim_start_matches("http://")
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let proxy = Self {
            endpoint,
            fault: Arc::new(Mutex::new(Fault::Pass)),
            requests: Arc::new(Mutex::new(0)),
            bodies: Arc::new(Mutex::new(Vec::new())),
        };
        let shared = proxy.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (proxy, upstream) = (shared.clone(), upstream.clone());
                tokio::spawn(async move {
                    // A connection that fails ends; the SDK sees that as the fault it is.
                    let _ = proxy.serve(client, &upstream).await;
                });
            }
        });
        Ok(proxy)
    }

    pub fn set(&self, fault: Fault) {
        *self.fault.lock().unwrap_or_else(PoisonError::into_inner) = fault;
    }

    /// Requests that reached the proxy so far.
    pub fn requests(&self) -> usize {
        *self.requests.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The bodies of the requests that reached the proxy so far, in order.
    pub fn bodies(&self) -> Vec<String> {
        self.bodies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A loopback endpoint where nothing listens.
    pub async fn closed_endpoint() -> Result<String, Error> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        drop(listener);
        Ok(format!("http://{address}"))
    }

    /// Clients that reach AWS through this proxy.
    pub async fn clients(&self) -> ClientsAt {
        ClientsAt::new(&self.endpoint).await
    }

    async fn serve(&self, mut client: TcpStream, upstream: &str) -> Result<(), Error> {
        loop {
            let Some(request) = read_request(&mut client).await? else {
                return Ok(());
            };
            *self.requests.lock().unwrap_or_else(PoisonError::into_inner) += 1;
            let head_end = find(&request, b"\r\n\r\n").map_or(0, |end| end + 4);
            self.bodies
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(String::from_utf8_lossy(&request[head_end..]).into_owned());
            let mut fault = self
                .fault
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            // The fault for this request: an operation's own, or none.
            let head = String::from_utf8_lossy(&request[..head_end]).to_ascii_lowercase();
            while let Fault::On {
                operation,
                fault: only,
            } = fault
            {
                let suffix = format!(".{}", operation.to_ascii_lowercase());
                let named = head.lines().any(|line| {
                    line.starts_with("x-amz-target:") && line.trim_end().ends_with(&suffix)
                });
                fault = if named { *only } else { Fault::Pass };
            }
            match fault {
                Fault::Pass => {
                    client
                        .write_all(&forward(&request, upstream).await?)
                        .await?
                }
                Fault::Slow(delay) => {
                    tokio::time::sleep(delay).await;
                    client
                        .write_all(&forward(&request, upstream).await?)
                        .await?;
                }
                Fault::Fail { status, error_type } => {
                    let body = format!(
                        "{{\"__type\":\"{error_type}\",\"message\":\"injected by the test's fault proxy\"}}"
                    );
                    let answer = format!(
                        "HTTP/1.1 {status} Injected\r\ncontent-type: application/x-amz-json-1.0\r\n\
                         x-amzn-errortype: {error_type}\r\nx-amzn-requestid: fault\r\n\
                         content-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    client.write_all(answer.as_bytes()).await?;
                }
                Fault::Drop => return Ok(()),
                Fault::LateAnswer(delay) => {
                    let answer = forward(&request, upstream).await?;
                    tokio::time::sleep(delay).await;
                    client.write_all(&answer).await?;
                }
                Fault::DropAnswer => {
                    forward(&request, upstream).await?;
                    return Ok(());
                }
                Fault::On { .. } => unreachable!("resolved to this request's fault above"),
            }
        }
    }
}

/// One request (head and body), or `None` when the client closed the connection.
pub(crate) async fn read_request(client: &mut TcpStream) -> Result<Option<Vec<u8>>, Error> {
    let mut request = Vec::new();
    let mut buffer = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = find(&request, b"\r\n\r\n") {
            break end + 4;
        }
        let read = client.read(&mut buffer).await?;
        if read == 0 {
            return Ok(None);
        }
        request.extend_from_slice(&buffer[..read]);
    };
    let head = String::from_utf8_lossy(&request[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .map(|value| value.trim().parse())
        .transpose()?
        .unwrap_or(0);
    while request.len() < head_end + length {
        let read = client.read(&mut buffer).await?;
        if read == 0 {
            return Err("the client closed mid-request".into());
        }
        request.extend_from_slice(&buffer[..read]);
    }
    Ok(Some(request))
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Sends one request to the stand-in on a connection of its own and returns the whole answer.
async fn forward(request: &[u8], upstream: &str) -> Result<Vec<u8>, Error> {
    let head_end = find(request, b"\r\n\r\n").ok_or("no request head")? + 4;
    let head = String::from_utf8_lossy(&request[..head_end]);
    let mut rewritten: String = head
        .trim_end()
        .lines()
        .filter(|line| !line.to_ascii_lowercase().starts_with("connection:"))
        .map(|line| format!("{line}\r\n"))
        .collect();
    rewritten.push_str("connection: close\r\n\r\n");
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(rewritten.as_bytes()).await?;
    server.write_all(&request[head_end..]).await?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).await?;
    Ok(answer)
}

/// Clients with the functions' own configuration (timeouts, retries) whose endpoint is `endpoint`.
/// Set on the client, not on the shared configuration: `AWS_ENDPOINT_URL` would win there.
pub struct ClientsAt {
    sdk: SdkConfig,
    endpoint: String,
}

impl ClientsAt {
    pub async fn new(endpoint: impl Into<String>) -> Self {
        Self {
            sdk: invitations::adapters::aws::load_sdk_config().await,
            endpoint: endpoint.into(),
        }
    }

    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        client_with!(aws_sdk_dynamodb, &self.sdk, |builder| builder
            .endpoint_url(&self.endpoint))
    }

    pub fn sesv2(&self) -> aws_sdk_sesv2::Client {
        client_with!(aws_sdk_sesv2, &self.sdk, |builder| builder
            .endpoint_url(&self.endpoint))
    }

    pub fn eventbridge(&self) -> aws_sdk_eventbridge::Client {
        client_with!(aws_sdk_eventbridge, &self.sdk, |builder| builder
            .endpoint_url(&self.endpoint))
    }
}
