//! The job queues for admins: depths per queue, jobs by state, the retry of a dead job and the
//! purge of finished ones. Auditors read them. Only admins without a narrowed access scope
//! change anything, because the queues serve every asset.

use super::{ApiJson, PageParams};
use crate::auth::admin::{Admin, perm};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::jobs::JobFilter;
use crate::store::{self, audit::Change};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::json;
use shared::Page;
use shared::jobs::{
    Job, JobDetail, JobPurge, JobPurgeResult, JobState, JobSummary, QUEUES, QueueSummary,
};
use utoipa::IntoParams;
use uuid::Uuid;

/// The longest `kind` filter accepted, because job kinds are short dotted names.
const KIND_MAX: usize = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobQuery {
    /// `queued`, `running`, `succeeded` or `dead`. Without it the list sorts every job, which
    /// is slower on a large table.
    pub state: Option<String>,
    /// `provision`, `notifications`, `default` or `reclaim`.
    pub queue: Option<String>,
    /// The exact kind, such as `order.provision`.
    pub kind: Option<String>,
}

fn non_empty(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn filter(query: JobQuery, page: &PageParams) -> ApiResult<JobFilter> {
    let state = match non_empty(query.state) {
        None => None,
        Some(name) => Some(JobState::parse(&name).ok_or_else(|| {
            ApiError::field("state", "must be queued, running, succeeded or dead")
        })?),
    };
    let queue = non_empty(query.queue);
    if let Some(name) = &queue
        && !QUEUES.contains(&name.as_str())
    {
        return Err(ApiError::field(
            "queue",
            "must be provision, notifications, default or reclaim",
        ));
    }
    let kind = non_empty(query.kind);
    if kind.as_ref().is_some_and(|k| k.chars().count() > KIND_MAX) {
        return Err(ApiError::field(
            "kind",
            format!("must be at most {KIND_MAX} characters long"),
        ));
    }
    Ok(JobFilter {
        state,
        queue,
        kind,
        after: page.after()?,
        limit: page.limit()?,
    })
}

fn not_found(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("There is no job with the id {id}."))
}

/// Counts each queue's jobs: due, scheduled for later, running, dead, and succeeded in the
/// last 24 hours, with the age of the longest-waiting due job.
#[utoipa::path(get, path = "/api/v1/jobs/summary", tag = "jobs",
    responses((status = 200, body = JobSummary)),
    extensions(("x-permission" = json!("jobs_read"))))]
pub async fn summary(
    State(state): State<AppState>,
    _admin: Admin<perm::JobsRead>,
) -> ApiResult<Json<JobSummary>> {
    let now = state.clock.now();
    let queues: Vec<QueueSummary> = store::jobs::summary(&state.db, now).await?;
    Ok(Json(JobSummary { queues, at: now }))
}

/// Lists jobs newest first, without their payloads.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs",
    params(PageParams, JobQuery),
    responses((status = 200, body = Page<Job>), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("jobs_read"))))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin<perm::JobsRead>,
    Query(page): Query<PageParams>,
    Query(query): Query<JobQuery>,
) -> ApiResult<Json<Page<Job>>> {
    let filter = filter(query, &page)?;
    let mut rows = store::jobs::list(&state.db, &filter).await?;
    let next_cursor = store::audit::page_cursor(&mut rows, filter.limit, store::jobs::cursor_after);
    Ok(Json(Page {
        items: rows.iter().map(|row| row.dto()).collect(),
        next_cursor,
    }))
}

/// Returns one job with its payload.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs",
    params(("id" = Uuid, Path, description = "Job id")),
    responses((status = 200, body = JobDetail), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("jobs_read"))))]
pub async fn get(
    State(state): State<AppState>,
    _admin: Admin<perm::JobsRead>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<JobDetail>> {
    let (job, payload) = store::jobs::find(&state.db, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(Json(JobDetail {
        job: job.dto(),
        payload,
    }))
}

/// Puts a dead job back in its queue, due now and with its attempts reset. A job that
/// provisions or deprovisions an order is retried through the order instead, so the order
/// leaves its failed state together with the new attempt.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", tag = "jobs",
    params(("id" = Uuid, Path, description = "Job id")),
    responses(
        (status = 200, body = Job),
        (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem,
            description = "The job is not dead, or belongs to an order"),
    ),
    extensions(("x-permission" = json!("jobs_write"))))]
pub async fn retry(
    State(state): State<AppState>,
    admin: Admin<perm::JobsWrite>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Job>> {
    let (before, _) = store::jobs::find(&state.db, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if let Some(order_id) = before.order_id() {
        return Err(ApiError::conflict(format!(
            "This job runs the order {order_id}; retry the order with POST \
             /api/v1/orders/{order_id}/retry, so its state moves with the new attempt."
        )));
    }

    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some(after) = store::jobs::retry(&mut tx, id, now).await? else {
        tx.rollback().await?;
        let current = store::jobs::find(&state.db, id)
            .await?
            .map(|(job, _)| job.state);
        return Err(ApiError::Conflict {
            detail: "Only a dead job can be retried; this one is not dead.".into(),
            current_state: current,
        });
    };
    let change = Change {
        action: "job.retry",
        entity_type: "job",
        entity_id: id.to_string(),
        before: Some(json!({
            "state": before.state, "attempts": before.attempts, "last_error": before.last_error,
        })),
        after: Some(json!({ "state": after.state, "attempts": after.attempts, "run_at": now })),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;

    tracing::info!(job_id = %id, kind = %after.kind, "dead job queued again");
    Ok(Json(after.dto()))
}

/// Deletes finished jobs, dead or succeeded, older than a number of days. The newest job of
/// each periodic task stays, because its dedupe key keeps that slot from running twice.
#[utoipa::path(post, path = "/api/v1/jobs/purge", tag = "jobs",
    request_body = JobPurge,
    responses((status = 200, body = JobPurgeResult), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("jobs_write"))))]
pub async fn purge(
    State(state): State<AppState>,
    admin: Admin<perm::JobsWrite>,
    ApiJson(input): ApiJson<JobPurge>,
) -> ApiResult<Json<JobPurgeResult>> {
    ApiError::check(input.errors())?;

    let now = state.clock.now();
    let cutoff = now - chrono::Duration::days(i64::from(input.older_than_days));
    let mut tx = state.db.begin().await?;
    let deleted = store::jobs::purge(&mut tx, input.state, cutoff, input.queue.as_deref()).await?;
    let deleted = i64::try_from(deleted).unwrap_or(i64::MAX);
    let change = Change {
        action: "job.purge",
        entity_type: "job",
        entity_id: "*".into(),
        before: None,
        after: Some(json!({
            "deleted": deleted, "state": input.state, "queue": input.queue,
            "finished_before": cutoff,
        })),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;

    tracing::info!(
        deleted,
        state = input.state.as_str(),
        "finished jobs purged"
    );
    Ok(Json(JobPurgeResult { deleted }))
}
