//! Name resolution (DNS), for the rule of where a webhook may go (`domain::webhooks::TargetRule`).

use std::future::Future;
use std::net::IpAddr;

/// Why a host name gave no address: it does not exist, or the resolver failed or timed out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the host could not be resolved: {0}")]
pub struct ResolveError(pub String);

/// Resolves host names to their addresses.
pub trait HostResolver: Send + Sync {
    /// Every address `host` has now (IPv4 and IPv6), in the resolver's order.
    fn resolve(&self, host: &str)
    -> impl Future<Output = Result<Vec<IpAddr>, ResolveError>> + Send;
}
