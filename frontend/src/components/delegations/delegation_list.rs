use leptos::prelude::*;
use shared::approvals::Delegation;
use uuid::Uuid;

use super::delegation_row::DelegationRow;
use crate::api::DelegationClient;

/// Renders out-of-office windows as a table. Admins see whose window each is and who made it.
/// With `can_cancel`, each row has a button that ends the window; `on_cancelled` receives its id.
#[component]
pub fn DelegationList(
    #[prop(into)] windows: Signal<Vec<Delegation>>,
    client: DelegationClient,
    #[prop(into)] can_cancel: Signal<bool>,
    on_cancelled: Callback<Uuid>,
) -> impl IntoView {
    let names_person = client.names_person();
    view! {
        <Show
            when=move || !windows.with(Vec::is_empty)
            fallback=|| view! { <p class="muted">"No current or future window."</p> }
        >
            <table class="table">
                <thead>
                    <tr>
                        {names_person.then(|| view! { <th scope="col">"Absent person"</th> })}
                        <th scope="col">"Stand-in"</th>
                        <th scope="col">"From"</th>
                        <th scope="col">"Until"</th>
                        <th scope="col">"Note"</th>
                        {names_person.then(|| view! { <th scope="col">"Created by"</th> })}
                        <th scope="col">
                            <span class="visually-hidden">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || windows.get()
                        key=|window| window.id
                        children=move |window| {
                            view! { <DelegationRow window client can_cancel on_cancelled /> }
                        }
                    />
                </tbody>
            </table>
        </Show>
    }
}
