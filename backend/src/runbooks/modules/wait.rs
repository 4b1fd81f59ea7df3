//! Waiting until a condition is met: a URL returns the expected status, and optionally a text
//! in its body. The step's timeout bounds the wait.

use super::{StepError, StepInput, StepOutput, http_client, read_body, status_matches};
use serde_json::json;
use std::time::{Duration, Instant};

pub async fn until(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let url = input.text("url")?;
    let parsed = url::Url::parse(&url)
        .map_err(|e| StepError::fail(format!("the URL {url} is not valid: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(StepError::fail(
            "the URL must start with http:// or https://",
        ));
    }
    let expect = input
        .optional_text("expect_status")?
        .unwrap_or_else(|| "2xx".into());
    status_matches(&expect, 200)?;
    let contains = input.optional_text("contains")?;
    let interval = Duration::from_secs(input.number("interval_seconds", 10)?.clamp(1, 3600));
    let started = Instant::now();
    loop {
        let answer = http_client()
            .get(parsed.clone())
            .timeout(
                interval
                    .min(Duration::from_secs(30))
                    .max(Duration::from_secs(5)),
            )
            .send()
            .await;
        let last = match answer {
            Ok(response) => {
                let status = response.status().as_u16();
                let (body, _) = read_body(response, 64 * 1024).await.unwrap_or_default();
                let body_holds = contains.as_deref().is_none_or(|text| body.contains(text));
                if status_matches(&expect, status)? && body_holds {
                    let waited = started.elapsed().as_secs();
                    input
                        .journal
                        .info(format!("{url} returned {status} after {waited} s"));
                    return Ok(StepOutput::new(
                        json!({ "status": status, "waited_seconds": waited }),
                        json!({ "status": status }),
                    ));
                }
                if body_holds {
                    format!("returned {status}")
                } else {
                    format!("returned {status} without the expected text")
                }
            }
            Err(error) => format!("failed: {}", error.without_url()),
        };
        if started.elapsed() + interval >= input.timeout {
            return Err(StepError::fail(format!(
                "{url} did not respond as expected within {} s (last: {last})",
                input.timeout.as_secs()
            )));
        }
        input.journal.info(format!("{url} {last}; trying again"));
        tokio::time::sleep(interval).await;
    }
}
