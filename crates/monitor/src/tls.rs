//! The `tls` probe: a handshake that verifies the certificate (chain, name, validity at Pacta's
//! "now"), and a `degraded` verdict when it expires within the monitor's warning days.

use rustls::pki_types::ServerName;
use tokio_rustls::TlsConnector;

use crate::http::tls_error;
use crate::probe::Prober;
use crate::verdict::{millis, Failure, Verdict};

pub(crate) async fn check(prober: &Prober, host: &str, port: u16, warning_days: i64) -> Verdict {
    let started = crate::monotonic::now();
    let name = match ServerName::try_from(host.to_owned()) {
        Ok(name) => name,
        Err(e) => return Verdict::failed(Failure::Tls, format!("`{host}`: {e}")),
    };
    let stream = match crate::tcp::connect(prober, host, port).await {
        Ok(stream) => stream,
        Err(verdict) => return verdict,
    };
    let connector = TlsConnector::from(prober.trust.verifying.clone());
    let tls = match connector.connect(name, stream).await {
        Ok(tls) => tls,
        Err(e) => {
            return match tls_error(&e) {
                Some(tls) => Verdict::failed(Failure::Tls, tls.to_string()),
                None => Verdict::failed(
                    Failure::Connect,
                    format!("the connection broke during the TLS handshake: {e}"),
                ),
            }
        }
    };
    let latency = Some(millis(started.elapsed()));
    let Some(leaf) = tls.get_ref().1.peer_certificates().and_then(|c| c.first()) else {
        return Verdict::failed(Failure::Tls, "no certificate");
    };
    let not_after = match x509_parser::parse_x509_certificate(leaf) {
        Ok((_, cert)) => cert.validity().not_after.timestamp(),
        Err(e) => return Verdict::failed(Failure::Tls, format!("the certificate: {e}")),
    };
    let now = prober.clock.now().as_second();
    let left = not_after - now;
    if left < warning_days.saturating_mul(86_400) {
        let until = jiff::Timestamp::from_second(not_after)
            .map(|t| t.to_string())
            .unwrap_or_else(|_| not_after.to_string());
        return Verdict::degraded(
            format!(
                "the certificate of {host} expires at {until}, in {} days",
                left / 86_400
            ),
            latency,
        );
    }
    Verdict::ok(latency)
}
