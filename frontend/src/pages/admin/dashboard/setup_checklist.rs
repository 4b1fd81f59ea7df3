use leptos::prelude::*;
use leptos_router::components::A;
use shared::checklist::{ChecklistItem, ItemImportance, ItemStatus, SetupChecklist};

use crate::api::AdminApi;
use crate::components::{ErrorBanner, Loading};

/// Renders the setup checklist: what the installation still needs, each pending or broken
/// item with a link to the page that fixes it. Once every item is done, only a summary line
/// shows, with a button that expands the list; a broken item brings the list back.
#[component]
pub fn SetupChecklistPanel() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let checklist = LocalResource::new(move || api.setup_checklist());

    view! {
        <section class="card" aria-labelledby="checklist-heading">
            <h2 id="checklist-heading">"Setup checklist"</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match checklist.await {
                        Ok(checklist) => view! { <ChecklistBody checklist /> }.into_any(),
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ChecklistBody(checklist: SetupChecklist) -> impl IntoView {
    let expanded = RwSignal::new(!checklist.complete);
    let summary = summary(&checklist);
    let complete = checklist.complete;
    let items = checklist
        .items
        .into_iter()
        .map(|item| view! { <ChecklistEntry item /> })
        .collect_view();

    view! {
        <div class="checklist-summary">
            <p class="lead">{summary}</p>
            <Show when=move || complete>
                <button
                    type="button"
                    class="button secondary"
                    aria-expanded=move || expanded.get().to_string()
                    aria-controls="checklist-items"
                    on:click=move |_| expanded.update(|open| *open = !*open)
                >
                    {move || if expanded.get() { "Hide checklist" } else { "Show checklist" }}
                </button>
            </Show>
        </div>
        <ul class="checklist-items" id="checklist-items" hidden=move || !expanded.get()>
            {items}
        </ul>
    }
}

/// Returns the line above the items, such as "5 of 8 done: 2 essential items to do, 1 broken."
fn summary(checklist: &SetupChecklist) -> String {
    let total = checklist.items.len();
    let done = checklist.done_count();
    if checklist.complete {
        return format!("Setup is complete: all {total} checklist items are done.");
    }
    let essential_open = checklist
        .items
        .iter()
        .filter(|item| item.importance == ItemImportance::Essential)
        .filter(|item| item.status != ItemStatus::Done)
        .count();
    let broken = checklist
        .items
        .iter()
        .filter(|item| item.status == ItemStatus::Broken)
        .count();
    let mut parts = Vec::new();
    if essential_open > 0 {
        let items = if essential_open == 1 { "item" } else { "items" };
        parts.push(format!("{essential_open} essential {items} open"));
    }
    if broken > 0 {
        parts.push(format!("{broken} broken"));
    }
    if parts.is_empty() {
        format!("{done} of {total} done; only recommended items are open.")
    } else {
        format!("{done} of {total} done: {}.", parts.join(", "))
    }
}

#[component]
fn ChecklistEntry(item: ChecklistItem) -> impl IntoView {
    let status_class = match item.status {
        ItemStatus::Done => "item-status done",
        ItemStatus::Pending => "item-status pending",
        ItemStatus::Broken => "item-status broken",
    };
    let importance = match item.importance {
        ItemImportance::Essential => "essential",
        ItemImportance::Recommended => "recommended",
    };
    let fix = (item.status != ItemStatus::Done).then(|| {
        let verb = if item.status == ItemStatus::Broken {
            "Fix"
        } else {
            "Set up"
        };
        let label = format!("{verb}: {}", item.title);
        view! {
            <A href=item.fix_path attr:class="item-fix" attr:aria-label=label>
                {verb}
            </A>
        }
    });

    view! {
        <li class="checklist-item" data-item=item.id>
            <span class=status_class>{item.status.label()}</span>
            <p class="item-title">
                <span class="item-name">{item.title}</span>
                " "
                <span class="item-importance">"(" {importance} ")"</span>
            </p>
            <p class="item-detail">{item.detail}</p>
            {fix}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(importance: ItemImportance, status: ItemStatus) -> ChecklistItem {
        ChecklistItem {
            id: "x".into(),
            title: "X".into(),
            importance,
            status,
            detail: String::new(),
            fix_path: "/ui/".into(),
        }
    }

    fn checklist(items: Vec<ChecklistItem>) -> SetupChecklist {
        let complete = items.iter().all(|item| item.status == ItemStatus::Done);
        SetupChecklist {
            items,
            complete,
            checked_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn summary_counts_open_and_broken() {
        let list = checklist(vec![
            item(ItemImportance::Essential, ItemStatus::Done),
            item(ItemImportance::Essential, ItemStatus::Broken),
            item(ItemImportance::Essential, ItemStatus::Pending),
            item(ItemImportance::Recommended, ItemStatus::Pending),
        ]);
        assert_eq!(
            summary(&list),
            "1 of 4 done: 2 essential items open, 1 broken."
        );

        let list = checklist(vec![
            item(ItemImportance::Essential, ItemStatus::Done),
            item(ItemImportance::Recommended, ItemStatus::Pending),
        ]);
        assert_eq!(
            summary(&list),
            "1 of 2 done; only recommended items are open."
        );

        let list = checklist(vec![
            item(ItemImportance::Essential, ItemStatus::Done),
            item(ItemImportance::Recommended, ItemStatus::Done),
        ]);
        assert_eq!(
            summary(&list),
            "Setup is complete: all 2 checklist items are done."
        );
    }
}
