//! The clock is a port, so that deadline rules can be tested at 23:59:59 and at midnight.

use jiff::Timestamp;

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

pub struct SystemClock;

impl Clock for SystemClock {
    /// Millisecond precision: what ids carry and what API callers need; nanoseconds would only
    /// make every stored and returned instant longer.
    fn now(&self) -> Timestamp {
        Timestamp::from_millisecond(Timestamp::now().as_millisecond())
            .expect("the current time is a valid timestamp")
    }
}

/// A clock that always says the same instant (tests and sample runs).
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}
