use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::catalog::AssetDefinition;
use shared::pool::{self, Asset, AssetInput};
use uuid::Uuid;

use crate::api::{AdminApi, ApiError};
use crate::components::{
    ErrorBanner, FieldErrorText, Status, StatusMessage, TextAreaField, TextField,
};
use crate::forms::FieldErrors;

/// Renders the form that adds a free instance to the pool. It offers only definitions whose
/// orders take instances, because capacity_pooled ones have a quota instead.
#[component]
pub fn AddAssetForm(
    #[prop(into)] definitions: Signal<Vec<AssetDefinition>>,
    on_created: Callback<Asset>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let pooled = super::pooled_definitions(definitions);
    let definition_id = RwSignal::new(None::<Uuid>);
    let name = RwSignal::new(String::new());
    let metadata = RwSignal::new("{}".to_string());

    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut field_errors = FieldErrors::default();
        if definition_id.get_untracked().is_none() {
            field_errors.push("definition_id", "choose the definition of the instance");
        }
        let metadata_text = metadata.get_untracked();
        let metadata_value = if metadata_text.trim().is_empty() {
            Some(serde_json::Value::Object(Default::default()))
        } else {
            match serde_json::from_str::<serde_json::Value>(&metadata_text) {
                Ok(value) => Some(value),
                Err(cause) => {
                    field_errors.push("metadata", format!("is not valid JSON: {cause}"));
                    None
                }
            }
        };
        let input = AssetInput {
            definition_id: definition_id.get_untracked().unwrap_or_default(),
            name: name.get_untracked().trim().to_string(),
            metadata: metadata_value
                .clone()
                .unwrap_or_else(|| serde_json::Value::Object(Default::default())),
        };
        for rule_error in pool::validate(&input) {
            // JSON that does not parse already has its error.
            if rule_error.field != "metadata" || metadata_value.is_some() {
                field_errors.push(&rule_error.field, rule_error.message);
            }
        }
        error.set(None);
        status.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return;
        }

        pending.set(true);
        spawn_local(async move {
            match api.create_asset(&input).await {
                Ok(asset) => {
                    status.try_set(Some(Status::success(format!(
                        "Added {} to the pool of {}.",
                        asset.name, asset.definition_name
                    ))));
                    name.try_set(String::new());
                    metadata.try_set("{}".to_string());
                    on_created.run(asset);
                }
                Err(failure) => {
                    errors.try_set(FieldErrors::from_api(&failure));
                    error.try_set(Some(failure));
                }
            }
            pending.try_set(false);
        });
    };

    let choose = move |event| {
        definition_id.set(Uuid::parse_str(&event_target_value(&event)).ok());
    };
    let options = super::definition_options(pooled, definition_id);
    let has_error = move || errors.with(|e| !e.messages_for("definition_id").is_empty());

    view! {
        <form on:submit=submit novalidate=true>
            <ErrorBanner error />
            <Show when=move || pooled.with(Vec::is_empty)>
                <p class="hint">
                    "No definition takes instances yet. Give one the assignment Dedicated shared or Assigned personal first."
                </p>
            </Show>
            <div class="form-grid">
                <div class="field">
                    <div class="label-row">
                        <label for="asset-definition">"Definition"</label>
                        <span class="required" aria-hidden="true">"*"</span>
                    </div>
                    <select
                        id="asset-definition"
                        required=true
                        aria-invalid=move || has_error().then_some("true")
                        aria-describedby="asset-definition-error"
                        on:change=choose
                    >
                        <option value="" prop:selected=move || definition_id.get().is_none()>
                            "Choose a definition"
                        </option>
                        {options}
                    </select>
                    <FieldErrorText errors field="definition_id" id="asset-definition-error".to_string() />
                </div>
                <TextField id="asset-name" label="Name" value=name errors field="name" required=true />
            </div>
            <TextAreaField
                id="asset-metadata"
                label="Metadata (JSON)"
                value=metadata
                errors
                field="metadata"
                rows=3
                hint="A JSON object of facts about the instance, such as {\"host\": \"vdi-001\"}."
            />
            <div class="actions">
                <button type="submit" class="button" disabled=move || pending.get()>
                    "Add instance"
                </button>
            </div>
            <StatusMessage status />
        </form>
    }
}
