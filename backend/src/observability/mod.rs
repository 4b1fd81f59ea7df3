//! Metrics in the Prometheus text format at `/metrics`, and optional OpenTelemetry trace export
//! over OTLP/HTTP.

pub mod gauges;
pub mod http;
pub mod metrics;
pub mod process;
pub mod traces;
