use leptos::prelude::*;
use leptos_router::components::A;
use shared::orders::Grant;

/// Renders the directory memberships an order granted: each group, whether the person held it
/// before the order, and the other live orders that also cover it.
#[component]
pub fn GrantsSection(grants: Vec<Grant>) -> impl IntoView {
    let body = if grants.is_empty() {
        view! { <p class="muted">"This order has granted no group membership."</p> }.into_any()
    } else {
        let rows = grants
            .into_iter()
            .map(|grant| {
                let covered = if grant.also_covered_by.is_empty() {
                    view! { "—" }.into_any()
                } else {
                    grant
                        .also_covered_by
                        .into_iter()
                        .map(|id| {
                            let short = id.to_string()[..8].to_string();
                            view! {
                                <A href=format!("/ui/orders/{id}") attr:title=id.to_string()>
                                    {format!("Order {short}")}
                                </A>
                                " "
                            }
                        })
                        .collect_view()
                        .into_any()
                };
                view! {
                    <tr>
                        <td>
                            <code>{grant.group_dn}</code>
                        </td>
                        <td>{if grant.pre_existing { "Yes" } else { "No" }}</td>
                        <td>{covered}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Group"</th>
                        <th scope="col">"Held before"</th>
                        <th scope="col">"Also covered by"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <p class="hint">
                "A membership held before the order stays when it ends, unless the definition says otherwise. One that other orders also cover stays until the last of them ends."
            </p>
        }
        .into_any()
    };

    view! {
        <section class="card" aria-labelledby="order-grants-heading">
            <h2 id="order-grants-heading">"Grants"</h2>
            {body}
        </section>
    }
}
