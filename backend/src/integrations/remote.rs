//! Parts shared by the clients of remote management APIs (XenServer, vSphere, ConfigMgr): a base
//! URL checked and stripped of credentials, sending with a timeout, and one error type that
//! tells whether another try can succeed.

use super::chat::{truncate, with_causes};
use reqwest::{RequestBuilder, Response};
use std::net::IpAddr;
use std::time::Duration;
use url::{Host, Url};

/// How long closing a session may take, so a slow logout cannot hold up a finished step.
pub const LOGOUT_TIMEOUT: Duration = Duration::from_secs(10);
/// Maximum characters of a response body quoted in an error.
const BODY_QUOTE_CHARS: usize = 300;

/// The base URL of a remote API and the name messages give it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    service: &'static str,
    /// Always ends with `/`, so relative paths extend it.
    base: Url,
}

impl Endpoint {
    /// Parses `raw` as the base URL of `service`. Userinfo is dropped, because credentials have
    /// parameters of their own and the URL appears in messages. Plain `http` is accepted only
    /// for a loopback host, because every request carries a password or a session token.
    pub fn parse(service: &'static str, raw: &str) -> Result<Endpoint, RemoteError> {
        let invalid = |reason: String| RemoteError::InvalidUrl { service, reason };
        let mut base = Url::parse(raw.trim())
            .map_err(|e| invalid(format!("it cannot be parsed as a URL ({e})")))?;
        let _ = base.set_username("");
        let _ = base.set_password(None);
        base.set_query(None);
        base.set_fragment(None);
        let loopback = match base.host() {
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
            Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            None => return Err(invalid(format!("{base} has no host"))),
        };
        match base.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => {
                return Err(invalid(format!(
                    "{base} uses plain http, which would send the password in clear text; \
                     use https://"
                )));
            }
            other => return Err(invalid(format!("the scheme {other} is not https"))),
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(Endpoint { service, base })
    }

    /// Names the target in messages, such as `vSphere at https://vcenter.example.com`.
    pub fn target(&self) -> String {
        format!(
            "{} at {}",
            self.service,
            self.base.as_str().trim_end_matches('/')
        )
    }

    /// Returns the URL of `segments` below the base, each percent-encoded as a path segment.
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Returns the URL of `segments` with the query `pairs`. Keys are written as given, since they are
    /// constants such as `$filter`. Values are percent-encoded with `%20` for a space, as
    /// RFC 3986 and the OData URL conventions write it, rather than the `+` of HTML forms.
    pub fn url_with_query(&self, segments: &[&str], pairs: &[(&str, &str)]) -> Url {
        let mut url = self.url(segments);
        let query: Vec<String> = pairs
            .iter()
            .map(|(key, value)| format!("{key}={}", encode_query_value(value)))
            .collect();
        if !query.is_empty() {
            url.set_query(Some(&query.join("&")));
        }
        url
    }

    /// Sends `request` with `timeout`, turning transport failures into errors that name the
    /// target. A response of any status is returned.
    pub async fn send(
        &self,
        request: RequestBuilder,
        timeout: Duration,
    ) -> Result<Response, RemoteError> {
        request
            .timeout(timeout)
            .send()
            .await
            .map_err(|error| self.transport_error(error, timeout))
    }

    /// Reads the body of `response` as text.
    pub async fn text(&self, response: Response, timeout: Duration) -> Result<String, RemoteError> {
        response
            .text()
            .await
            .map_err(|error| self.transport_error(error, timeout))
    }

    fn transport_error(&self, error: reqwest::Error, timeout: Duration) -> RemoteError {
        if error.is_timeout() {
            return RemoteError::TimedOut {
                target: self.target(),
                seconds: timeout.as_secs(),
            };
        }
        // The target already names the host, and the query would only repeat a name.
        RemoteError::Unreachable {
            target: self.target(),
            message: with_causes(&error.without_url()),
        }
    }

    /// Builds the error for an unexpected HTTP status, quoting the start of the body.
    pub fn status_error(&self, status: u16, body: &str) -> RemoteError {
        RemoteError::Status {
            target: self.target(),
            status,
            detail: quote(body),
        }
    }

    /// Builds the error for a response that is not what the API sends.
    pub fn malformed(&self, message: impl Into<String>) -> RemoteError {
        RemoteError::Malformed {
            target: self.target(),
            message: message.into(),
        }
    }

    /// Builds the error for rejected credentials.
    pub fn authentication(&self, username: &str, detail: impl Into<String>) -> RemoteError {
        RemoteError::Authentication {
            target: self.target(),
            username: username.to_string(),
            detail: detail.into(),
        }
    }

    /// Builds the error for a failure the API reported with its own code.
    pub fn api(&self, code: &str, detail: impl Into<String>, retryable: bool) -> RemoteError {
        RemoteError::Api {
            target: self.target(),
            code: code.to_string(),
            detail: detail.into(),
            retryable,
        }
    }
}

/// A logged-in session with a remote API, closed when a step is done with it.
pub trait RemoteSession {
    /// Logs out. Errors go to the journal only, and the step keeps its own result.
    fn close(self) -> impl Future<Output = Result<(), RemoteError>> + Send;
}

/// A failed call to a remote API. No variant contains a password or a session token.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("the {service} URL is not valid: {reason}")]
    InvalidUrl {
        service: &'static str,
        reason: String,
    },
    #[error("{target} could not be reached: {message}")]
    Unreachable { target: String, message: String },
    #[error("{target} did not answer within {seconds} s")]
    TimedOut { target: String, seconds: u64 },
    #[error(
        "{target} rejected the credentials of {username:?} ({detail}); check the username and \
         password parameters"
    )]
    Authentication {
        target: String,
        username: String,
        detail: String,
    },
    #[error("{target} answered HTTP {status}: {detail}")]
    Status {
        target: String,
        status: u16,
        detail: String,
    },
    #[error("{target} returned {code}: {detail}")]
    Api {
        target: String,
        code: String,
        detail: String,
        retryable: bool,
    },
    #[error(
        "{target} sent a response that is not what its API sends ({message}); check that the URL points at the API"
    )]
    Malformed { target: String, message: String },
}

impl RemoteError {
    /// Returns whether another try may succeed: the target was down, busy or throttling, or
    /// reported a passing condition. Wrong URLs, credentials and requests are not retried.
    pub fn is_retryable(&self) -> bool {
        match self {
            RemoteError::Unreachable { .. } | RemoteError::TimedOut { .. } => true,
            RemoteError::Status { status, .. } => *status >= 500 || *status == 429,
            RemoteError::Api { retryable, .. } => *retryable,
            RemoteError::InvalidUrl { .. }
            | RemoteError::Authentication { .. }
            | RemoteError::Malformed { .. } => false,
        }
    }

    /// Returns the API's own error code, such as `VM_BAD_POWER_STATE` or `NOT_FOUND`.
    pub fn code(&self) -> Option<&str> {
        match self {
            RemoteError::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}

fn encode_query_value(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Shortens a response body to one line for an error message.
fn quote(body: &str) -> String {
    let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if body.is_empty() {
        return "(empty response)".into();
    }
    truncate(&body, BODY_QUOTE_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_drops_credentials_and_query() {
        let endpoint = Endpoint::parse("vSphere", "https://admin:pw@vc.example.com/?x=1").unwrap();
        assert_eq!(endpoint.target(), "vSphere at https://vc.example.com");
        let url = endpoint.url(&["api", "session"]);
        assert_eq!(url.as_str(), "https://vc.example.com/api/session");
    }

    #[test]
    fn endpoint_keeps_a_base_path() {
        let endpoint = Endpoint::parse("SCCM", "https://sccm.example.com/AdminService").unwrap();
        let url = endpoint.url(&["wmi", "SMS_R_System(16777220)"]);
        assert_eq!(
            url.as_str(),
            "https://sccm.example.com/AdminService/wmi/SMS_R_System(16777220)"
        );
    }

    #[test]
    fn endpoint_encodes_segments() {
        let endpoint = Endpoint::parse("vSphere", "https://vc.example.com").unwrap();
        let url = endpoint.url(&["api", "vcenter", "vm", "vm-1/../x"]);
        assert_eq!(
            url.as_str(),
            "https://vc.example.com/api/vcenter/vm/vm-1%2F..%2Fx"
        );
    }

    #[test]
    fn query_values_are_percent_encoded() {
        let endpoint = Endpoint::parse("SCCM", "https://sccm.example.com/AdminService").unwrap();
        let url =
            endpoint.url_with_query(&["wmi", "SMS_R_System"], &[("$filter", "Name eq 'A&B+C'")]);
        assert_eq!(
            url.as_str(),
            "https://sccm.example.com/AdminService/wmi/SMS_R_System\
             ?$filter=Name%20eq%20%27A%26B%2BC%27"
        );
    }

    #[test]
    fn endpoint_requires_https_off_loopback() {
        let error = Endpoint::parse("XenServer", "http://xen.example.com").unwrap_err();
        assert!(error.to_string().contains("clear text"), "{error}");
        assert!(Endpoint::parse("XenServer", "http://127.0.0.1:8080").is_ok());
        assert!(Endpoint::parse("XenServer", "http://[::1]:8080").is_ok());
        assert!(Endpoint::parse("XenServer", "ftp://xen.example.com").is_err());
        assert!(Endpoint::parse("XenServer", "xen.example.com").is_err());
    }

    #[test]
    fn retryable_errors() {
        let endpoint = Endpoint::parse("vSphere", "https://vc.example.com").unwrap();
        assert!(endpoint.status_error(503, "").is_retryable());
        assert!(endpoint.status_error(429, "").is_retryable());
        assert!(!endpoint.status_error(404, "").is_retryable());
        assert!(!endpoint.authentication("u", "no").is_retryable());
        assert!(endpoint.api("RESOURCE_BUSY", "", true).is_retryable());
    }

    #[test]
    fn quote_shortens_bodies() {
        assert_eq!(quote(" a\n b "), "a b");
        assert_eq!(quote(""), "(empty response)");
        assert_eq!(quote(&"x".repeat(500)).chars().count(), BODY_QUOTE_CHARS);
    }
}
