use leptos::prelude::*;
use shared::runbooks::{MODULES, ModuleSpec, module, module_groups};

/// Renders the select of built-in modules, grouped by family, and the button that adds a step
/// of the chosen one.
#[component]
pub fn ModulePicker(on_add: Callback<&'static ModuleSpec>) -> impl IntoView {
    let chosen = RwSignal::new(MODULES[0].id.to_string());
    let description = move || chosen.with(|id| module(id).map(|m| m.description).unwrap_or(""));
    let add = move |_| {
        if let Some(spec) = chosen.with_untracked(|id| module(id)) {
            on_add.run(spec);
        }
    };
    let groups = module_groups()
        .into_iter()
        .map(|group| {
            let options = MODULES
                .iter()
                .filter(|each| each.group == group)
                .map(|each| {
                    let id = each.id;
                    view! {
                        <option value=id prop:selected=move || chosen.with(|chosen| chosen == id)>
                            {each.label}
                        </option>
                    }
                })
                .collect_view();
            view! { <optgroup label=group>{options}</optgroup> }
        })
        .collect_view();

    view! {
        <div class="module-picker">
            <div class="field">
                <label for="runbook-new-step-module">"Module"</label>
                <p class="hint" id="runbook-new-step-module-hint">{description}</p>
                <select
                    id="runbook-new-step-module"
                    aria-describedby="runbook-new-step-module-hint"
                    on:change=move |event| chosen.set(event_target_value(&event))
                >
                    {groups}
                </select>
            </div>
            <button type="button" class="button secondary" on:click=add>
                "Add step"
            </button>
        </div>
    }
}
