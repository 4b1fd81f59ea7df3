use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::health::{
    ComponentHealth, ComponentStatus, HealthDetails, HealthSettings, component_label,
};
use shared::permissions::Permission;

use super::alert_form::AlertForm;
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Loading};
use crate::format::local_date_time;
use crate::pages::admin::require_permission::RequirePermission;
use crate::state::AdminAuth;

fn status_class(status: ComponentStatus) -> &'static str {
    match status {
        ComponentStatus::Ok => "badge badge-active",
        ComponentStatus::Failing => "badge badge-failed",
        ComponentStatus::NotConfigured => "badge badge-closed",
    }
}

fn component_row(component: ComponentHealth) -> impl IntoView {
    let latency = component
        .latency_ms
        .map(|ms| format!("{ms} ms"))
        .unwrap_or_default();
    view! {
        <tr>
            <th scope="row">{component_label(&component.component).to_string()}</th>
            <td>
                <span class=status_class(component.status)>{component.status.label()}</span>
            </td>
            <td>{component.detail}</td>
            <td>{latency}</td>
            <td>{local_date_time(component.checked_at)}</td>
            <td>{local_date_time(component.changed_at)}</td>
        </tr>
    }
}

/// Renders the scheduler as reported by the replica that served the request.
fn scheduler_list(details: &HealthDetails) -> impl IntoView + use<> {
    let scheduler = details.scheduler.clone();
    let tick = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map(local_date_time)
            .unwrap_or_else(|| "never".to_string())
    };
    let backlog = match details.oldest_pending_age_seconds {
        Some(age) => format!("{} due jobs; the oldest waits {age} s", details.job_backlog),
        None => "No due job waits".to_string(),
    };
    view! {
        <dl class="facts">
            <dt>"Leader"</dt>
            <dd>{scheduler.leader.unwrap_or_else(|| "none".to_string())}</dd>
            <dt>"This replica"</dt>
            <dd>
                {scheduler.this_replica}
                {if scheduler.this_replica_is_leader { " (leader)" } else { "" }}
            </dd>
            <dt>"This replica's last tick"</dt>
            <dd>{tick(scheduler.this_replica_last_tick)}</dd>
            <dt>"Leader's last tick"</dt>
            <dd>{tick(scheduler.leader_last_tick)}</dd>
            <dt>"Job queue"</dt>
            <dd>{backlog}</dd>
        </dl>
    }
}

/// Renders `/ui/health`: the latest check of every component, the scheduler and the job
/// queue, "Check now", and the address that receives alerts.
#[component]
pub fn HealthPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let can_read_settings = auth.allows(Permission::SettingsRead);
    let can_write = auth.allows(Permission::SettingsWrite);

    let details = RwSignal::new(None::<HealthDetails>);
    let error = RwSignal::new(None::<ApiError>);
    let checking = RwSignal::new(false);
    spawn_local(async move {
        match api.health_details().await {
            Ok(found) => {
                details.try_set(Some(found));
            }
            Err(failure) => {
                error.try_set(Some(failure));
            }
        }
    });
    let check_now = move |_| {
        checking.set(true);
        error.set(None);
        spawn_local(async move {
            match api.check_health().await {
                Ok(found) => {
                    details.try_set(Some(found));
                }
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
            checking.try_set(false);
        });
    };

    let settings = RwSignal::new(None::<HealthSettings>);
    if can_read_settings {
        spawn_local(async move {
            if let Ok(found) = api.health_settings().await {
                settings.try_set(Some(found));
            }
        });
    }

    view! {
        <h1>"Health"</h1>
        <RequirePermission permission=Permission::HealthRead>
            <section class="card" aria-labelledby="components-heading">
                <h2 id="components-heading">"Components"</h2>
                <ErrorBanner error />
                <div class="actions">
                    <button
                        type="button"
                        class="button"
                        disabled=move || checking.get()
                        on:click=check_now
                    >
                        "Check now"
                    </button>
                </div>
                <Show when=move || checking.get()>
                    <Loading />
                </Show>
                <table class="table" aria-label="Components">
                    <thead>
                        <tr>
                            <th scope="col">"Component"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Detail"</th>
                            <th scope="col">"Latency"</th>
                            <th scope="col">"Checked"</th>
                            <th scope="col">"Since"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            details
                                .get()
                                .map(|found| {
                                    found.components.into_iter().map(component_row).collect_view()
                                })
                        }}
                    </tbody>
                </table>
                <Show when=move || details.with(|d| d.as_ref().is_some_and(|d| d.components.is_empty()))>
                    <p class="muted">"No check has run yet; choose Check now."</p>
                </Show>
            </section>
            <section class="card" aria-labelledby="scheduler-heading">
                <h2 id="scheduler-heading">"Scheduler and job queue"</h2>
                {move || details.with(|found| found.as_ref().map(scheduler_list))}
            </section>
            {move || {
                settings
                    .get()
                    .map(|found| {
                        view! {
                            <section class="card" aria-labelledby="alerts-heading">
                                <h2 id="alerts-heading">"Alerts"</h2>
                                <AlertForm settings=found can_write />
                            </section>
                        }
                    })
            }}
        </RequirePermission>
    }
}
