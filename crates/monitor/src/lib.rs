//! Pacta's probes (issue 11): the four kinds of check a monitor makes — `http`, `tcp`, `tls`,
//! `dns` — each within the monitor's timeout and each to a clear [`Verdict`]: `ok`, `degraded`
//! (up, with a warning), or a failure with its reason (`timeout`, `connect`, `tls`, `status`,
//! `body`, `dns`, `latency`). A verdict becomes a result ([`Verdict::to_result`]) that the
//! availability rules of `core` take unchanged.
//!
//! One TLS stack (rustls on ring) and one HTTP client (reqwest, its default features off) for
//! the whole project. The prober's own trouble — a secret missing from its environment, a
//! resolver it cannot read — is a [`PrepareError`] or a [`ProberError`], never a failed check:
//! it must not become the service's downtime.

mod dns;
mod http;
mod monotonic;
pub mod probe;
pub mod resolve;
pub mod scheduler;
mod tcp;
mod tls;
pub mod trust;
pub mod verdict;
pub mod webhook;

pub use probe::{PrepareError, Prepared, Prober, ProberError, MAX_BODY};
/// A certificate (DER), as trusted roots are given.
pub use rustls::pki_types::CertificateDer;
pub use verdict::{Failure, Outcome, Verdict};
