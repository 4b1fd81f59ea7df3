//! A plain HTTP request, for systems without a module of their own.

use super::{StepError, StepInput, StepOutput, http_client, read_body, status_matches};
use reqwest::Method;
use serde_json::{Value, json};

/// The most of a response body the journal keeps.
const BODY_KEPT: usize = 64 * 1024;

pub async fn request(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let method = input.text("method")?.to_uppercase();
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| StepError::fail(format!("{method:?} is not an HTTP method")))?;
    let url = input.text("url")?;
    let parsed = url::Url::parse(&url)
        .map_err(|e| StepError::fail(format!("the URL {url:?} is not valid: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(StepError::fail(
            "the URL must start with http:// or https://",
        ));
    }
    let expect = input
        .optional_text("expect_status")?
        .unwrap_or_else(|| "2xx".into());
    // A wrong expectation fails before anything is sent.
    status_matches(&expect, 200)?;
    let mut request = http_client()
        .request(method.clone(), parsed)
        .timeout(input.timeout);
    for (name, value) in input.object("headers")? {
        let value = match value {
            Value::String(text) => text,
            other => other.to_string(),
        };
        request = request.header(name.as_str(), value);
    }
    if let Some(body) = input.optional_text("body")? {
        request = request.body(body);
    }
    input.journal.info(format!("{method} {url}"));
    let response = request.send().await.map_err(|e| {
        StepError::retry(format!("the request to {url} failed: {}", e.without_url()))
    })?;
    let status = response.status().as_u16();
    let (body, cut) = read_body(response, BODY_KEPT).await.map_err(|e| {
        StepError::retry(format!("reading the response failed: {}", e.without_url()))
    })?;
    if cut {
        input.journal.warn(format!(
            "the response was cut to its first {BODY_KEPT} bytes"
        ));
    }
    input.journal.info(format!("returned {status}"));
    if !status_matches(&expect, status)? {
        let message = format!("{url} returned {status}, expected {expect}");
        return Err(if status >= 500 || status == 429 {
            StepError::retry(message)
        } else {
            StepError::fail(message)
        });
    }
    let parsed_json = serde_json::from_str::<Value>(&body).unwrap_or(Value::Null);
    Ok(StepOutput::new(
        json!({ "status": status, "body": body, "json": parsed_json }),
        json!({ "status": status }),
    ))
}
