use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use shared::catalog::{AttributeDefinition, ExtensionPolicy};
use shared::orders::{Order, OrderState};
use shared::validation;
use uuid::Uuid;

use crate::api::{ApiError, PortalApi};
use crate::components::{ErrorBanner, FieldErrorText};
use crate::format::{days, optional_date_time};
use crate::forms::FieldErrors;
use crate::pages::portal::attribute_fields::{AttributeFields, attribute_inputs, attribute_values};

/// Renders the form that extends active access by a number of days, within the entry's policy.
/// `on_done` receives the order as the server returns it, with a line saying what happened.
#[component]
pub fn ExtendForm(
    order_id: Uuid,
    policy: ExtensionPolicy,
    extension_count: i32,
    on_done: Callback<(Order, String)>,
) -> impl IntoView {
    let api = expect_context::<PortalApi>();
    let max_days = policy.max_days;
    let remaining = (policy.max_count - extension_count).max(0);
    let value = RwSignal::new(max_days.to_string());
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut field_errors = FieldErrors::default();
        match value.get_untracked().trim().parse::<i32>() {
            Ok(count) if (1..=max_days).contains(&count) => {
                errors.set(field_errors);
                error.set(None);
                pending.set(true);
                spawn_local(async move {
                    let result = api.extend_order(order_id, count).await;
                    pending.set(false);
                    match result {
                        Ok(order) => {
                            let message = match order.state {
                                OrderState::ModificationPending => {
                                    format!("Your extension by {} waits for approval.", days(count))
                                }
                                _ => format!(
                                    "Extended by {}: access now ends {}.",
                                    days(count),
                                    optional_date_time(order.expires_at)
                                ),
                            };
                            on_done.run((order, message));
                        }
                        Err(failure) => {
                            errors.set(FieldErrors::from_api(&failure));
                            error.set(Some(failure));
                        }
                    }
                });
            }
            _ => {
                field_errors.push(
                    "days",
                    format!("must be a whole number from 1 to {max_days}"),
                );
                errors.set(field_errors);
            }
        }
    };

    let has_error = move || errors.with(|errors| !errors.messages_for("days").is_empty());
    let described_by = move || {
        if has_error() {
            "extend-days-hint extend-days-error"
        } else {
            "extend-days-hint"
        }
    };
    let approval = if policy.requires_approval {
        " An extension needs approval."
    } else {
        ""
    };
    let times = if remaining == 1 {
        "1 more time".to_string()
    } else {
        format!("{remaining} more times")
    };

    view! {
        <section class="card" aria-labelledby="extend-heading">
            <h2 id="extend-heading">"Extend access"</h2>
            <form on:submit=submit novalidate=true>
                <ErrorBanner error />
                <div class="field">
                    <label for="extend-days">"Extend by (days)"</label>
                    <p class="hint" id="extend-days-hint">
                        {format!("At most {max_days} days at a time; you can extend {times}.{approval}")}
                    </p>
                    <input
                        id="extend-days"
                        name="days"
                        type="number"
                        min="1"
                        max=max_days
                        required=true
                        disabled=move || pending.get()
                        aria-invalid=move || has_error().then_some("true")
                        aria-describedby=described_by
                        bind:value=value
                    />
                    <FieldErrorText errors field="days" id="extend-days-error".to_string() />
                </div>
                <button type="submit" class="button" disabled=move || pending.get()>
                    "Extend"
                </button>
            </form>
        </section>
    }
}

/// Renders the form that changes the attribute values of active access, prefilled with the
/// current ones. `on_done` receives the order as the server returns it, with a line saying what
/// happened.
#[component]
pub fn ChangeForm(
    order_id: Uuid,
    definitions: Vec<AttributeDefinition>,
    current: Value,
    on_done: Callback<(Order, String)>,
) -> impl IntoView {
    let api = expect_context::<PortalApi>();
    let inputs = attribute_inputs(&definitions, Some(&current));
    let read_inputs = StoredValue::new(inputs.clone());
    let definitions = StoredValue::new(definitions);
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut field_errors = FieldErrors::default();
        let values = read_inputs.with_value(|inputs| attribute_values(inputs, &mut field_errors));
        let rule_errors = definitions
            .with_value(|definitions| validation::order_attributes(&values, definitions));
        for rule_error in rule_errors {
            field_errors.push(&rule_error.field, rule_error.message);
        }
        error.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = api.modify_order(order_id, values).await;
            pending.set(false);
            match result {
                Ok(order) => {
                    let message = match order.state {
                        OrderState::ModificationPending => {
                            "Your change of the details waits for approval."
                        }
                        _ => "Details saved.",
                    };
                    on_done.run((order, message.to_string()));
                }
                Err(failure) => {
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                }
            }
        });
    };

    view! {
        <section class="card" aria-labelledby="change-heading">
            <h2 id="change-heading">"Change details"</h2>
            <form on:submit=submit novalidate=true>
                <ErrorBanner error />
                <AttributeFields inputs errors id_prefix="change-attribute" disabled=pending />
                <button type="submit" class="button" disabled=move || pending.get()>
                    "Save changes"
                </button>
            </form>
        </section>
    }
}
