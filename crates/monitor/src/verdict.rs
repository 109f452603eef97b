//! What one check found: `ok`, `degraded` (ok, with a warning), or a failure with its reason —
//! and how that is stored as a result (`pacta_core::monitor::CheckResult`).

use std::fmt;

use pacta_core::monitor::{CheckResult, MAX_DETAIL_CHARS};

/// Why a check failed: the reasons the monitoring issue names, one per way a target can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Failure {
    /// No answer within the monitor's timeout.
    Timeout,
    /// No connection, or the connection broke (refused, reset, closed before an answer).
    Connect,
    /// The TLS handshake or the certificate failed (expired, untrusted, wrong name).
    Tls,
    /// An answer, but not one of the expected statuses (or no HTTP answer at all).
    Status,
    /// The body lacks the expected text or does not match the expected pattern.
    Body,
    /// The name does not resolve, or the DNS answer lacks the expected records.
    Dns,
    /// An answer, but slower than the monitor's latency limit.
    Latency,
}

impl Failure {
    pub const ALL: [Failure; 7] = [
        Failure::Timeout,
        Failure::Connect,
        Failure::Tls,
        Failure::Status,
        Failure::Body,
        Failure::Dns,
        Failure::Latency,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Failure::Timeout => "timeout",
            Failure::Connect => "connect",
            Failure::Tls => "tls",
            Failure::Status => "status",
            Failure::Body => "body",
            Failure::Dns => "dns",
            Failure::Latency => "latency",
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Up, with a warning (a certificate close to its expiry).
    Degraded(String),
    Failed(Failure, String),
}

/// One check's verdict and the time it took (when there was an answer to time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub outcome: Outcome,
    pub latency_ms: Option<i32>,
}

impl Verdict {
    pub fn ok(latency_ms: Option<i32>) -> Verdict {
        Verdict {
            outcome: Outcome::Ok,
            latency_ms,
        }
    }

    pub fn degraded(why: impl Into<String>, latency_ms: Option<i32>) -> Verdict {
        Verdict {
            outcome: Outcome::Degraded(why.into()),
            latency_ms,
        }
    }

    pub fn failed(reason: Failure, why: impl Into<String>) -> Verdict {
        Verdict {
            outcome: Outcome::Failed(reason, why.into()),
            latency_ms: None,
        }
    }

    /// With the time the answer took.
    pub fn timed(mut self, latency_ms: Option<i32>) -> Verdict {
        self.latency_ms = latency_ms;
        self
    }

    /// The failure's reason, if it failed.
    pub fn failure(&self) -> Option<Failure> {
        match &self.outcome {
            Outcome::Failed(reason, _) => Some(*reason),
            _ => None,
        }
    }

    /// The result as stored for a check taken at unix second `at`: a degraded verdict is `ok`
    /// with its detail (`degraded: …`); a failure's detail starts with its reason (`status: …`).
    pub fn to_result(&self, at: i64) -> CheckResult {
        let (ok, detail) = match &self.outcome {
            Outcome::Ok => (true, None),
            Outcome::Degraded(why) => (true, Some(format!("degraded: {why}"))),
            Outcome::Failed(reason, why) => (false, Some(format!("{reason}: {why}"))),
        };
        CheckResult {
            at,
            ok,
            latency_ms: self.latency_ms,
            detail: detail.map(|d| storable(&d)),
        }
    }
}

/// A detail as a result may hold it: no control characters (a target's garbage may hold any),
/// at most `MAX_DETAIL_CHARS` characters.
pub fn storable(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() <= MAX_DETAIL_CHARS {
        clean
    } else {
        let mut cut: String = clean.chars().take(MAX_DETAIL_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}

/// Milliseconds for a result, saturating.
pub fn millis(d: std::time::Duration) -> i32 {
    i32::try_from(d.as_millis()).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_carries_the_reason_and_keeps_degraded_as_ok() {
        let r = Verdict::failed(Failure::Status, "503, expected 200").to_result(10);
        assert_eq!(
            (r.ok, r.detail.as_deref()),
            (false, Some("status: 503, expected 200"))
        );
        let r = Verdict::degraded("expires in 3 days", Some(12)).to_result(10);
        assert_eq!(
            (r.ok, r.detail.as_deref(), r.latency_ms),
            (true, Some("degraded: expires in 3 days"), Some(12))
        );
        assert_eq!(Verdict::ok(Some(5)).to_result(10).detail, None);
    }

    #[test]
    fn a_detail_is_made_storable() {
        assert_eq!(storable("a\u{0}b\nc"), "a b c");
        let long = "x".repeat(MAX_DETAIL_CHARS + 10);
        let cut = storable(&long);
        assert_eq!(cut.chars().count(), MAX_DETAIL_CHARS);
        assert!(cut.ends_with('…'));
        let r = Verdict::failed(Failure::Body, long).to_result(0);
        assert!(pacta_core::monitor::read_result(
            &serde_json::json!({"at": "2026-01-01T00:00:00Z", "ok": r.ok, "detail": r.detail}),
            ""
        )
        .is_ok());
    }
}
