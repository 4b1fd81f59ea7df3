use leptos::prelude::*;
use leptos_router::components::A;
use shared::runbooks::RunSummary;
use uuid::Uuid;

use crate::api::AdminApi;
use crate::components::{ErrorBanner, ListState, LoadMoreButton, RunStateBadge};
use crate::format::{local_date_time, optional_date_time};
use crate::paging::PagedList;

/// Renders the runs of one runbook, newest first, a page at a time.
#[component]
pub fn RunHistory(runbook_id: Uuid) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let list = PagedList::<RunSummary>::new();
    list.reload(move |cursor| api.runs(Some(runbook_id), None, cursor));
    let load_more = Callback::new(move |()| {
        list.load_more(move |cursor| api.runs(Some(runbook_id), None, cursor))
    });

    view! {
        <section class="card" aria-labelledby="run-history-heading">
            <h2 id="run-history-heading">"Run history"</h2>
            <ErrorBanner error=list.error />
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Started"</th>
                        <th scope="col">"Purpose"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Started by"</th>
                        <th scope="col">"Note"</th>
                        <th scope="col">"Finished"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || list.items.get()
                        key=|run| (run.id, run.state.as_str(), run.finished_at)
                        children=|run| view! { <RunHistoryRow run /> }
                    />
                </tbody>
            </table>
            <ListState
                loading=list.loading
                empty=Signal::derive(move || list.items.with(Vec::is_empty))
                empty_text="This runbook has not run yet."
            />
            <LoadMoreButton
                has_more=Signal::derive(move || list.next_cursor.with(Option::is_some))
                loading=list.loading
                on_click=load_more
            />
        </section>
    }
}

#[component]
fn RunHistoryRow(run: RunSummary) -> impl IntoView {
    let order = run.order_id.map(|id| {
        view! {
            <br />
            <A href=format!("/ui/orders/{id}") attr:class="small">"Order"</A>
        }
    });

    view! {
        <tr>
            <td class="nowrap">
                <A href=format!("/ui/runbook-runs/{}", run.id)>{local_date_time(run.created_at)}</A>
            </td>
            <td>{run.purpose.label()} {order}</td>
            <td>
                <RunStateBadge state=run.state />
            </td>
            <td>{run.started_by}</td>
            <td class="preserve-lines">{run.note}</td>
            <td class="nowrap">{optional_date_time(run.finished_at)}</td>
        </tr>
    }
}
