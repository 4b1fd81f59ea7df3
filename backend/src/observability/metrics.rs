//! The metric families this server exports and the process-wide Prometheus recorder.
//!
//! The `metrics` crate records into one global recorder per process. Counters and histograms
//! are updated where things happen (requests, job attempts); gauges are set at scrape time by
//! [`super::gauges`]. Every family is listed in [`FAMILIES`], which the scrape output and the
//! Grafana and alert files in `docs/grafana/` are checked against.

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use metrics_util::MetricKindMask;
use std::sync::OnceLock;
use std::time::Duration;

pub const HTTP_REQUESTS: &str = "ipsolis_http_requests_total";
pub const HTTP_DURATION: &str = "ipsolis_http_request_duration_seconds";
pub const JOB_ATTEMPTS: &str = "ipsolis_job_attempts_total";
pub const JOB_FAILURES: &str = "ipsolis_job_failures_total";
pub const ORDERS: &str = "ipsolis_orders";
pub const APPROVALS_PENDING: &str = "ipsolis_approvals_pending";
pub const APPROVALS_OLDEST_AGE: &str = "ipsolis_approvals_oldest_pending_age_seconds";
pub const POOL_FREE: &str = "ipsolis_pool_free";
pub const POOL_USED: &str = "ipsolis_pool_used";
pub const JOBS_QUEUED: &str = "ipsolis_jobs_queued";
pub const JOBS_SCHEDULED: &str = "ipsolis_jobs_scheduled";
pub const JOBS_RUNNING: &str = "ipsolis_jobs_running";
pub const JOBS_DEAD: &str = "ipsolis_jobs_dead";
pub const JOBS_OLDEST_DUE_AGE: &str = "ipsolis_jobs_oldest_due_age_seconds";
pub const SIEM_PENDING: &str = "ipsolis_siem_pending_events";
pub const SIEM_OLDEST_AGE: &str = "ipsolis_siem_oldest_pending_age_seconds";
pub const REFRESH_FAILURES: &str = "ipsolis_metrics_refresh_failures_total";
pub const SCHEDULER_LEADER: &str = "ipsolis_scheduler_leader";
pub const BUILD_INFO: &str = "ipsolis_build_info";
pub const PROCESS_RESIDENT_MEMORY: &str = "process_resident_memory_bytes";
pub const PROCESS_START_TIME: &str = "process_start_time_seconds";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// One metric family: its name, type and the help text of its `# HELP` line.
#[derive(Debug)]
pub struct Family {
    pub name: &'static str,
    pub kind: Kind,
    pub help: &'static str,
}

const fn family(name: &'static str, kind: Kind, help: &'static str) -> Family {
    Family { name, kind, help }
}

/// Every metric family the server exports.
pub const FAMILIES: &[Family] = &[
    family(
        HTTP_REQUESTS,
        Kind::Counter,
        "HTTP requests by method, route template and status code.",
    ),
    family(
        HTTP_DURATION,
        Kind::Histogram,
        "Time from receiving an HTTP request to sending its response headers.",
    ),
    family(
        JOB_ATTEMPTS,
        Kind::Counter,
        "Job attempts this process ran, by job kind and queue.",
    ),
    family(
        JOB_FAILURES,
        Kind::Counter,
        "Job attempts this process ran that failed, by job kind and queue.",
    ),
    family(
        ORDERS,
        Kind::Gauge,
        "Orders in each state that is not final (completed, rejected and cancelled are left out).",
    ),
    family(
        APPROVALS_PENDING,
        Kind::Gauge,
        "Approvals waiting for a decision.",
    ),
    family(
        APPROVALS_OLDEST_AGE,
        Kind::Gauge,
        "Age of the oldest approval waiting for a decision; 0 when none waits.",
    ),
    family(
        POOL_FREE,
        Kind::Gauge,
        "Free slots of each active asset definition; absent for a quota without a limit.",
    ),
    family(
        POOL_USED,
        Kind::Gauge,
        "Used slots of each active asset definition.",
    ),
    family(
        JOBS_QUEUED,
        Kind::Gauge,
        "Jobs due to run that no worker has claimed yet, by queue.",
    ),
    family(
        JOBS_SCHEDULED,
        Kind::Gauge,
        "Jobs waiting for a later start or for their next retry, by queue.",
    ),
    family(
        JOBS_RUNNING,
        Kind::Gauge,
        "Jobs a worker is running, by queue.",
    ),
    family(
        JOBS_DEAD,
        Kind::Gauge,
        "Jobs that used up their attempts and wait for an admin, by queue.",
    ),
    family(
        JOBS_OLDEST_DUE_AGE,
        Kind::Gauge,
        "How long the longest-waiting due job of each queue has waited; 0 when none waits.",
    ),
    family(
        SIEM_PENDING,
        Kind::Gauge,
        "Audit events queued for the SIEM and not yet accepted by it.",
    ),
    family(
        SIEM_OLDEST_AGE,
        Kind::Gauge,
        "How long the oldest audit event queued for the SIEM has waited; 0 when none waits.",
    ),
    family(
        REFRESH_FAILURES,
        Kind::Counter,
        "Scrapes whose database gauges could not be read, so the previous values were served.",
    ),
    family(
        SCHEDULER_LEADER,
        Kind::Gauge,
        "1 when this process holds the scheduler's leader lock, else 0. Only serve processes report it.",
    ),
    family(
        BUILD_INFO,
        Kind::Gauge,
        "Always 1; the version label names the running release.",
    ),
    family(
        PROCESS_RESIDENT_MEMORY,
        Kind::Gauge,
        "Resident memory of this process in bytes (Linux only).",
    ),
    family(
        PROCESS_START_TIME,
        Kind::Gauge,
        "Start time of this process in seconds since the Unix epoch.",
    ),
];

/// The label value for requests that matched no route. The raw path is never a label value,
/// because every distinct path would be a new time series.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Bucket bounds of the request latency histogram, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// A gauge that no scrape has set for this long is dropped, so a deleted asset definition stops
/// being reported. Scrapes set every current gauge first, so this only removes stale ones.
const GAUGE_IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// How often histogram samples are folded into their buckets between scrapes.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// Returns whether `series` is the name of an exported series, as it appears in the text
/// format. A histogram family appears as `<name>_bucket`, `<name>_sum` and `<name>_count`.
pub fn is_exported(series: &str) -> bool {
    FAMILIES.iter().any(|family| match family.kind {
        Kind::Histogram => ["_bucket", "_sum", "_count"]
            .iter()
            .any(|suffix| series.strip_suffix(suffix) == Some(family.name)),
        Kind::Counter | Kind::Gauge => series == family.name,
    })
}

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the Prometheus recorder on first use and returns its handle. Returns `None` when
/// another recorder was installed first; `/metrics` then serves an empty document.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE.get_or_init(install).as_ref()
}

fn install() -> Option<PrometheusHandle> {
    super::process::mark_start();
    let builder = PrometheusBuilder::new()
        .idle_timeout(MetricKindMask::GAUGE, Some(GAUGE_IDLE_TIMEOUT))
        .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), &LATENCY_BUCKETS);
    let handle = match builder.and_then(PrometheusBuilder::install_recorder) {
        Ok(handle) => handle,
        Err(error) => {
            tracing::warn!(%error, "cannot install the metrics recorder; /metrics stays empty");
            return None;
        }
    };
    describe();
    metrics::gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);

    // Histogram samples pile up between scrapes until upkeep or a render folds them in. A plain
    // thread keeps doing it whichever Tokio runtime first asked for the handle.
    let upkeep = handle.clone();
    let spawned = std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_INTERVAL);
                upkeep.run_upkeep();
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "cannot start the metrics upkeep thread; scrapes still fold samples in");
    }
    Some(handle)
}

fn describe() {
    for family in FAMILIES {
        match family.kind {
            Kind::Counter => metrics::describe_counter!(family.name, family.help),
            Kind::Gauge => metrics::describe_gauge!(family.name, family.help),
            Kind::Histogram => metrics::describe_histogram!(family.name, family.help),
        }
    }
}

/// Counts a job attempt, and a failure when it failed. `kind` and `queue` come from the job
/// row; values this server does not know are counted as `unknown`, to bound the label values.
pub fn record_job_attempt(kind: &str, queue: &str, failed: bool) {
    let kind = crate::jobs::handlers::KINDS
        .iter()
        .find(|known| **known == kind)
        .copied()
        .unwrap_or("unknown");
    let queue = crate::jobs::Queue::parse(queue).map_or("unknown", |q| q.as_str());
    metrics::counter!(JOB_ATTEMPTS, "kind" => kind, "queue" => queue).increment(1);
    if failed {
        metrics::counter!(JOB_FAILURES, "kind" => kind, "queue" => queue).increment(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_series_are_exported() {
        assert!(is_exported("ipsolis_http_request_duration_seconds_bucket"));
        assert!(is_exported("ipsolis_http_request_duration_seconds_count"));
        assert!(!is_exported("ipsolis_http_request_duration_seconds"));
    }

    #[test]
    fn unknown_names_are_not_exported() {
        assert!(is_exported("ipsolis_orders"));
        assert!(!is_exported("ipsolis_orders_total"));
        assert!(!is_exported("ipsolis_jobs_queued_bucket"));
    }

    #[test]
    fn family_names_are_unique_and_valid() {
        let mut names: Vec<&str> = FAMILIES.iter().map(|f| f.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FAMILIES.len(), "duplicate family names");
        for name in names {
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{name} is not a Prometheus metric name in snake case"
            );
        }
    }
}
