//! The candidate API's configuration (README, Configuration), read once at cold start.

use invitations::config::{Configuration, Variables};

/// The candidate API (`candidate-api`).
#[derive(Debug, Clone)]
pub struct CandidateApiConfig {
    pub table_name: String,
    /// The EventBridge bus the completion event goes to.
    pub event_bus_name: String,
}

impl Configuration for CandidateApiConfig {
    fn read(variables: &mut Variables<'_>) -> Option<Self> {
        let table_name = variables.text("TABLE_NAME");
        let event_bus_name = variables.text("EVENT_BUS_NAME");
        Some(Self {
            table_name: table_name?,
            event_bus_name: event_bus_name?,
        })
    }
}

#[cfg(test)]
mod tests {
    use invitations::config::lookup;

    use super::*;

    #[test]
    fn it_needs_only_its_own_variables() {
        let config = CandidateApiConfig::from_lookup(lookup(&[
            ("TABLE_NAME", "invitations"),
            ("EVENT_BUS_NAME", "recruiting"),
        ]))
        .unwrap();
        assert_eq!(config.event_bus_name, "recruiting");
        let error =
            CandidateApiConfig::from_lookup(lookup(&[("TABLE_NAME", "invitations")])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid configuration: EVENT_BUS_NAME is not set;"
        );
    }
}
