use leptos::prelude::*;
use shared::catalog::AttributeDefinition;
use shared::orders::{Order, OrderState, PendingChange};

use crate::components::StateBadge;
use crate::format::{days, local_date_time, optional_date_time};
use crate::pages::portal::attribute_fields::labelled_values;

/// Renders the facts of an order for its requester, with its attribute values labelled by
/// `definitions` and a note on a change that waits for approval.
#[component]
pub fn Summary(order: Order, definitions: Vec<AttributeDefinition>) -> impl IntoView {
    let justification = order
        .justification
        .filter(|text| !text.trim().is_empty())
        .unwrap_or_else(|| "—".to_string());
    let has_access = matches!(
        order.state,
        OrderState::Active | OrderState::ModificationPending
    );
    let expires = has_access.then(|| {
        view! {
            <dt>"Expires"</dt>
            <dd>{optional_date_time(order.expires_at)}</dd>
        }
    });
    let extensions = (order.extension_count > 0).then(|| {
        view! {
            <dt>"Extended"</dt>
            <dd>{extension_times(order.extension_count)}</dd>
        }
    });
    let waiting = (order.state == OrderState::ModificationPending)
        .then_some(order.pending_change.as_ref())
        .flatten()
        .map(|change| pending_note(change, &definitions))
        .map(|text| view! { <p class="change-note" role="note">{text}</p> });
    let deputy = order.placed_by.as_ref().map(|deputy| {
        view! {
            <dt>"For"</dt>
            <dd>{format!("{} <{}>", order.requester.display_name, order.requester.email)}</dd>
            <dt>"Placed by"</dt>
            <dd>{format!("{} <{}>", deputy.display_name, deputy.email)}</dd>
        }
    });
    let details = labelled_values(&order.attributes, &definitions);
    let details = (!details.is_empty()).then(|| {
        view! {
            <section class="card">
                <h2>"Details"</h2>
                <dl class="facts">
                    {details
                        .into_iter()
                        .map(|(label, value)| view! {
                            <dt>{label}</dt>
                            <dd class="preserve-lines">{value}</dd>
                        })
                        .collect_view()}
                </dl>
            </section>
        }
    });

    view! {
        <section class="card">
            {waiting}
            <dl class="facts">
                <dt>"State"</dt>
                <dd>
                    <StateBadge state=order.state />
                </dd>
                <dt>"Duration"</dt>
                <dd>{days(order.duration_days)}</dd>
                <dt>"Justification"</dt>
                <dd class="preserve-lines">{justification}</dd>
                <dt>"Ordered"</dt>
                <dd>{local_date_time(order.created_at)}</dd>
                {deputy}
                {expires}
                {extensions}
            </dl>
        </section>
        {details}
    }
}

fn extension_times(count: i32) -> String {
    if count == 1 {
        "once".to_string()
    } else {
        format!("{count} times")
    }
}

/// Describes the change that waits for approval: an extension by some days, or new values.
fn pending_note(change: &PendingChange, definitions: &[AttributeDefinition]) -> String {
    match change {
        PendingChange::Extend { days: count } => {
            format!("Waiting for approval: an extension by {}.", days(*count))
        }
        PendingChange::Modify { attributes } => {
            let values = labelled_values(attributes, definitions)
                .into_iter()
                .map(|(label, value)| format!("{label}: {value}"))
                .collect::<Vec<_>>()
                .join("; ");
            if values.is_empty() {
                "Waiting for approval: a change of the details.".to_string()
            } else {
                format!("Waiting for approval: a change of the details to {values}.")
            }
        }
    }
}
