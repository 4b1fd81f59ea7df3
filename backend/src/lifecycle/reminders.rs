//! Expiry reminders: at each of the definition's reminder offsets before an active order
//! expires, the requester gets one e-mail.

use crate::jobs::handlers::{JobError, MAIL_ORDER_UPDATE};
use crate::jobs::{NewJob, Queue, queue};
use crate::notifications::Update;
use crate::state::AppState;
use serde_json::json;
use uuid::Uuid;

/// Records every reminder now due and enqueues its e-mail in the same transaction. The
/// primary key of `order_reminders` makes a second run, on any replica, find nothing new.
/// Offsets that fall before the access started are skipped, so a short order does not get
/// a reminder at once.
pub async fn run(state: &AppState) -> Result<(), JobError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let due: Vec<(Uuid, i32)> = sqlx::query_as(
        "insert into order_reminders (order_id, expires_at, days_before, created_at)
         select o.id, o.expires_at, r.days, $1
         from orders o
         join asset_definitions d on d.id = o.definition_id
         cross join lateral unnest(d.reminder_days) as r(days)
         where o.state = 'active' and o.expires_at > $1
           and o.expires_at - make_interval(days => r.days) <= $1
           and o.activated_at <= o.expires_at - make_interval(days => r.days)
         on conflict do nothing
         returning order_id, days_before",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    for (order_id, days_before) in &due {
        let payload = json!({ "order_id": order_id, "update": Update::ExpiresSoon });
        queue::enqueue(
            &mut tx,
            NewJob::new(Queue::Notifications, MAIL_ORDER_UPDATE, payload),
            now,
        )
        .await?;
        tracing::info!(order_id = %order_id, days_before, "expiry reminder enqueued");
    }
    tx.commit().await?;
    Ok(())
}
