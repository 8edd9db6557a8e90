//! The event bus port: where the service announces what happened.

use std::future::Future;

use crate::domain::events::{CandidateDataErased, VideoInterviewCompleted};

#[derive(Debug, thiserror::Error)]
#[error("the event bus did not accept the event ({0})")]
pub struct PublishError(pub String);

/// Publishes the service's events. Consumers deduplicate (the notifier is idempotent), so an event
/// published twice is harmless and a failed publish may simply be repeated.
pub trait EventBus: Send + Sync {
    fn publish(
        &self,
        event: &VideoInterviewCompleted,
    ) -> impl Future<Output = Result<(), PublishError>> + Send;

    /// Publishes an erasure: consumers delete what they keep of the invitations it names, which
    /// is idempotent, so a repeated erasure may publish it again.
    fn publish_erasure(
        &self,
        event: &CandidateDataErased,
    ) -> impl Future<Output = Result<(), PublishError>> + Send;
}
