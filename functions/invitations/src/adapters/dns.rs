//! The system's resolver (`ports::HostResolver`): `getaddrinfo`, through tokio, which on Lambda
//! asks the VPC's or the service's own DNS. Bounded by a short timeout, so that a slow name server
//! holds up one subscription, never a function.

use std::net::IpAddr;
use std::time::Duration;

use crate::ports::{HostResolver, ResolveError};

/// How long a resolution may take.
pub const RESOLVE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl HostResolver for SystemResolver {
    async fn resolve(&self, host: &str) -> Result<Vec<IpAddr>, ResolveError> {
        // getaddrinfo wants a port; any does, only the addresses are kept.
        let lookup = tokio::net::lookup_host((host, 443));
        let addresses = tokio::time::timeout(RESOLVE_TIMEOUT, lookup)
            .await
            .map_err(|_| ResolveError("no answer in time".to_owned()))?
            .map_err(|error| ResolveError(error.kind().to_string()))?;
        let mut found: Vec<IpAddr> = addresses.map(|address| address.ip()).collect();
        found.dedup();
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn localhost_resolves_to_loopback_and_a_bad_name_to_an_error() {
        let found = SystemResolver.resolve("localhost").await.unwrap();
        assert!(
            !found.is_empty() && found.iter().all(IpAddr::is_loopback),
            "{found:?}"
        );
        assert!(
            SystemResolver
                .resolve("no such host.invalid")
                .await
                .is_err()
        );
    }
}
