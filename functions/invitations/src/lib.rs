//! The invitations service's shared library: the domain (pure, no AWS), the adapters behind small
//! ports (DynamoDB store, SES mailer), the localized email templates and the HTTP plumbing that
//! every Lambda of the service shares (claims, JSON envelopes, `application/problem+json`).

pub mod aws;
pub mod clock;
pub mod completion;
pub mod config;
pub mod domain;
pub mod email;
pub mod http;
pub mod idempotency;
pub mod mailer;
pub mod problem;
pub mod requests;
pub mod store;
pub mod token;
pub mod validation;
