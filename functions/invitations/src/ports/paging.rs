//! Pages of a listing, newest first.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Where a listing goes on from: after the item with this id. Opaque to callers (base64url), and
/// it only names an id: the partition it is applied to comes from the caller's claims, so a forged
/// cursor cannot reach another organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCursor(String);

impl PageCursor {
    /// The cursor after the item whose id (a ULID) is `id`.
    pub fn after(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id of the last item already listed.
    pub fn last_id(&self) -> &str {
        &self.0
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.0)
    }

    /// A cursor this API gave out, or a message for the `cursor` parameter.
    pub fn decode(raw: &str) -> Result<Self, String> {
        URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .filter(|id| id.parse::<ulid::Ulid>().is_ok())
            .map(Self)
            .ok_or_else(|| "is not a cursor returned by this API".to_owned())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    /// At most this many items (1 to 100, see the recruiter API's parameters).
    pub limit: usize,
    pub cursor: Option<PageCursor>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Present when there may be more items.
    pub next: Option<PageCursor>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_anything_else() {
        let cursor = PageCursor::after("01JDQ5B3V5Z9K3W8Y4T1M2N6PQ");
        assert_eq!(PageCursor::decode(&cursor.encode()), Ok(cursor));
        for forged in ["", "xyz", &URL_SAFE_NO_PAD.encode("ORG#other")] {
            assert!(PageCursor::decode(forged).is_err(), "{forged:?}");
        }
    }
}
