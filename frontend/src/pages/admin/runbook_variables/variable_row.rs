use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::permissions::Permission;
use shared::runbooks::RunbookVariable;

use crate::api::{AdminApi, ApiError};
use crate::components::{ConfirmAction, ErrorBanner};
use crate::format::local_date_time;
use crate::state::AdminAuth;

/// Renders one variable, with Edit, which loads it into the form, and Delete with its
/// confirmation step.
#[component]
pub fn VariableRow(
    variable: RunbookVariable,
    on_edit: Callback<RunbookVariable>,
    on_deleted: Callback<()>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let name = StoredValue::new(variable.name.clone());

    let delete = Callback::new(move |()| {
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match api.delete_runbook_variable(&name.get_value()).await {
                Ok(()) => on_deleted.run(()),
                Err(failure) => {
                    error.set(Some(failure));
                    pending.set(false);
                }
            }
        });
    });
    let value = match (&variable.value, variable.secret) {
        (_, true) => view! { <span class="badge badge-closed">"Secret: set"</span> }.into_any(),
        (Some(value), false) => {
            view! { <code class="preserve-lines">{value.clone()}</code> }.into_any()
        }
        (None, false) => view! { <span class="muted">"—"</span> }.into_any(),
    };
    let template = if variable.secret {
        format!("{{{{ secrets.{} }}}}", variable.name)
    } else {
        format!("{{{{ vars.{} }}}}", variable.name)
    };
    let edit_label = StoredValue::new(format!("Edit {}", variable.name));
    let delete_label = StoredValue::new(format!("Delete {}", variable.name));
    let question = StoredValue::new(format!(
        "Delete {}? Steps that read it fail until it is set again.",
        variable.name
    ));
    let variable = StoredValue::new(variable);

    view! {
        <tr>
            <td>
                <code>{name.get_value()}</code>
                <br />
                <span class="muted small">{template}</span>
            </td>
            <td>{value}</td>
            <td class="nowrap">{local_date_time(variable.with_value(|v| v.updated_at))}</td>
            <td>
                <ErrorBanner error />
                <Show when=move || auth.allows(Permission::SettingsWrite)>
                    <ConfirmAction
                        button_label="Delete"
                        button_aria_label=delete_label.get_value()
                        question=question.get_value()
                        confirm_label="Confirm delete"
                        keep_label="Keep variable"
                        pending
                        on_confirm=delete
                    >
                        <button
                            type="button"
                            class="button secondary"
                            aria-label=edit_label.get_value()
                            on:click=move |_| on_edit.run(variable.get_value())
                        >
                            "Edit"
                        </button>
                    </ConfirmAction>
                </Show>
            </td>
        </tr>
    }
}
