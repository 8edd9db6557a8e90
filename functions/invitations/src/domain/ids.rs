//! Ids of video interviews, invitations, invitation batches and webhook subscriptions: ULIDs,
//! which sort by creation time.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! ulid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(ulid::Ulid);

        impl $name {
            /// New ids sort by creation time, which gives "newest first" listings for free.
            pub fn generate(now: Timestamp) -> Self {
                Self(monotonic_ulid(now))
            }
            pub fn to_bytes(self) -> [u8; 16] {
                self.0.to_bytes()
            }
            pub fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(ulid::Ulid::from_bytes(bytes))
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(raw: &str) -> Result<Self, String> {
                raw.parse::<ulid::Ulid>()
                    .map(Self)
                    .map_err(|_| format!("must be a {} id", stringify!($name).trim_end_matches("Id")))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer)?
                    .parse()
                    .map_err(serde::de::Error::custom)
            }
        }
    };
}

ulid_id!(
    /// Identifies a video interview within its organization.
    VideoInterviewId
);
ulid_id!(
    /// Identifies an invitation within its organization.
    InvitationId
);
ulid_id!(
    /// Identifies an invitation batch (`POST /invitation-batches`) within its organization.
    InvitationBatchId
);
ulid_id!(
    /// Identifies a webhook subscription within its organization.
    WebhookSubscriptionId
);
ulid_id!(
    /// Identifies one webhook's delivery to one subscription (`domain::webhook_delivery`).
    WebhookDeliveryId
);

/// A ULID for this instant that sorts after every other one this process made in the same
/// millisecond, so that ids made in quick succession still list in the order they were made.
fn monotonic_ulid(now: Timestamp) -> ulid::Ulid {
    static GENERATOR: std::sync::Mutex<ulid::Generator> =
        std::sync::Mutex::new(ulid::Generator::new());
    let at = std::time::SystemTime::try_from(now).unwrap_or_else(|_| std::time::SystemTime::now());
    let mut generator = GENERATOR
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // Overflow needs 2^80 ids in one millisecond; a fresh random one is the fallback.
    generator
        .generate_from_datetime(at)
        .unwrap_or_else(|_| ulid::Ulid::from_datetime(at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_values::at;

    #[test]
    fn ids_made_in_the_same_millisecond_keep_their_order() {
        let now = at("2026-01-01T00:00:00Z");
        let ids: Vec<_> = (0..100).map(|_| InvitationId::generate(now)).collect();
        assert!(ids.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn ids_sort_by_creation_time_and_parse_back() {
        let first = InvitationId::generate(at("2026-01-01T00:00:00Z"));
        let second = InvitationId::generate(at("2026-01-01T00:00:01Z"));
        assert!(first < second);
        assert_eq!(first.to_string().parse::<InvitationId>(), Ok(first));
        assert!(
            "not-an-id"
                .parse::<InvitationId>()
                .unwrap_err()
                .contains("Invitation id")
        );
    }
}
