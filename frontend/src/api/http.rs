//! JSON requests to the same-origin API over `fetch`. The browser sends the session cookie
//! with every same-origin request, so no call here handles cookies.

use gloo_net::http::{Method, Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::Problem;

use super::ApiError;

const CSRF_HEADER: &str = "X-CSRF-Token";

/// Sends a GET request and decodes the JSON response.
pub async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    let request = Request::get(url).header("Accept", "application/json");
    let response = request.send().await.map_err(ApiError::network)?;
    read_response(response).await
}

/// Sends a POST, PUT or DELETE request with an optional JSON body and decodes the JSON response.
/// `csrf_token` goes into the `X-CSRF-Token` header, which cookie-authenticated writes need.
/// Use `T = ()` for a `204 No Content` response.
pub async fn send_json<B, T>(
    method: Method,
    url: &str,
    body: Option<&B>,
    csrf_token: Option<&str>,
) -> Result<T, ApiError>
where
    B: Serialize + ?Sized,
    T: DeserializeOwned,
{
    let mut builder = RequestBuilder::new(url)
        .method(method)
        .header("Accept", "application/json");
    if let Some(token) = csrf_token {
        builder = builder.header(CSRF_HEADER, token);
    }

    let request = match body {
        Some(body) => builder.json(body).map_err(ApiError::network)?,
        None => builder.build().map_err(ApiError::network)?,
    };
    let response = request.send().await.map_err(ApiError::network)?;
    read_response(response).await
}

/// Sends a POST or PUT request whose body is `text` with the given content type, and decodes
/// the JSON response. `csrf_token` goes into the `X-CSRF-Token` header as in [`send_json`].
pub async fn send_text<T: DeserializeOwned>(
    method: Method,
    url: &str,
    content_type: &str,
    text: &str,
    csrf_token: Option<&str>,
) -> Result<T, ApiError> {
    let mut builder = RequestBuilder::new(url)
        .method(method)
        .header("Accept", "application/json")
        .header("Content-Type", content_type);
    if let Some(token) = csrf_token {
        builder = builder.header(CSRF_HEADER, token);
    }
    let request = builder.body(text).map_err(ApiError::network)?;
    let response = request.send().await.map_err(ApiError::network)?;
    read_response(response).await
}

/// Sends a PUT request whose body is the bytes of `file` as they are, and decodes the JSON
/// response. `csrf_token` goes into the `X-CSRF-Token` header as in [`send_json`].
pub async fn put_file<T: DeserializeOwned>(
    url: &str,
    file: &web_sys::File,
    csrf_token: Option<&str>,
) -> Result<T, ApiError> {
    let mut builder = Request::put(url)
        .header("Accept", "application/json")
        .header("Content-Type", "application/octet-stream");
    if let Some(token) = csrf_token {
        builder = builder.header(CSRF_HEADER, token);
    }
    let body: &wasm_bindgen::JsValue = file.as_ref();
    let request = builder.body(body.clone()).map_err(ApiError::network)?;
    let response = request.send().await.map_err(ApiError::network)?;
    read_response(response).await
}

/// Decodes a 2xx response as `T`, and any other response as an [`ApiError`].
async fn read_response<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    let retry_after_seconds = response
        .headers()
        .get("Retry-After")
        .and_then(|value| value.trim().parse::<u64>().ok());
    let body = response.text().await.map_err(ApiError::network)?;

    if !response.ok() {
        return Err(error_from_response(status, &body, retry_after_seconds));
    }

    // An empty body (204) decodes as JSON `null`, which is what `()` expects.
    let json = if body.trim().is_empty() {
        "null"
    } else {
        &body
    };
    serde_json::from_str(json).map_err(|cause| ApiError::unreadable_body(status, cause))
}

fn error_from_response(status: u16, body: &str, retry_after_seconds: Option<u64>) -> ApiError {
    let mut error = match serde_json::from_str::<Problem>(body) {
        Ok(problem) => ApiError {
            status,
            problem,
            retry_after_seconds: None,
        },
        Err(_) => ApiError::unexpected_response(status, body),
    };
    error.retry_after_seconds = retry_after_seconds;
    error
}
