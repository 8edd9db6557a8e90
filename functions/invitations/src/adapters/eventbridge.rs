//! The event bus adapter: EventBridge `PutEvents`.

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;

use crate::domain::events::{
    CandidateDataErased, DETAIL_TYPE, ERASED_DETAIL_TYPE, SOURCE, VideoInterviewCompleted,
};
use crate::ports::{EventBus, PublishError};

pub struct EventBridgeBus {
    client: Client,
    bus_name: String,
}

impl EventBridgeBus {
    pub fn new(client: Client, bus_name: impl Into<String>) -> Self {
        Self {
            client,
            bus_name: bus_name.into(),
        }
    }
}

impl EventBridgeBus {
    /// One entry of this service's `SOURCE`, checking `PutEvents`' per-entry result.
    async fn put(
        &self,
        detail_type: &str,
        detail: String,
        time: jiff::Timestamp,
    ) -> Result<(), PublishError> {
        let entry = PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus_name)
            .source(SOURCE)
            .detail_type(detail_type)
            .detail(detail)
            .time(aws_sdk_eventbridge::primitives::DateTime::from_millis(
                time.as_millisecond(),
            ))
            .build();
        let output = self
            .client
            .put_events()
            .entries(entry)
            .send()
            .await
            .map_err(|error| {
                PublishError(
                    aws_sdk_eventbridge::error::ProvideErrorMetadata::code(&error)
                        .unwrap_or("unreachable or timed out")
                        .to_owned(),
                )
            })?;
        // PutEvents answers 200 even when an entry failed: the per-entry result is what counts.
        if output.failed_entry_count > 0 {
            let code = output
                .entries()
                .iter()
                .find_map(|entry| entry.error_code())
                .unwrap_or("unknown");
            return Err(PublishError(format!("entry failed: {code}")));
        }
        Ok(())
    }
}

impl EventBus for EventBridgeBus {
    async fn publish(&self, event: &VideoInterviewCompleted) -> Result<(), PublishError> {
        self.put(DETAIL_TYPE, event.detail(), event.completed_at)
            .await
    }

    async fn publish_erasure(&self, event: &CandidateDataErased) -> Result<(), PublishError> {
        self.put(ERASED_DETAIL_TYPE, event.detail(), event.erased_at)
            .await
    }
}
