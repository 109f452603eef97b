//! Outgoing webhooks (issue 13: on-call pages an SMS gateway can take): a JSON body POSTed over
//! rustls with the probes' trust (Mozilla's roots, certificates judged against Pacta's clock),
//! signed by the caller.

use std::time::Duration;

use pacta_core::clock::Clock;

use crate::trust::Trust;

/// Sends webhooks.
#[derive(Clone)]
pub struct Webhooks {
    client: reqwest::Client,
}

impl Webhooks {
    pub fn new(clock: Clock) -> Result<Webhooks, String> {
        let trust = Trust::new(clock, &[]).map_err(|e| e.to_string())?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured((*trust.verifying).clone())
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Pacta/", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Webhooks { client })
    }

    /// POSTs `body` (JSON) to `url` with `headers`; the status, or why it could not be sent.
    pub async fn post(
        &self,
        url: &str,
        body: Vec<u8>,
        headers: &[(&str, String)],
    ) -> Result<u16, String> {
        let mut req = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        req.send()
            .await
            .map(|r| r.status().as_u16())
            .map_err(|e| e.to_string())
    }
}
