//! The durable job queue as admins see it: the depth of each queue, jobs by state, and the
//! retry and purge of jobs that finished.

use crate::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The queues a worker can serve, in the order the Jobs page lists them.
pub const QUEUES: [&str; 4] = ["provision", "notifications", "default", "reclaim"];

/// The longest `older_than_days` a purge accepts: ten years.
pub const PURGE_DAYS_LIMIT: i32 = 3650;

/// The stage of a job: waiting, claimed by a worker, done, or out of attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for its `run_at`, or due and waiting for a worker.
    Queued,
    /// Claimed by the worker named in `locked_by` until `lease_until`.
    Running,
    Succeeded,
    /// Failed permanently or used up its attempts, so it waits for an admin to retry it.
    Dead,
}

impl JobState {
    pub const ALL: [JobState; 4] = [
        JobState::Queued,
        JobState::Running,
        JobState::Succeeded,
        JobState::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(value: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            JobState::Queued => "Queued",
            JobState::Running => "Running",
            JobState::Succeeded => "Succeeded",
            JobState::Dead => "Dead",
        }
    }

    /// Returns whether a job in this state is finished, so a purge may delete it.
    pub fn is_finished(self) -> bool {
        matches!(self, JobState::Succeeded | JobState::Dead)
    }
}

/// The jobs of one queue by state, at the time of the summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueSummary {
    pub queue: String,
    /// Queued jobs whose `run_at` has come, waiting for a worker.
    pub queued: i64,
    /// Queued jobs whose `run_at` is still ahead, such as retries waiting out their backoff.
    pub scheduled: i64,
    pub running: i64,
    pub dead: i64,
    /// Jobs that succeeded in the 24 hours before the summary.
    pub succeeded_last_day: i64,
    /// Seconds since the `run_at` of the longest-waiting due job, absent when no job waits.
    pub oldest_queued_age_seconds: Option<i64>,
}

/// Every queue's depths, one entry per queue in the order of [`QUEUES`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobSummary {
    pub queues: Vec<QueueSummary>,
    /// The server time the counts were taken at.
    pub at: DateTime<Utc>,
}

/// A job as lists show it. The payload is left out, because it can name people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Job {
    pub id: Uuid,
    pub queue: String,
    /// Such as `order.provision` or `mail.approval_request`.
    pub kind: String,
    pub state: JobState,
    /// Attempts started so far, the running one included.
    pub attempts: i32,
    pub max_attempts: i32,
    /// When the job is due: its first run, or its next attempt after a failure.
    pub run_at: DateTime<Utc>,
    /// The worker (`host:pid/slot`) with the job's lease while it runs, or with its last attempt.
    pub locked_by: Option<String>,
    /// When the running worker's lease ends unless the worker renews it. Another worker may take
    /// the job over after that.
    pub lease_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When a worker claimed the job for its latest attempt.
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The order that this job provisions or deprovisions. Such a job is retried through the
    /// order, so the order's state moves with it.
    pub order_id: Option<Uuid>,
}

/// One job with its payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobDetail {
    pub job: Job,
    /// The job's input, as the code that enqueued it wrote it.
    pub payload: serde_json::Value,
}

/// The selection of finished jobs that a purge deletes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct JobPurge {
    /// `dead` or `succeeded`.
    pub state: JobState,
    /// The purge deletes jobs that finished more than this many days ago, so 0 deletes every one.
    pub older_than_days: i32,
    /// One queue to purge. Without it the purge covers every queue.
    #[serde(default)]
    pub queue: Option<String>,
}

impl JobPurge {
    /// Returns the field errors of this purge, with the API's messages.
    pub fn errors(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !self.state.is_finished() {
            errors.push(FieldError::new("state", "must be dead or succeeded"));
        }
        if !(0..=PURGE_DAYS_LIMIT).contains(&self.older_than_days) {
            errors.push(FieldError::new(
                "older_than_days",
                format!("must be between 0 and {PURGE_DAYS_LIMIT}"),
            ));
        }
        if let Some(queue) = &self.queue
            && !QUEUES.contains(&queue.as_str())
        {
            errors.push(FieldError::new(
                "queue",
                "must be provision, notifications, default or reclaim",
            ));
        }
        errors
    }
}

/// The outcome of a purge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobPurgeResult {
    pub deleted: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn purge(state: JobState, older_than_days: i32, queue: Option<&str>) -> JobPurge {
        JobPurge {
            state,
            older_than_days,
            queue: queue.map(str::to_string),
        }
    }

    fn fields(input: &JobPurge) -> Vec<String> {
        input.errors().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn states_round_trip_through_names() {
        for state in JobState::ALL {
            assert_eq!(JobState::parse(state.as_str()), Some(state));
        }
        assert_eq!(JobState::parse("failed"), None);
    }

    #[test]
    fn purge_accepts_finished_states() {
        assert!(fields(&purge(JobState::Dead, 30, None)).is_empty());
        assert!(fields(&purge(JobState::Succeeded, 0, Some("default"))).is_empty());
    }

    #[test]
    fn purge_rejects_unfinished_states() {
        assert_eq!(fields(&purge(JobState::Queued, 30, None)), ["state"]);
        assert_eq!(fields(&purge(JobState::Running, 30, None)), ["state"]);
    }

    #[test]
    fn purge_rejects_days_out_of_range() {
        assert_eq!(
            fields(&purge(JobState::Dead, -1, None)),
            ["older_than_days"]
        );
        let too_many = purge(JobState::Dead, PURGE_DAYS_LIMIT + 1, None);
        assert_eq!(fields(&too_many), ["older_than_days"]);
    }

    #[test]
    fn purge_rejects_unknown_queue() {
        assert_eq!(fields(&purge(JobState::Dead, 1, Some("mail"))), ["queue"]);
    }
}
