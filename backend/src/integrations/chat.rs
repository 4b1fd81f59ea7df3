//! Posting to chat channels through incoming webhooks: a message described once, with a title,
//! facts and link buttons, and laid out by each channel (an Adaptive Card for Microsoft Teams,
//! Block Kit for Slack).

use super::{slack, teams};
use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;
use serde_json::Value;
use std::sync::OnceLock;
use std::time::Duration;

/// How long one post may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest `Retry-After` that is obeyed; a longer one waits this long.
const RETRY_AFTER_MAX: Duration = Duration::from_secs(3600);
/// Maximum characters of a response body quoted in an error.
const BODY_QUOTE_CHARS: usize = 200;

/// A message to a channel, before a channel lays it out.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatMessage {
    pub title: String,
    /// One sentence saying what happened, for notifications and clients without cards.
    pub summary: String,
    pub facts: Vec<Fact>,
    pub buttons: Vec<Button>,
}

/// A labelled value, such as the requester.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub label: &'static str,
    pub value: String,
    /// Free text that may run long, such as a justification, which gets a line of its own.
    pub long: bool,
}

impl Fact {
    pub fn new(label: &'static str, value: impl Into<String>) -> Fact {
        Fact {
            label,
            value: value.into(),
            long: false,
        }
    }

    pub fn long(label: &'static str, value: impl Into<String>) -> Fact {
        Fact {
            long: true,
            ..Fact::new(label, value)
        }
    }
}

/// A button that opens a URL in the browser.
#[derive(Debug, Clone, PartialEq)]
pub struct Button {
    pub label: &'static str,
    pub url: String,
    pub style: ButtonStyle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonStyle {
    Default,
    /// The action most readers take, such as Approve.
    Primary,
    /// An action that ends something, such as Decline.
    Danger,
}

/// A kind of chat channel.
pub trait Channel: Clone + Send + Sync + 'static {
    /// The settings key.
    const KEY: &'static str;
    /// The service's name, for messages.
    const NAME: &'static str;
    /// The job kind that posts to it.
    const JOB_KIND: &'static str;
    /// Lays the message out as the webhook's JSON body.
    fn payload(message: &ChatMessage) -> Value;
}

/// Microsoft Teams, through a channel's incoming webhook (a Workflows webhook or the older
/// Office 365 connector), both of which take a message with an Adaptive Card attachment.
#[derive(Debug, Clone, Copy)]
pub struct Teams;

impl Channel for Teams {
    const KEY: &'static str = "teams";
    const NAME: &'static str = "Microsoft Teams";
    const JOB_KIND: &'static str = crate::jobs::handlers::CHAT_TEAMS;
    fn payload(message: &ChatMessage) -> Value {
        teams::message(message)
    }
}

/// Slack, through an app's incoming webhook.
#[derive(Debug, Clone, Copy)]
pub struct Slack;

impl Channel for Slack {
    const KEY: &'static str = "slack";
    const NAME: &'static str = "Slack";
    const JOB_KIND: &'static str = crate::jobs::handlers::CHAT_SLACK;
    fn payload(message: &ChatMessage) -> Value {
        slack::message(message)
    }
}

/// The settings keys and job kinds of every channel.
pub const CHANNELS: [(&str, &str); 2] =
    [(Teams::KEY, Teams::JOB_KIND), (Slack::KEY, Slack::JOB_KIND)];

/// A failed post. No variant contains the webhook URL, because the URL alone grants the right
/// to post.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error("{service} could not be reached: {message}")]
    Unreachable {
        service: &'static str,
        message: String,
    },
    #[error("{service} is throttling posts (HTTP 429){}", retry_after.map(|d| format!("; it asked to wait {} s", d.as_secs())).unwrap_or_default())]
    Throttled {
        service: &'static str,
        retry_after: Option<Duration>,
    },
    #[error("{service} failed with HTTP {status}: {body}")]
    ServerError {
        service: &'static str,
        status: u16,
        body: String,
    },
    #[error(
        "{service} rejected the message with HTTP {status}: {body}. Check the webhook URL in \
         the {service} settings; this message is not posted again"
    )]
    Rejected {
        service: &'static str,
        status: u16,
        body: String,
    },
}

impl ChatError {
    /// Returns whether another attempt cannot succeed.
    pub fn is_permanent(&self) -> bool {
        matches!(self, ChatError::Rejected { .. })
    }

    /// Returns how long the service asked to wait before the next attempt.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ChatError::Throttled { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Returns the client for webhooks and other posts to a URL an admin configured: a 10-second
/// limit, connecting included, and no redirects, because following one would send the message
/// (and any credential in it) to a host that no admin configured.
pub fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ipsolis/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client builds with static settings")
    })
}

/// Posts a message to the channel's webhook at `url`.
pub async fn post<C: Channel>(url: &str, message: &ChatMessage) -> Result<(), ChatError> {
    let response = client()
        .post(url)
        .json(&C::payload(message))
        .send()
        .await
        .map_err(|error| ChatError::Unreachable {
            service: C::NAME,
            // The URL is cut from the error, because the webhook URL is a secret; the causes
            // (timeout, refused connection, unknown host) name no URL.
            message: with_causes(&error.without_url()),
        })?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(parse_retry_after);
    let body = response.text().await.unwrap_or_default();
    let body = quote(&body, url);
    Err(match status {
        StatusCode::TOO_MANY_REQUESTS => ChatError::Throttled {
            service: C::NAME,
            retry_after,
        },
        status if status.is_server_error() => ChatError::ServerError {
            service: C::NAME,
            status: status.as_u16(),
            body,
        },
        status => ChatError::Rejected {
            service: C::NAME,
            status: status.as_u16(),
            body,
        },
    })
}

/// Shortens a response body for an error message, removing the webhook URL should the service
/// echo it.
fn quote(body: &str, url: &str) -> String {
    let body = body.replace(url, "(webhook URL)");
    // The secret of a webhook is its path and query: a body that still mentions any of it, in
    // any letter case or percent-encoded, is not quoted at all.
    let secret = url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(_, path)| path.to_lowercase())
        .unwrap_or_default();
    let lower = body.to_lowercase();
    let decoded = lower.replace("%2f", "/");
    let leaks = secret
        .split(['/', '?', '&', '='])
        .filter(|part| part.len() >= 4)
        .any(|part| lower.contains(part) || decoded.contains(part));
    if leaks {
        return "(response withheld: it repeats part of the webhook URL)".into();
    }
    let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if body.is_empty() {
        return "(empty response)".into();
    }
    let mut quoted: String = body.chars().take(BODY_QUOTE_CHARS).collect();
    if quoted.len() < body.len() {
        quoted.push('…');
    }
    quoted
}

/// Reads `Retry-After` as seconds or as an HTTP date (RFC 9110), capped at an hour.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
            let seconds = (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
            Duration::from_secs(u64::try_from(seconds).unwrap_or(0))
        }
    };
    Some(wait.min(RETRY_AFTER_MAX))
}

/// Describes an error with its chain of causes, such as `error sending request: connection
/// refused`.
pub fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let part = inner.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = inner.source();
    }
    text
}

/// Cuts `text` to at most `max` characters, ending with an ellipsis when it was longer.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("86400"), Some(RETRY_AFTER_MAX));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn quote_hides_the_url_and_shortens() {
        let url = "https://hooks.example.com/secret";
        assert_eq!(
            quote("no such hook: https://hooks.example.com/secret\n", url),
            "no such hook: (webhook URL)"
        );
        assert_eq!(
            quote("no hook at /SECRET", url),
            "(response withheld: it repeats part of the webhook URL)"
        );
        assert_eq!(quote("", url), "(empty response)");
        assert_eq!(
            quote(&"x".repeat(500), url).chars().count(),
            BODY_QUOTE_CHARS + 1
        );
    }

    #[test]
    fn causes_are_named() {
        let inner =
            std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let outer = std::io::Error::other(inner);
        assert_eq!(with_causes(&outer), "connection refused");
    }

    #[test]
    fn truncate_keeps_short_text() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }
}
