//! The `dns` probe: a query of one record type, against the monitor's resolver or the
//! system's, and the values the answer must hold.

use std::net::SocketAddr;

use pacta_core::monitor::RecordType;

use crate::probe::{record_type, Prober};
use crate::resolve::{describe, timed_out};
use crate::verdict::{millis, Failure, Verdict};

#[derive(Debug, Clone)]
pub(crate) struct DnsTarget {
    pub name: String,
    pub record_type: RecordType,
    /// Normalised (see [`normalize`]).
    pub expected: Vec<String>,
    pub resolver: Option<SocketAddr>,
}

/// A value as compared: lower case, without the root's trailing dot on any name in it.
pub(crate) fn normalize(value: &str) -> String {
    value
        .split_whitespace()
        .map(|part| part.strip_suffix('.').unwrap_or(part).to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether an answer's value is the expected one: the whole value (`10 mail.example.com`), or
/// its last field (`mail.example.com` of that MX record).
fn holds(value: &str, expected: &str) -> bool {
    value == expected || value.rsplit(' ').next() == Some(expected)
}

pub(crate) async fn check(prober: &Prober, t: &DnsTarget) -> Verdict {
    let started = crate::monotonic::now();
    let resolver = match t.resolver {
        Some(addr) => match prober.resolvers.at(addr) {
            Ok(r) => r,
            Err(e) => return Verdict::failed(Failure::Dns, e.0),
        },
        None => prober.resolvers.system_resolver().clone(),
    };
    let wanted = record_type(t.record_type);
    let found = match resolver.lookup(t.name.as_str(), wanted).await {
        Ok(found) => found,
        Err(e) if timed_out(&e) => {
            return Verdict::failed(Failure::Timeout, "the resolver did not answer in time")
        }
        Err(e) => return Verdict::failed(Failure::Dns, describe(&t.name, &e)),
    };
    let latency = Some(millis(started.elapsed()));
    let values: Vec<String> = found
        .answers()
        .iter()
        .filter(|r| r.record_type() == wanted)
        .map(|r| normalize(&r.data.to_string()))
        .collect();
    if values.is_empty() {
        return Verdict::failed(
            Failure::Dns,
            format!("{} has no {} record", t.name, t.record_type.code()),
        )
        .timed(latency);
    }
    let missing: Vec<&str> = t
        .expected
        .iter()
        .filter(|e| !values.iter().any(|v| holds(v, e)))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Verdict::failed(
            Failure::Dns,
            format!(
                "the {} answer for {} lacks {} (it holds {})",
                t.record_type.code(),
                t.name,
                missing.join(", "),
                values.join(", ")
            ),
        )
        .timed(latency);
    }
    Verdict::ok(latency)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_compare_without_case_or_the_root_dot() {
        assert_eq!(normalize("10 Mail.Example.COM."), "10 mail.example.com");
        assert!(holds("10 mail.example.com", "mail.example.com"));
        assert!(holds("10 mail.example.com", "10 mail.example.com"));
        assert!(!holds("10 mail.example.com", "example.com"));
        assert!(holds("192.0.2.1", "192.0.2.1"));
    }
}
