//! The `tcp` probe: a connection to `host:port`, and the connection the `tls` probe starts from.

use std::net::SocketAddr;

use tokio::net::TcpStream;

use crate::probe::Prober;
use crate::verdict::{millis, Failure, Verdict};

/// A connection to the first of `host`'s addresses that accepts one, or the verdict of why
/// there is none.
pub(crate) async fn connect(prober: &Prober, host: &str, port: u16) -> Result<TcpStream, Verdict> {
    let ips = prober
        .resolvers
        .lookup_ip(host)
        .await
        .map_err(|e| Verdict::failed(Failure::Dns, e.0))?;
    let mut refused = String::new();
    for ip in ips {
        let addr = SocketAddr::new(ip, port);
        match TcpStream::connect(addr).await {
            Ok(stream) => {
                // Probes are small exchanges: no waiting to fill a segment.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) => refused = format!("{addr}: {e}"),
        }
    }
    Err(Verdict::failed(Failure::Connect, refused))
}

pub(crate) async fn check(prober: &Prober, host: &str, port: u16) -> Verdict {
    let started = crate::monotonic::now();
    match connect(prober, host, port).await {
        Ok(_) => Verdict::ok(Some(millis(started.elapsed()))),
        Err(verdict) => verdict,
    }
}
