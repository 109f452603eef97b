//! A trivial axum server: the baseline that `bench/api-services.sh` measures beside Pacta's
//! `GET /api/v1/services`, so that the API's throughput can be quoted as a ratio of what axum and
//! tokio do on the same machine in the same run (the figure that holds on a noisy machine).
//!
//! `cargo run --release -p pacta-web --example trivial -- [ADDR]` (default `127.0.0.1:8090`);
//! `GET /` answers `Hello, world!`. Same runtime as `pacta serve` (tokio's multi-threaded
//! scheduler), no middleware, no state.

use axum::routing::get;
use axum::Router;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8090".to_owned());
    let app = Router::new().route("/", get(|| async { "Hello, world!" }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("trivial: listening on {}", listener.local_addr()?);
    axum::serve(listener, app).await
}
