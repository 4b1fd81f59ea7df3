//! A fake HTTP target for runbook steps on 127.0.0.1: it records every request, responds 200
//! with a small JSON body, can fail the next requests with a status, and can hold requests
//! open (a hanging target) until released.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

#[derive(Debug, Clone)]
pub struct Hit {
    pub method: String,
    pub path: String,
    pub headers: HeaderMap,
    pub body: String,
}

#[derive(Default)]
struct Inner {
    hits: Vec<Hit>,
    /// Path prefix, requests left to fail, status.
    failures: Vec<(String, usize, u16)>,
    /// Requests whose path starts with this are held open.
    hang: Option<String>,
}

#[derive(Clone)]
pub struct Target {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
    release: watch::Sender<bool>,
}

impl Target {
    pub async fn start() -> Target {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let (release, _) = watch::channel(false);
        let shared = (inner.clone(), release.clone());
        let app = Router::new().fallback(answer).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Target {
            url,
            inner,
            release,
        }
    }

    /// Makes the next `count` requests whose path starts with `prefix` fail with `status`.
    pub fn fail_next(&self, prefix: &str, count: usize, status: u16) {
        let mut inner = self.inner.lock().unwrap();
        inner.failures.push((prefix.to_string(), count, status));
    }

    /// Holds every request open until [`Target::release`].
    pub fn hang(&self) {
        self.hang_on("/");
    }

    /// Holds requests whose path starts with `prefix` open until [`Target::release`].
    pub fn hang_on(&self, prefix: &str) {
        self.inner.lock().unwrap().hang = Some(prefix.to_string());
        let _ = self.release.send(false);
    }

    pub fn release(&self) {
        self.inner.lock().unwrap().hang = None;
        let _ = self.release.send(true);
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.inner.lock().unwrap().hits.clone()
    }

    /// Requests whose path starts with `prefix`.
    pub fn hits_on(&self, prefix: &str) -> Vec<Hit> {
        self.hits()
            .into_iter()
            .filter(|h| h.path.starts_with(prefix))
            .collect()
    }
}

type Shared = (Arc<Mutex<Inner>>, watch::Sender<bool>);

async fn answer(State((inner, release)): State<Shared>, request: Request) -> Response {
    let method = request.method().to_string();
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let headers = request.headers().clone();
    let body = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap_or_else(|_| Bytes::new());
    let (failure, hang) = {
        let mut inner = inner.lock().unwrap();
        inner.hits.push(Hit {
            method,
            path: path.clone(),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        let failure = inner
            .failures
            .iter_mut()
            .find(|(prefix, left, _)| *left > 0 && path.starts_with(prefix.as_str()))
            .map(|(_, left, status)| {
                *left -= 1;
                *status
            });
        let hang = inner
            .hang
            .as_deref()
            .is_some_and(|prefix| path.starts_with(prefix));
        (failure, hang)
    };
    if hang {
        let mut released = release.subscribe();
        let _ = released.wait_for(|r| *r).await;
    }
    match failure {
        Some(status) => (
            StatusCode::from_u16(status).unwrap(),
            "the target is failing on purpose",
        )
            .into_response(),
        None => (
            StatusCode::OK,
            [("content-type", "application/json")],
            format!("{{\"ok\": true, \"path\": {path:?}}}"),
        )
            .into_response(),
    }
}
