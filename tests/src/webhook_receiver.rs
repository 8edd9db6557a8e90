//! An integrator's webhook endpoint for the tests: plain HTTP on loopback (which the tests' target
//! rule allows, by configuration), recording every request and answering each with the next
//! status it was told to give (204 when told nothing).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::Error;

/// One request the endpoint received.
#[derive(Debug, Clone)]
pub struct ReceivedWebhook {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl ReceivedWebhook {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map_or("", |(_, value)| value.as_str())
    }

    /// The headers as the specification's reference implementation takes them.
    pub fn header_map(&self) -> hyper::HeaderMap {
        self.headers
            .iter()
            .filter_map(|(name, value)| {
                Some((
                    hyper::header::HeaderName::from_bytes(name.as_bytes()).ok()?,
                    hyper::header::HeaderValue::from_str(value).ok()?,
                ))
            })
            .collect()
    }
}

#[derive(Default)]
struct State {
    received: Vec<ReceivedWebhook>,
    answers: VecDeque<u16>,
}

pub struct WebhookReceiver {
    state: Arc<Mutex<State>>,
    /// `http://127.0.0.1:<port>`
    pub base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl WebhookReceiver {
    pub async fn start() -> Result<Self, Error> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(
                        move |request: hyper::Request<hyper::body::Incoming>| {
                            let state = Arc::clone(&state);
                            async move {
                                let (parts, body) = request.into_parts();
                                let body = body
                                    .collect()
                                    .await
                                    .map(|collected| collected.to_bytes().to_vec())
                                    .unwrap_or_default();
                                let mut state =
                                    state.lock().unwrap_or_else(PoisonError::into_inner);
                                state.received.push(ReceivedWebhook {
                                    path: parts.uri.path().to_owned(),
                                    headers: parts
                                        .headers
                                        .iter()
                                        .map(|(name, value)| {
                                            (
                                                name.as_str().to_owned(),
                                                value.to_str().unwrap_or_default().to_owned(),
                                            )
                                        })
                                        .collect(),
                                    body: String::from_utf8_lossy(&body).into_owned(),
                                });
                                let status = state.answers.pop_front().unwrap_or(204);
                                Ok::<_, Infallible>(
                                    hyper::Response::builder()
                                        .status(status)
                                        .body(Full::new(Bytes::new()))
                                        .expect("a valid response"),
                                )
                            }
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self {
            state,
            base_url,
            task,
        })
    }

    /// The next requests are answered with these statuses, in turn.
    pub fn answer_with(&self, statuses: &[u16]) {
        self.lock().answers.extend(statuses);
    }

    /// Every request received so far, in order.
    pub fn received(&self) -> Vec<ReceivedWebhook> {
        self.lock().received.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
