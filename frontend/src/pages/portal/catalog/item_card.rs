use leptos::prelude::*;
use leptos_router::components::A;
use shared::catalog::CatalogItem;

use crate::format::days;

/// Renders one catalog entry with a link to its order form.
#[component]
pub fn ItemCard(item: CatalogItem) -> impl IntoView {
    let href = format!("/portal/order/{}", item.id);
    let heading_id = format!("item-{}", item.id);
    let labelled_by = heading_id.clone();
    let approval = approver_lines(item.needs_approval, item.approvers);

    view! {
        <article class="card item-card" aria-labelledby=labelled_by>
            <p class="category">{item.category}</p>
            <h2 id=heading_id>{item.name}</h2>
            <p class="preserve-lines">{item.description}</p>
            <dl class="facts compact">
                <dt>"Maximum duration"</dt>
                <dd>{days(item.max_duration_days)}</dd>
                <dt>"Approval"</dt>
                <dd class="approver-lines">{approval}</dd>
            </dl>
            <A href=href attr:class="button">
                "Order"
            </A>
        </article>
    }
}

/// Renders who approves an entry's orders, one line per source, or that no approval is needed.
pub fn approver_lines(needs_approval: bool, approvers: Vec<String>) -> AnyView {
    if !needs_approval || approvers.is_empty() {
        return "No approval needed".into_any();
    }
    approvers
        .into_iter()
        .map(|line| view! { <span class="approver-line">{line}</span> })
        .collect_view()
        .into_any()
}
