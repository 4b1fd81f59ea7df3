use leptos::prelude::*;
use shared::license::LicenseState;

/// Renders the "What each state means" section, a table of every license state.
#[component]
pub fn StateTable() -> impl IntoView {
    let rows = LicenseState::ALL
        .into_iter()
        .map(|state| {
            view! {
                <tr>
                    <th scope="row">{state.label()}</th>
                    <td>{state.meaning()}</td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <section class="card" aria-labelledby="license-states-heading">
            <h2 id="license-states-heading">"What each state means"</h2>
            <p class="hint">
                "No state switches any feature off. The states say whether the installation's \
                 use is covered by its license."
            </p>
            <table class="table" aria-label="License states">
                <thead>
                    <tr>
                        <th scope="col">"State"</th>
                        <th scope="col">"Meaning"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}
