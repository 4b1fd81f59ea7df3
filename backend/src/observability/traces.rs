//! Logging setup, optional OpenTelemetry trace export over OTLP/HTTP with protobuf, and the
//! W3C trace context that carries a trace from a request into the jobs it enqueues.
//!
//! Export is off unless `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`
//! is set. Spans go to the collector in batches from a background thread of the SDK.

use crate::config::ConfigError;
use axum::http::HeaderMap;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{TraceContextExt, TracerProvider as _};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{BatchConfigBuilder, BatchSpanProcessor, SdkTracerProvider};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tracing::Level;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{EnvFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The service name when `OTEL_SERVICE_NAME` is unset.
pub const DEFAULT_SERVICE_NAME: &str = "ipsolis";

/// The export timeout when neither `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` nor
/// `OTEL_EXPORTER_OTLP_TIMEOUT` is set, as the OpenTelemetry specification defaults it.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The maximum size of a collector response that is read. A collector replies with a few bytes.
const RESPONSE_MAX_BYTES: usize = 1024 * 1024;

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Returns whether spans are exported, so request and job spans carry OpenTelemetry fields.
pub fn is_enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// The export settings: collector URL, service name, timeout and batch delay.
#[derive(Debug, Clone)]
pub struct TraceConfig {
    /// The full URL spans are posted to, such as `http://collector:4318/v1/traces`.
    pub endpoint: String,
    pub service_name: String,
    pub timeout: Duration,
    /// How long the batch processor waits before it sends what it has. `None` leaves it to the
    /// SDK, which reads `OTEL_BSP_SCHEDULE_DELAY` (default 5 seconds).
    pub batch_delay: Option<Duration>,
}

impl TraceConfig {
    /// Reads the standard OpenTelemetry variables from the process environment.
    pub fn from_env() -> Result<Option<TraceConfig>, ConfigError> {
        Self::from_lookup(crate::config::var)
    }

    /// Reads the standard OpenTelemetry variables through `lookup`. Returns `None` when no
    /// endpoint is set, when `OTEL_SDK_DISABLED` is `true`, or when `OTEL_TRACES_EXPORTER` names
    /// an exporter other than `otlp` (`none` turns export off).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<TraceConfig>, ConfigError> {
        if lookup("OTEL_SDK_DISABLED").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
            return Ok(None);
        }
        if lookup("OTEL_TRACES_EXPORTER").is_some_and(|v| v.trim() != "otlp") {
            return Ok(None);
        }
        let endpoint = if let Some(url) = lookup("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            check_url("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", &url)?;
            url
        } else if let Some(base) = lookup("OTEL_EXPORTER_OTLP_ENDPOINT") {
            check_url("OTEL_EXPORTER_OTLP_ENDPOINT", &base)?;
            // The specification appends the signal's path to the base endpoint.
            format!("{}/v1/traces", base.trim_end_matches('/'))
        } else {
            return Ok(None);
        };
        let timeout = match lookup("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT") {
            Some(value) => milliseconds("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", value)?,
            None => match lookup("OTEL_EXPORTER_OTLP_TIMEOUT") {
                Some(value) => milliseconds("OTEL_EXPORTER_OTLP_TIMEOUT", value)?,
                None => DEFAULT_TIMEOUT,
            },
        };
        Ok(Some(TraceConfig {
            endpoint,
            service_name: lookup("OTEL_SERVICE_NAME")
                .unwrap_or_else(|| DEFAULT_SERVICE_NAME.into()),
            timeout,
            batch_delay: None,
        }))
    }
}

fn check_url(name: &'static str, value: &str) -> Result<(), ConfigError> {
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => Ok(()),
        _ => Err(ConfigError::Invalid {
            name,
            value: value.into(),
            reason: "use the collector's OTLP/HTTP URL, such as http://collector:4318".into(),
        }),
    }
}

fn milliseconds(name: &'static str, value: String) -> Result<Duration, ConfigError> {
    match value.trim().parse::<u64>() {
        Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
        _ => Err(ConfigError::Invalid {
            name,
            value,
            reason: "use a whole number of milliseconds above 0, such as 10000".into(),
        }),
    }
}

/// The trace pipeline of this process; [`Telemetry::shutdown`] sends the spans still buffered.
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

/// Returns the log filter from `RUST_LOG`, or the default: `info`, with sqlx at `warn`.
pub fn log_filter_from_env() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into())
}

/// Installs the global `tracing` subscriber: logs to stdout (JSON when `json`) filtered by
/// `log_filter`, plus span export when `traces` is set. Export takes this server's spans and
/// events at `info` and above whatever the log filter sets, so quieter logs keep full traces.
/// Must run inside a Tokio runtime when `traces` is set, because the exporter sends its
/// requests on that runtime.
pub fn init(
    json: bool,
    log_filter: EnvFilter,
    traces: Option<TraceConfig>,
) -> anyhow::Result<Telemetry> {
    let logs = if json {
        tracing_subscriber::fmt::layer().json().boxed()
    } else {
        tracing_subscriber::fmt::layer().boxed()
    };
    let provider = traces.as_ref().map(build_provider).transpose()?;
    let export = provider.as_ref().map(|provider| {
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer(DEFAULT_SERVICE_NAME))
            .with_filter(Targets::new().with_target("ipsolis", Level::INFO))
    });
    tracing_subscriber::registry()
        .with(logs.with_filter(log_filter))
        .with(export)
        .try_init()?;

    if let Some(config) = &traces {
        ENABLED.store(true, Ordering::Relaxed);
        tracing::info!(endpoint = %config.endpoint, service = %config.service_name, "exporting traces over OTLP/HTTP");
    }
    Ok(Telemetry { provider })
}

fn build_provider(config: &TraceConfig) -> anyhow::Result<SdkTracerProvider> {
    let client = ExportClient {
        http: reqwest::Client::builder().timeout(config.timeout).build()?,
        runtime: tokio::runtime::Handle::try_current()?,
    };
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(client)
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(config.endpoint.clone())
        .with_timeout(config.timeout)
        .build()?;
    let mut batch = BatchConfigBuilder::default();
    if let Some(delay) = config.batch_delay {
        batch = batch.with_scheduled_delay(delay);
    }
    let processor = BatchSpanProcessor::builder(exporter)
        .with_batch_config(batch.build())
        .build();
    let resource = Resource::builder()
        .with_service_name(config.service_name.clone())
        .build();
    Ok(SdkTracerProvider::builder()
        .with_span_processor(processor)
        .with_resource(resource)
        .build())
}

impl Telemetry {
    /// Sends the buffered spans now, waiting until the collector replied or the export timed out.
    pub async fn flush(&self) {
        let Some(provider) = self.provider.clone() else {
            return;
        };
        // The SDK blocks this thread until its export thread is done, and that thread needs
        // the runtime to send, so it waits on a blocking thread.
        match tokio::task::spawn_blocking(move || provider.force_flush()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "flushing the trace export failed"),
            Err(error) => tracing::warn!(%error, "flushing the trace export failed"),
        }
    }

    /// Sends the buffered spans and stops the export. Call it after the server stopped.
    pub async fn shutdown(self) {
        let Some(provider) = self.provider else {
            return;
        };
        match tokio::task::spawn_blocking(move || provider.shutdown()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "stopping the trace export failed"),
            Err(error) => tracing::warn!(%error, "stopping the trace export failed"),
        }
    }
}

/// Sends the exporter's requests with our reqwest client. The SDK exports from its own thread
/// without a Tokio runtime, and reqwest needs one, so each request runs as a task on the
/// server's runtime and the export thread waits for it.
#[derive(Debug, Clone)]
struct ExportClient {
    http: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

#[async_trait::async_trait]
impl opentelemetry_http::HttpClient for ExportClient {
    async fn send_bytes(
        &self,
        request: opentelemetry_http::Request<bytes::Bytes>,
    ) -> Result<opentelemetry_http::Response<bytes::Bytes>, opentelemetry_http::HttpError> {
        let http = self.http.clone();
        let request = reqwest::Request::try_from(request)?;
        let task = self.runtime.spawn(async move {
            let mut response = http.execute(request).await?;
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await? {
                if body.len() + chunk.len() > RESPONSE_MAX_BYTES {
                    return Err("the collector's response is larger than 1 MiB".into());
                }
                body.extend_from_slice(&chunk);
            }
            let mut answer = axum::http::Response::builder().status(response.status());
            if let Some(headers) = answer.headers_mut() {
                *headers = response.headers().clone();
            }
            Ok::<_, opentelemetry_http::HttpError>(answer.body(bytes::Bytes::from(body))?)
        });
        task.await?
    }
}

/// Returns the W3C `traceparent` of the current span, or `None` when spans are not exported.
pub fn current_traceparent() -> Option<String> {
    if !is_enabled() {
        return None;
    }
    let context = tracing::Span::current().context();
    if !context.span().span_context().is_valid() {
        return None;
    }
    let mut carrier = HashMap::new();
    TraceContextPropagator::new().inject_context(&context, &mut carrier);
    carrier.remove("traceparent")
}

/// Makes `span` a child of the span that `traceparent` names. Call it before the span is
/// entered; an invalid value leaves the span a root.
pub fn continue_trace(span: &tracing::Span, traceparent: &str) {
    let carrier = HashMap::from([("traceparent".to_string(), traceparent.to_string())]);
    set_remote_parent(span, TraceContextPropagator::new().extract(&carrier));
}

/// Makes a request's span a child of the caller's span when the request carries a valid
/// `traceparent` header.
pub fn continue_request_trace(span: &tracing::Span, headers: &HeaderMap) {
    let extractor = opentelemetry_http::HeaderExtractor(headers);
    set_remote_parent(span, TraceContextPropagator::new().extract(&extractor));
}

fn set_remote_parent(span: &tracing::Span, parent: opentelemetry::Context) {
    if !parent.span().span_context().is_valid() {
        return;
    }
    if let Err(error) = span.set_parent(parent) {
        tracing::debug!(%error, "cannot continue the caller's trace");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.get(name).cloned()
    }

    #[test]
    fn no_endpoint_means_no_export() {
        assert!(TraceConfig::from_lookup(lookup(&[])).unwrap().is_none());
    }

    #[test]
    fn base_endpoint_gets_the_traces_path() {
        let config = TraceConfig::from_lookup(lookup(&[(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "http://collector:4318/",
        )]))
        .unwrap()
        .unwrap();
        assert_eq!(config.endpoint, "http://collector:4318/v1/traces");
        assert_eq!(config.service_name, "ipsolis");
        assert_eq!(config.timeout, Duration::from_secs(10));
    }

    #[test]
    fn traces_endpoint_is_used_as_is() {
        let config = TraceConfig::from_lookup(lookup(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://ignored:4318"),
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "https://otel.example.com/in",
            ),
            ("OTEL_SERVICE_NAME", "ipsolis-eu"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(config.endpoint, "https://otel.example.com/in");
        assert_eq!(config.service_name, "ipsolis-eu");
        assert_eq!(config.timeout, Duration::from_millis(2500));
    }

    #[test]
    fn disabled_sdk_or_other_exporter_turns_export_off() {
        let endpoint = ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318");
        let disabled_vars = [endpoint, ("OTEL_SDK_DISABLED", "true")];
        let disabled = lookup(&disabled_vars);
        assert!(TraceConfig::from_lookup(disabled).unwrap().is_none());
        let none_vars = [endpoint, ("OTEL_TRACES_EXPORTER", "none")];
        let none = lookup(&none_vars);
        assert!(TraceConfig::from_lookup(none).unwrap().is_none());
    }

    #[test]
    fn invalid_endpoint_names_the_variable() {
        let error =
            TraceConfig::from_lookup(lookup(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")]))
                .unwrap_err();
        assert!(
            error.to_string().contains("OTEL_EXPORTER_OTLP_ENDPOINT"),
            "{error}"
        );
    }

    #[test]
    fn invalid_timeout_names_the_variable() {
        let error = TraceConfig::from_lookup(lookup(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "10s"),
        ]))
        .unwrap_err();
        assert!(
            error.to_string().contains("OTEL_EXPORTER_OTLP_TIMEOUT"),
            "{error}"
        );
    }
}
