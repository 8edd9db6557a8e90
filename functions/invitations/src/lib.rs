//! The invitations service's shared library, in layers (see docs/architecture.md):
//!
//! - `domain`: pure recruiting values and records, the invitation's lifecycle table, the
//!   completion event. No AWS SDK, no HTTP, no clock.
//! - `ports`: narrow traits, one per concern (video interviews, invitations, notification claims,
//!   idempotency records, mailer, event bus, clock), with errors free of SDK and HTTP types.
//! - `app`: the use cases over the ports, shared by the functions (send, resend, cancel, open,
//!   complete, notify).
//! - `email`: one module per email, with its wording and templates.
//! - `adapters`: DynamoDB, SES v2 and EventBridge behind the ports, and in-memory ones for tests.
//! - `http`: what the API functions share over HTTP: claims, bodies, problems, `Idempotency-Key`.
//! - `config`: each function's configuration, read once at cold start.
//! - `logging`: the functions' log subscriber, which keeps other crates' logs at INFO at most.
//!
//! Dependencies point inwards: `domain` depends on nothing of ours; `ports` on `domain`; `app` and
//! `email` on both; `adapters` and `http` on those; each function's `main.rs` wires them.

pub mod adapters;
pub mod app;
pub mod config;
pub mod domain;
pub mod email;
pub mod http;
pub mod logging;
pub mod metrics;
pub mod ports;
