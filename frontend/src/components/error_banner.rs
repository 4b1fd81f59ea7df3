use leptos::prelude::*;
use shared::jobs::JobState;
use shared::orders::OrderState;
use shared::pool::AssetStatus;

use crate::api::ApiError;

/// Renders the `detail` of a failed request above the content it concerns.
#[component]
pub fn ErrorBanner(#[prop(into)] error: Signal<Option<ApiError>>) -> impl IntoView {
    move || {
        error.get().map(|error| {
            let current_state = error.problem.current_state.as_deref().map(|state| {
                // Orders, pool instances and jobs report their state; a name two of them
                // share has the same label in each.
                let label = OrderState::parse(state)
                    .map(OrderState::label)
                    .or_else(|| AssetStatus::parse(state).map(AssetStatus::label))
                    .or_else(|| JobState::parse(state).map(JobState::label))
                    .unwrap_or(state);
                format!("Current state: {label}.")
            });
            let title = error.problem.title.clone();
            let message = error.message();

            view! {
                <div class="error-banner" role="alert">
                    <strong>{title}</strong>
                    <p>{message}</p>
                    {current_state.map(|text| view! { <p>{text}</p> })}
                </div>
            }
        })
    }
}
