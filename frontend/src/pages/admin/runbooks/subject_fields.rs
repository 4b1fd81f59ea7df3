use leptos::prelude::*;
use uuid::Uuid;

use crate::api::AdminApi;
use crate::api::admin::PoolFilter;
use crate::components::{FieldErrorText, TextField, TextSelectInput};
use crate::forms::FieldErrors;

/// The order and pool instance whose values a dry run or a run by hand gives the templates.
#[derive(Debug, Clone, Copy)]
pub struct RunSubject {
    pub order_id: RwSignal<String>,
    /// The chosen instance's id, or empty for none.
    pub asset_id: RwSignal<String>,
}

impl RunSubject {
    pub fn new() -> Self {
        Self {
            order_id: RwSignal::new(String::new()),
            asset_id: RwSignal::new(String::new()),
        }
    }

    /// Reads the order and instance ids, adding an error for an order id that is not a UUID.
    pub fn read(self, errors: &mut FieldErrors) -> (Option<Uuid>, Option<Uuid>) {
        let order_text = self.order_id.get_untracked();
        let order_id = match order_text.trim() {
            "" => None,
            text => match Uuid::parse_str(text) {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.push(
                        "order_id",
                        "must be an order ID, such as the one in the order's address",
                    );
                    None
                }
            },
        };
        let asset_id = Uuid::parse_str(self.asset_id.get_untracked().trim()).ok();
        (order_id, asset_id)
    }
}

impl Default for RunSubject {
    fn default() -> Self {
        Self::new()
    }
}

/// Renders the order ID input and the pool instance picker, which searches the pool by name.
#[component]
pub fn SubjectFields(
    /// Prefixes the inputs' ids, so that two forms on a page keep theirs apart.
    id_prefix: &'static str,
    subject: RunSubject,
    #[prop(into)] errors: Signal<FieldErrors>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let search = RwSignal::new(String::new());
    let found = LocalResource::new(move || {
        let filter = PoolFilter {
            search: search.get(),
            ..PoolFilter::default()
        };
        async move { api.assets(filter, None).await }
    });
    let options = Signal::derive(move || {
        let mut options = vec![(String::new(), "None".to_string())];
        if let Some(Ok(page)) = found.get() {
            options.extend(page.items.into_iter().map(|asset| {
                let label = format!("{} ({})", asset.name, asset.definition_name);
                (asset.id.to_string(), label)
            }));
        }
        // A chosen instance stays chosen while another search runs.
        let chosen = subject.asset_id.get();
        if !chosen.is_empty() && !options.iter().any(|(id, _)| *id == chosen) {
            options.push((chosen.clone(), chosen));
        }
        options
    });
    let search_id = format!("{id_prefix}-instance-search");
    let select_id = format!("{id_prefix}-instance");

    view! {
        <div class="form-grid">
            <TextField
                id=format!("{id_prefix}-order-id")
                label="Order ID"
                value=subject.order_id
                errors
                field="order_id"
                autocomplete="off"
                hint="Optional. The templates read this order's requester, attributes and instance."
            />
            <div class="field">
                <label for=search_id.clone()>"Find instance"</label>
                <p class="hint">"Optional. Type part of a pool instance's name, then pick it."</p>
                <input
                    id=search_id
                    type="search"
                    autocomplete="off"
                    prop:value=move || search.get()
                    on:change=move |event| search.set(event_target_value(&event))
                />
                <label for=select_id.clone() class="field-label">"Instance"</label>
                <TextSelectInput id=select_id value=subject.asset_id options />
                <FieldErrorText errors field="asset_id" id=format!("{id_prefix}-instance-error") />
            </div>
        </div>
    }
}
