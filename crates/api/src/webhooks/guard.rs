//! The guard against server-side request forgery: a delivery connects only
//! to public unicast addresses, checked on the very addresses the
//! connection will use (after DNS, so a name that resolves to 127.0.0.1 or
//! to a cloud metadata address is refused, and no second lookup can swap
//! the address in between). Hosts an operator lists are let through, for
//! tests and intranets.

use std::io;
use std::sync::Arc;

use longform_domain::webhook::is_public;
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// Hosts (names or IP addresses) that deliveries may reach even when they
/// are not public.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList(Arc<Vec<String>>);

impl AllowList {
    pub fn new(hosts: &[String]) -> Self {
        Self(Arc::new(hosts.iter().map(|h| normalise(h)).collect()))
    }

    pub fn allows(&self, host: &str) -> bool {
        let host = normalise(host);
        self.0.contains(&host)
    }
}

fn normalise(host: &str) -> String {
    host.trim().trim_start_matches('[').trim_end_matches(']').trim_end_matches('.').to_ascii_lowercase()
}

/// The marker of a refused target in the error an attempt reports.
pub const REFUSED: &str = "refused: the target is not a public address";

#[derive(Debug)]
pub struct GuardedResolver {
    inner: DefaultResolver,
    allow: AllowList,
}

impl GuardedResolver {
    pub fn new(allow: AllowList) -> Self {
        Self { inner: DefaultResolver::default(), allow }
    }
}

impl Resolver for GuardedResolver {
    fn resolve(&self, uri: &Uri, config: &Config, timeout: NextTimeout) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addresses = self.inner.resolve(uri, config, timeout)?;
        let host = uri.host().unwrap_or_default();
        if self.allow.allows(host) {
            return Ok(addresses);
        }
        // One private address among public ones is enough to refuse: the
        // connection may try any of them.
        if let Some(blocked) = addresses.iter().find(|a| !is_public(a.ip())) {
            let reason = format!("{REFUSED} ({host} resolves to {})", blocked.ip());
            return Err(ureq::Error::Io(io::Error::new(io::ErrorKind::PermissionDenied, reason)));
        }
        Ok(addresses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(allow: &[&str], url: &str) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let allow: Vec<String> = allow.iter().map(|s| (*s).to_owned()).collect();
        let resolver = GuardedResolver::new(AllowList::new(&allow));
        let config = Config::default();
        let timeout = NextTimeout {
            after: ureq::unversioned::transport::time::Duration::NotHappening,
            reason: ureq::Timeout::Resolve,
            per_read: None,
            per_write: None,
        };
        resolver.resolve(&url.parse().unwrap(), &config, timeout)
    }

    #[test]
    fn loopback_and_private_targets_are_refused_unless_listed() {
        for url in [
            "http://127.0.0.1:9/",
            "http://localhost:9/",
            "http://[::1]:9/",
            "http://[::ffff:127.0.0.1]:9/",
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data/",
        ] {
            let Err(ureq::Error::Io(e)) = resolve(&[], url) else { panic!("{url} must be refused") };
            assert_eq!(e.kind(), io::ErrorKind::PermissionDenied, "{url}");
            assert!(e.to_string().starts_with(REFUSED), "{e}");
        }
        assert!(resolve(&["127.0.0.1"], "http://127.0.0.1:9/").is_ok());
        assert!(resolve(&["LOCALHOST"], "http://localhost:9/").is_ok());
        assert!(resolve(&["::1"], "http://[::1]:9/").is_ok());
        assert!(resolve(&["localhost"], "http://127.0.0.1:9/").is_err(), "a listed name does not list its address");
    }
}
