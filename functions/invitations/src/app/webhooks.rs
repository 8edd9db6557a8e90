//! Webhooks, the use cases' shared part so far: where a webhook to a subscription's URL may be
//! sent now (`target_addresses`), checked when subscribing and again before each attempt, which
//! then connects to an address checked here and never resolves the name again (a DNS answer that
//! changed in between, DNS rebinding, cannot steer it inside).

use std::net::IpAddr;

use crate::domain::webhooks::{TargetRule, WebhookUrl};
use crate::ports::HostResolver;

/// Why a webhook may not go to a URL now. Its words name no address: an integrator reads them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetRefused {
    /// The name has no address (it does not exist), or the resolver failed.
    #[error("its host name does not resolve")]
    Unresolved,
    /// An address of the host is one the service does not call (`TargetRule`).
    #[error("its host resolves to a private, loopback, link-local or reserved address")]
    Forbidden,
}

/// The addresses a webhook to `url` may be sent to now: those its host resolves to (or the one
/// it names), each permitted by `rule`. One forbidden address refuses them all: a name that
/// resolves to a public and a private address could be made to reach the private one.
pub async fn target_addresses(
    url: &WebhookUrl,
    resolver: &impl HostResolver,
    rule: TargetRule,
) -> Result<Vec<IpAddr>, TargetRefused> {
    let addresses = match (url.address(), url.domain()) {
        (Some(address), _) => vec![address],
        (None, Some(name)) => resolver
            .resolve(name)
            .await
            .map_err(|_| TargetRefused::Unresolved)?,
        (None, None) => return Err(TargetRefused::Unresolved),
    };
    if addresses.is_empty() {
        return Err(TargetRefused::Unresolved);
    }
    if addresses.iter().all(|address| rule.permits(*address)) {
        Ok(addresses)
    } else {
        Err(TargetRefused::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::adapters::memory::StaticResolver;

    fn url(text: &str, rule: TargetRule) -> WebhookUrl {
        WebhookUrl::parse(text, rule).unwrap()
    }

    #[tokio::test]
    async fn every_address_of_the_host_must_be_public() {
        let rule = TargetRule::default();
        let resolver = StaticResolver::new([
            (
                "ats.example",
                vec!["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
            ),
            ("split.example", vec!["93.184.215.14", "10.0.0.7"]),
            ("inside.example", vec!["169.254.169.254"]),
            ("empty.example", vec![]),
        ]);
        let target = |text: &str| {
            let url = url(text, rule);
            let resolver = &resolver;
            async move { target_addresses(&url, resolver, rule).await }
        };
        assert_eq!(target("https://ats.example/hooks").await.unwrap().len(), 2);
        assert_eq!(
            target("https://split.example/").await,
            Err(TargetRefused::Forbidden)
        );
        assert_eq!(
            target("https://inside.example/").await,
            Err(TargetRefused::Forbidden)
        );
        for unknown in ["https://empty.example/", "https://nowhere.example/"] {
            assert_eq!(target(unknown).await, Err(TargetRefused::Unresolved));
        }
        assert_eq!(
            target("https://93.184.215.14/hooks").await.unwrap(),
            ["93.184.215.14".parse::<IpAddr>().unwrap()]
        );
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_only_where_the_rule_allows_it() {
        let resolver = StaticResolver::new([("receiver.test", vec!["127.0.0.1"])]);
        let refused = TargetRule::default();
        let allowed = TargetRule {
            allow_loopback: true,
        };
        let address = url("https://receiver.test/hooks", refused);
        assert_eq!(
            target_addresses(&address, &resolver, refused).await,
            Err(TargetRefused::Forbidden)
        );
        assert!(target_addresses(&address, &resolver, allowed).await.is_ok());
    }
}
