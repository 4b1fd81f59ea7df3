//! The daily e-mail to superadmins while an expired license is in its grace period. The
//! scheduler enqueues the check; a row per day in `license_alert_days` makes each day's alert
//! go out once, however often the check runs and on however many replicas.

use crate::integrations::mail::Email;
use crate::jobs::handlers::{JobError, MAIL_SEND};
use crate::jobs::{NewJob, Queue, queue};
use crate::notifications::escape_html;
use crate::state::AppState;
use crate::store;
use shared::license::{LicenseState, LicenseStatus};

/// Checks the license and, during the grace period, mails every active superadmin with an
/// address once per UTC day.
pub async fn run(state: &AppState) -> Result<(), JobError> {
    let status = super::status(state).await?;
    if status.state != LicenseState::Grace {
        return Ok(());
    }
    let now = state.clock.now();
    let day = now.date_naive();

    let mut tx = state.db.begin().await?;
    let admins = store::admins::active_with_any_email(&mut tx).await?;
    let recipients: Vec<(String, String)> = admins
        .into_iter()
        .filter(|admin| admin.role == "superadmin")
        .filter_map(|admin| admin.email.map(|email| (admin.username, email)))
        .collect();
    if recipients.is_empty() {
        // The day is not claimed, so an address added later today still gets the alert.
        tracing::warn!(
            "the license is in its grace period, but no superadmin has an e-mail address"
        );
        return Ok(());
    }
    let count = i32::try_from(recipients.len()).unwrap_or(i32::MAX);
    if !store::license::claim_alert_day(&mut tx, day, count, now).await? {
        return Ok(());
    }

    for (username, address) in &recipients {
        let email = message(state, &status, username, address);
        let payload = serde_json::to_value(&email).map_err(|e| JobError::Permanent(e.into()))?;
        let mut job = NewJob::new(Queue::Notifications, MAIL_SEND, payload);
        job.dedupe_key = Some(format!("license.alert:{day}:{address}"));
        queue::enqueue(&mut tx, job, now).await?;
    }
    tx.commit().await?;
    tracing::info!(%day, recipients = count, "license grace period alert enqueued");
    Ok(())
}

fn message(state: &AppState, status: &LicenseStatus, username: &str, to: &str) -> Email {
    let mut url = state.config.public_url.clone();
    url.set_path("/ui/settings/license");
    let when = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default()
    };
    let license = status.license_id.clone().unwrap_or_default();
    let licensee = status.licensee.clone().unwrap_or_default();
    let expired = when(status.expires_at);
    let grace_end = when(status.grace_ends_at);
    let days = status.days_left.unwrap_or_default();

    let text = format!(
        "Hello {username},\n\nThe ip·Solis license {license} for {licensee} expired at \
         {expired}. The installation keeps working during a grace period that ends at \
         {grace_end} ({days} days left). After that it reports itself as unlicensed.\n\n\
         Upload a renewed license on the License page:\n{url}\n\nThis reminder is sent once a \
         day until the license is renewed or the grace period ends.\n"
    );
    let html = format!(
        "<p>Hello {},</p><p>The ip·Solis license {} for {} expired at {}. The installation \
         keeps working during a grace period that ends at {} ({days} days left). After that it \
         reports itself as unlicensed.</p><p>Upload a renewed license on the \
         <a href=\"{}\">License page</a>.</p><p>This reminder is sent once a day until the \
         license is renewed or the grace period ends.</p>",
        escape_html(username),
        escape_html(&license),
        escape_html(&licensee),
        escape_html(&expired),
        escape_html(&grace_end),
        escape_html(url.as_str()),
    );
    Email {
        to: to.to_string(),
        cc: None,
        subject: format!("ip·Solis license expired: {days} days of grace left"),
        text,
        html,
    }
}
