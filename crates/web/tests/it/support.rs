//! Building an app over a fresh database with the small test catalogue, and calling it.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use pacta_core::catalogue::document::parse_yaml;
use pacta_core::catalogue::import::plan;
use pacta_core::catalogue::read::{read_catalogue, Known};
use pacta_core::catalogue::Catalogue;
use pacta_web::AppState;
use serde_json::Value;
use tower::ServiceExt;

pub const TOKEN: &str = "test-admin-token";

pub struct TestApp {
    pub state: AppState,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    /// Asserts the error shape and returns its code.
    pub fn error_code(&self) -> String {
        let v = self.json();
        assert!(v["error"]["message"].is_string(), "error shape: {v}");
        assert!(v["error"]["fields"].is_object(), "error shape: {v}");
        v["error"]["code"].as_str().unwrap().to_owned()
    }
}

pub fn small_catalogue() -> Catalogue {
    let src = include_str!("../../../../testdata/small-catalogue.yaml");
    read_catalogue(&parse_yaml(src).unwrap(), &Known::default()).unwrap()
}

impl TestApp {
    /// An app with the small catalogue loaded and the admin token configured.
    pub async fn new() -> TestApp {
        TestApp::with_token(Some(TOKEN)).await
    }

    pub async fn with_token(token: Option<&str>) -> TestApp {
        let db = pacta_store::testing::fresh_sqlite().await;
        db.apply_import(
            &plan(&Catalogue::default(), &small_catalogue(), false),
            "test",
        )
        .await
        .unwrap();
        let state = AppState::new(db, token.map(str::to_owned)).await.unwrap();
        TestApp { state }
    }

    pub async fn empty() -> TestApp {
        let db = pacta_store::testing::fresh_sqlite().await;
        TestApp {
            state: AppState::new(db, Some(TOKEN.to_owned())).await.unwrap(),
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = pacta_web::app(self.state.clone())
            .oneshot(request)
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> Reply {
        let mut req = Request::get(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// A JSON write with the admin token and optional extra headers.
    pub async fn write(
        &self,
        method: &str,
        uri: &str,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::from(body.to_string())).unwrap())
            .await
    }
}
