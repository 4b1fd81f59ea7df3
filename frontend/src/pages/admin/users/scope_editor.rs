use std::collections::HashMap;

use leptos::prelude::*;
use shared::admin_users::AccessScope;
use shared::catalog::AssetDefinition;
use uuid::Uuid;

use super::scope_text::EVERYWHERE;
use crate::api::{AdminApi, ApiError};
use crate::components::{
    CheckboxList, Choice, ErrorBanner, FieldErrorText, Loading, TextAreaField,
};
use crate::forms::{FieldErrors, split_list};

/// Every asset definition, loaded once for a page that names or picks them.
pub type Definitions = LocalResource<Result<Vec<AssetDefinition>, ApiError>>;

/// Starts loading every asset definition.
pub fn load_definitions() -> Definitions {
    let api = expect_context::<AdminApi>();
    LocalResource::new(move || api.all_asset_definitions())
}

/// Returns the name of each loaded definition by id, or `None` while they load or when
/// loading failed.
pub fn definition_names(definitions: Definitions) -> Option<HashMap<Uuid, String>> {
    match definitions.get() {
        Some(Ok(list)) => Some(
            list.into_iter()
                .map(|definition| (definition.id, definition.name))
                .collect(),
        ),
        _ => None,
    }
}

/// The values of a [`ScopeEditor`].
#[derive(Debug, Clone, Copy)]
pub struct ScopeInput {
    /// Whether "Every asset definition" is chosen rather than a list.
    pub everywhere: RwSignal<bool>,
    pub definitions: RwSignal<Vec<Uuid>>,
    /// The categories as typed.
    pub categories: RwSignal<String>,
}

impl ScopeInput {
    pub fn new(scope: &AccessScope) -> Self {
        let input = Self {
            everywhere: RwSignal::new(true),
            definitions: RwSignal::new(Vec::new()),
            categories: RwSignal::new(String::new()),
        };
        input.show(scope);
        input
    }

    /// Puts a stored scope into the editor.
    pub fn show(self, scope: &AccessScope) {
        self.everywhere.set(scope.is_everywhere());
        self.definitions.set(scope.definitions.clone());
        self.categories.set(scope.categories.join("\n"));
    }

    /// Returns the scope the editor shows. A list choice that names nothing adds an error,
    /// because it would cover every definition instead of none.
    pub fn read(self, errors: &mut FieldErrors) -> AccessScope {
        if self.everywhere.get_untracked() {
            return AccessScope::default();
        }
        let scope = AccessScope {
            definitions: self.definitions.get_untracked(),
            categories: split_list(&self.categories.get_untracked()),
        };
        if scope.is_everywhere() {
            errors.push(
                "scope",
                "choose at least one asset definition or category, or choose Every asset definition",
            );
        }
        scope
    }
}

/// Renders the access scope choice: every asset definition, or the ticked definitions and the
/// typed categories.
#[component]
pub fn ScopeEditor(
    /// Prefixes the ids of the editor's inputs.
    id: &'static str,
    scope: ScopeInput,
    definitions: Definitions,
    #[prop(into)] errors: Signal<FieldErrors>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let kind = format!("{id}-kind");
    let everywhere_id = format!("{id}-everywhere");
    let listed_id = format!("{id}-listed");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = hint_id.clone();
    let definitions_id = format!("{id}-definition");
    let categories_id = format!("{id}-categories");

    let choices = Signal::derive(move || match definitions.get() {
        Some(Ok(list)) => list
            .into_iter()
            .map(|definition| {
                let hint = if definition.active {
                    definition.category
                } else {
                    format!("{} (inactive)", definition.category)
                };
                Choice {
                    value: definition.id,
                    label: definition.name,
                    hint: Some(hint),
                }
            })
            .collect(),
        _ => Vec::new(),
    });
    let load_error = Signal::derive(move || match definitions.get() {
        Some(Err(error)) => Some(error),
        _ => None,
    });
    let loading = move || definitions.get().is_none();
    let none_yet = move || matches!(definitions.get(), Some(Ok(list)) if list.is_empty());
    let listed = move || !scope.everywhere.get();

    view! {
        <fieldset class="field scope-editor" aria-describedby=described_by>
            <legend>"Access scope"</legend>
            <p class="hint" id=hint_id>
                "The asset definitions whose catalog entries and orders the role applies to."
            </p>
            <div class="field checkbox">
                <input
                    id=everywhere_id.clone()
                    type="radio"
                    name=kind.clone()
                    disabled=move || disabled.get()
                    prop:checked=move || scope.everywhere.get()
                    on:change=move |_| scope.everywhere.set(true)
                />
                <label for=everywhere_id>{EVERYWHERE}</label>
            </div>
            <div class="field checkbox">
                <input
                    id=listed_id.clone()
                    type="radio"
                    name=kind
                    disabled=move || disabled.get()
                    prop:checked=listed
                    on:change=move |_| scope.everywhere.set(false)
                />
                <label for=listed_id>"Only the asset definitions and categories chosen below"</label>
            </div>
            <FieldErrorText errors field="scope" id=error_id />
            <Show when=listed>
                <ErrorBanner error=load_error />
                <Show when=loading>
                    <Loading />
                </Show>
                <Show when=none_yet>
                    <p class="muted">"No asset definitions yet. Type categories instead."</p>
                </Show>
                <CheckboxList
                    id=definitions_id.clone()
                    legend="Asset definitions"
                    selected=scope.definitions
                    choices
                    disabled
                    errors
                    field="scope.definitions"
                />
                <TextAreaField
                    id=categories_id.clone()
                    label="Categories"
                    value=scope.categories
                    errors
                    field="scope.categories"
                    rows=3
                    disabled
                    hint="One per line or separated by commas. A category covers every definition in it, including ones added later."
                />
            </Show>
        </fieldset>
    }
}
