use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::jobs::Job;

use crate::api::{AdminApi, ApiError};
use crate::components::ErrorBanner;

/// Renders "Retry" for a dead job. A job that provisions or deprovisions an order links to the
/// order instead, because the server retries such a job only through the order's own retry,
/// which moves the order out of its failed state too.
#[component]
pub fn RetryAction(job: Job, on_retried: Callback<Job>) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    if let Some(order_id) = job.order_id {
        return view! {
            <A href=format!("/ui/orders/{order_id}")>"Retry through the order"</A>
        }
        .into_any();
    }

    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let id = job.id;
    let retry = move |_| {
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match api.retry_job(id).await {
                Ok(job) => on_retried.run(job),
                Err(failure) => {
                    error.try_set(Some(failure));
                    pending.try_set(false);
                }
            }
        });
    };

    view! {
        <ErrorBanner error />
        <button
            type="button"
            class="button secondary"
            aria-label=format!("Retry {} {}", job.kind, job.id)
            disabled=move || pending.get()
            on:click=retry
        >
            "Retry"
        </button>
    }
    .into_any()
}
