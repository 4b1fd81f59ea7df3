use leptos::prelude::*;
use leptos_router::components::A;
use shared::catalog::{ApprovalPolicy, CatalogItem};

use crate::format::days;

/// Renders one catalog entry with a link to its order form.
#[component]
pub fn ItemCard(item: CatalogItem) -> impl IntoView {
    let href = format!("/portal/order/{}", item.id);
    let heading_id = format!("item-{}", item.id);
    let labelled_by = heading_id.clone();
    let approval = match item.approval {
        ApprovalPolicy::Manager => "Your manager approves it",
        ApprovalPolicy::None => "No approval needed",
    };

    view! {
        <article class="card item-card" aria-labelledby=labelled_by>
            <p class="category">{item.category}</p>
            <h2 id=heading_id>{item.name}</h2>
            <p class="preserve-lines">{item.description}</p>
            <dl class="facts compact">
                <dt>"Maximum duration"</dt>
                <dd>{days(item.max_duration_days)}</dd>
                <dt>"Approval"</dt>
                <dd>{approval}</dd>
            </dl>
            <A href=href attr:class="button">
                "Order"
            </A>
        </article>
    }
}
