//! Process gauges in the names Prometheus client libraries use: resident memory from
//! `/proc/self/status` and the start time.

use super::metrics::{PROCESS_RESIDENT_MEMORY, PROCESS_START_TIME};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

static STARTED: OnceLock<SystemTime> = OnceLock::new();

/// Records the process start time; the first call wins. `main` calls it first thing, so the
/// time is within milliseconds of the real start.
pub fn mark_start() {
    STARTED.get_or_init(SystemTime::now);
}

/// Sets the process gauges to their current values.
pub fn apply() {
    mark_start();
    if let Some(started) = STARTED.get()
        && let Ok(since_epoch) = started.duration_since(UNIX_EPOCH)
    {
        metrics::gauge!(PROCESS_START_TIME).set(since_epoch.as_secs_f64());
    }
    if let Some(bytes) = resident_memory() {
        // Resident memory stays far below 2^53 bytes, where f64 starts to round.
        metrics::gauge!(PROCESS_RESIDENT_MEMORY).set(bytes as f64);
    }
}

/// Reads the resident set size from `/proc/self/status`; `None` where there is no procfs.
fn resident_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_rss(&status)
}

/// Returns the `VmRSS` line of a `/proc/<pid>/status` file in bytes. The kernel writes it in
/// kibibytes, as `VmRSS:     1234 kB`.
fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kibibytes: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    kibibytes.checked_mul(1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_rss_is_read_in_bytes() {
        let status = "Name:\tipsolis\nVmPeak:\t  20000 kB\nVmRSS:\t   12345 kB\nThreads:\t9\n";
        assert_eq!(parse_vm_rss(status), Some(12345 * 1024));
    }

    #[test]
    fn missing_vm_rss_is_none() {
        assert_eq!(parse_vm_rss("Name:\tkthreadd\n"), None);
    }

    #[test]
    fn this_process_has_resident_memory() {
        if std::path::Path::new("/proc/self/status").exists() {
            assert!(resident_memory().is_some_and(|bytes| bytes > 0));
        }
    }
}
