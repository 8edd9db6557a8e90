//! A minimal Lambda Runtime API, for the benchmark: it runs a function's real `bootstrap` as Lambda
//! does (the process polls `invocation/next`, answers on `invocation/{id}/response`), so that init
//! duration (process start to the first poll) and invocation latency are measured on the binary
//! that ships, not through cargo-lambda's emulator.

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, mpsc};

use crate::Error;
use crate::faults::{find, read_request};

/// What the function answered to one invocation.
#[derive(Debug)]
pub struct Answered {
    pub ok: bool,
    pub body: Vec<u8>,
    pub at: Instant,
}

struct Shared {
    events: Mutex<mpsc::UnboundedReceiver<(String, Vec<u8>)>>,
    answers: mpsc::UnboundedSender<Answered>,
    first_poll: std::sync::Mutex<Option<Instant>>,
}

/// One emulated Lambda execution environment, serving one function process.
pub struct RuntimeApi {
    pub address: String,
    shared: Arc<Shared>,
    events: mpsc::UnboundedSender<(String, Vec<u8>)>,
    answers: mpsc::UnboundedReceiver<Answered>,
    invocations: u64,
}

impl RuntimeApi {
    pub async fn start() -> Result<Self, Error> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?.to_string();
        let (events, event_queue) = mpsc::unbounded_channel();
        let (answer_sender, answers) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            events: Mutex::new(event_queue),
            answers: answer_sender,
            first_poll: std::sync::Mutex::new(None),
        });
        let serving = Arc::clone(&shared);
        tokio::spawn(async move {
            while let Ok((connection, _)) = listener.accept().await {
                // Without it, Nagle's algorithm and delayed ACKs add 40 ms to every invocation.
                let _ = connection.set_nodelay(true);
                let shared = Arc::clone(&serving);
                tokio::spawn(async move {
                    let _ = serve(connection, shared).await;
                });
            }
        });
        Ok(Self {
            address,
            shared,
            events,
            answers,
            invocations: 0,
        })
    }

    /// Starts `binary` as Lambda would, with `environment` on top of Lambda's own variables.
    pub fn spawn(&self, binary: &str, environment: &[(String, String)]) -> Result<Child, Error> {
        Ok(Command::new(binary)
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", &self.address)
            .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
            .env("AWS_LAMBDA_LOG_LEVEL", "WARN")
            .envs(environment.iter().map(|(name, value)| (name, value)))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?)
    }

    /// When the process first asked for work (Lambda's end of init), waiting up to `patience`.
    pub async fn first_poll(&self, patience: Duration) -> Result<Instant, Error> {
        let deadline = Instant::now() + patience;
        loop {
            if let Some(at) = *self.shared.first_poll.lock().map_err(|_| "poisoned")? {
                return Ok(at);
            }
            if Instant::now() > deadline {
                return Err("the function never asked for work".into());
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }

    /// Hands the function one event and waits for its answer.
    pub async fn invoke(&mut self, event: &[u8]) -> Result<Answered, Error> {
        self.invocations += 1;
        self.events
            .send((format!("bench-{}", self.invocations), event.to_vec()))
            .map_err(|_| "the Runtime API is gone")?;
        tokio::time::timeout(Duration::from_secs(30), self.answers.recv())
            .await?
            .ok_or_else(|| "the Runtime API is gone".into())
    }
}

async fn serve(mut connection: TcpStream, shared: Arc<Shared>) -> Result<(), Error> {
    while let Some(request) = read_request(&mut connection).await? {
        let head_end = find(&request, b"\r\n\r\n").ok_or("no head")? + 4;
        let head = String::from_utf8_lossy(&request[..head_end]).into_owned();
        let line = head.lines().next().unwrap_or_default().to_owned();
        if line.starts_with("GET /2018-06-01/runtime/invocation/next") {
            shared
                .first_poll
                .lock()
                .map_err(|_| "poisoned")?
                .get_or_insert_with(Instant::now);
            let Some((id, event)) = shared.events.lock().await.recv().await else {
                return Ok(());
            };
            let deadline = jiff::Timestamp::now().as_millisecond() + 30_000;
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                 lambda-runtime-aws-request-id: {id}\r\nlambda-runtime-deadline-ms: {deadline}\r\n\
                 lambda-runtime-invoked-function-arn: arn:aws:lambda:eu-west-1:123456789012:function:bench\r\n\
                 lambda-runtime-trace-id: Root=1-00000000-000000000000000000000000\r\n\
                 content-length: {}\r\n\r\n",
                event.len()
            );
            let mut answer = head.into_bytes();
            answer.extend_from_slice(&event);
            connection.write_all(&answer).await?;
        } else if line.starts_with("POST /2018-06-01/runtime/") {
            let ok = line.contains("/response ");
            let _ = shared.answers.send(Answered {
                ok,
                body: request[head_end..].to_vec(),
                at: Instant::now(),
            });
            connection
                .write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n")
                .await?;
        } else {
            connection
                .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
                .await?;
        }
    }
    Ok(())
}
