//! The TLS client configurations of the probes: rustls on ring, Mozilla's roots plus any the
//! operator adds (a private CA of the services monitored), and certificates judged against
//! Pacta's clock — never the system time behind its back, so that a test clock decides what has
//! expired.

use std::fmt;
use std::sync::Arc;

use pacta_core::clock::Clock;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// Pacta's clock as rustls asks for the time.
struct ClockTime(Clock);

impl fmt::Debug for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("pacta clock")
    }
}

impl rustls::time_provider::TimeProvider for ClockTime {
    fn current_time(&self) -> Option<UnixTime> {
        let secs = self.0.now().as_second();
        u64::try_from(secs)
            .ok()
            .map(|s| UnixTime::since_unix_epoch(std::time::Duration::from_secs(s)))
    }
}

/// The two client configurations: one that verifies (chain, name, validity at "now") and one
/// for monitors with TLS verification off (a certificate is then taken as it is).
#[derive(Clone)]
pub struct Trust {
    pub verifying: Arc<ClientConfig>,
    pub accepting: Arc<ClientConfig>,
}

/// A configuration that cannot be built: an extra root that is not a certificate.
#[derive(Debug, thiserror::Error)]
#[error("a trusted root certificate cannot be used: {0}")]
pub struct TrustError(String);

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl Trust {
    /// Mozilla's roots and `extra_roots` (DER), checked against `clock`.
    pub fn new(clock: Clock, extra_roots: &[CertificateDer<'static>]) -> Result<Trust, TrustError> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for root in extra_roots {
            roots
                .add(root.clone())
                .map_err(|e| TrustError(e.to_string()))?;
        }
        let time = Arc::new(ClockTime(clock));
        let verifying = ClientConfig::builder_with_details(provider(), time.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| TrustError(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let accepting = ClientConfig::builder_with_details(provider(), time)
            .with_safe_default_protocol_versions()
            .map_err(|e| TrustError(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny(provider())))
            .with_no_client_auth();
        Ok(Trust {
            verifying: Arc::new(verifying),
            accepting: Arc::new(accepting),
        })
    }
}

/// Takes any certificate (a monitor with `verify_tls: false`), but still checks that the peer
/// holds the key it presents: the handshake itself stays sound.
#[derive(Debug)]
struct AcceptAny(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
