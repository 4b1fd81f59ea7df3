use shared::Page;
use shared::jobs::{Job, JobPurge, JobPurgeResult, JobState, JobSummary};
use uuid::Uuid;

use super::AdminApi;
use crate::api::query::with_query;
use crate::api::{ApiError, PAGE_SIZE};

/// The filters of the jobs list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobFilter {
    pub state: Option<JobState>,
    /// One queue's name, such as `provision`; `None` lists every queue.
    pub queue: Option<String>,
}

impl AdminApi {
    /// Returns each queue's job counts.
    pub async fn job_summary(self) -> Result<JobSummary, ApiError> {
        self.get("/api/v1/jobs/summary").await
    }

    /// Lists jobs newest first, one page after `cursor`.
    pub async fn jobs(
        self,
        filter: JobFilter,
        cursor: Option<String>,
    ) -> Result<Page<Job>, ApiError> {
        let parameters = [
            (
                "state",
                filter.state.map(|state| state.as_str().to_string()),
            ),
            ("queue", filter.queue),
            ("limit", Some(PAGE_SIZE.to_string())),
            ("cursor", cursor),
        ];
        self.get(&with_query("/api/v1/jobs", &parameters)).await
    }

    /// Puts a dead job back in its queue. The server responds 409 when the job is not dead any
    /// more or belongs to an order, which is retried through the order.
    pub async fn retry_job(self, id: Uuid) -> Result<Job, ApiError> {
        self.post::<(), Job>(&format!("/api/v1/jobs/{id}/retry"), None)
            .await
    }

    /// Deletes finished jobs and returns how many. The server responds 422 for an unfinished
    /// state, a number of days outside 0 to 3650 or an unknown queue.
    pub async fn purge_jobs(self, input: &JobPurge) -> Result<JobPurgeResult, ApiError> {
        self.post("/api/v1/jobs/purge", Some(input)).await
    }
}
