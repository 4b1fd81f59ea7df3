use leptos::prelude::*;
use leptos_router::components::A;
use shared::catalog::AssetDefinition;

use crate::format::days;
use crate::labels;

/// Renders one asset definition in the list. The name links to its edit page.
#[component]
pub fn DefinitionRow(definition: AssetDefinition) -> impl IntoView {
    let href = format!("/ui/definitions/{}", definition.id);
    let durations = format!(
        "{} (max {})",
        days(definition.default_duration_days),
        days(definition.max_duration_days)
    );
    let (active_class, active_text) = if definition.active {
        ("badge badge-active", "Active")
    } else {
        ("badge badge-closed", "Inactive")
    };

    view! {
        <tr>
            <td>
                <A href=href>{definition.name}</A>
            </td>
            <td>{definition.category}</td>
            <td>
                {labels::approval_summary(&definition.approval)}
                {definition
                    .policy_problem
                    .map(|problem| {
                        view! {
                            " "
                            <span class="badge badge-failed" title=problem>
                                "Policy problem"
                            </span>
                        }
                    })}
            </td>
            <td>{durations}</td>
            <td>
                <span class=active_class>{active_text}</span>
            </td>
        </tr>
    }
}
