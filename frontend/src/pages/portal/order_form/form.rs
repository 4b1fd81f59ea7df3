use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::catalog::{CatalogItem, JustificationRule};
use shared::orders::NewOrder;
use shared::validation;

use crate::api::{ApiError, PortalApi};
use crate::components::{ErrorBanner, FieldErrorText, TextAreaField, TextField};
use crate::format::monthly_cost;
use crate::forms::{FieldErrors, non_blank};
use crate::pages::portal::attribute_fields::{
    AttributeFields, ClassificationNote, attribute_inputs, attribute_values,
};

/// Renders the order form: the entry's help and cost, a field per attribute, the duration and,
/// unless the entry turns it off, a justification.
#[component]
pub fn OrderForm(item: CatalogItem) -> impl IntoView {
    let api = expect_context::<PortalApi>();
    let navigate = use_navigate();

    let duration = RwSignal::new(item.default_duration_days.to_string());
    let justification = RwSignal::new(String::new());
    let start_date = RwSignal::new(String::new());
    let on_behalf_of = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);

    let rule = item.justification;
    let max_days = item.max_duration_days;
    let approval_note = approval_note(item.needs_approval, &item.approvers);
    let inputs = attribute_inputs(&item.attributes, None);
    let read_inputs = StoredValue::new(inputs.clone());
    let classification = item.classification;
    let help_html = item.help_html.clone();
    let cost = item.monthly_cost.as_ref().map(|cost| {
        let center = cost.cost_center.trim();
        let charged = if center.is_empty() {
            String::new()
        } else {
            format!(", charged to cost center {center}")
        };
        format!("{}{charged}", monthly_cost(cost))
    });
    let item = StoredValue::new(item);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut field_errors = FieldErrors::default();
        let duration_days = match duration.get_untracked().trim().parse::<i32>() {
            Ok(days) => Some(days),
            Err(_) => {
                field_errors.push("duration_days", "must be a whole number of days");
                None
            }
        };
        let attributes =
            read_inputs.with_value(|inputs| attribute_values(inputs, &mut field_errors));
        let order = NewOrder {
            attributes,
            start_date: read_start_date(&start_date.get_untracked(), &mut field_errors),
            definition_id: item.with_value(|item| item.id),
            duration_days,
            justification: match rule {
                JustificationRule::Off => None,
                _ => non_blank(&justification.get_untracked()),
            },
            on_behalf_of: non_blank(&on_behalf_of.get_untracked()),
        };
        if duration_days.is_some() {
            let rule_errors = item.with_value(|item| validation::new_order(&order, item));
            for rule_error in rule_errors {
                field_errors.push(&rule_error.field, rule_error.message);
            }
        }
        error.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return;
        }

        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api.place_order(&order).await {
                Ok(placed) => {
                    navigate(&format!("/portal/orders/{}", placed.id), Default::default())
                }
                Err(failure) => {
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                    pending.set(false);
                }
            }
        });
    };

    let duration_has_error =
        move || errors.with(|errors| !errors.messages_for("duration_days").is_empty());
    let duration_described_by = move || {
        if duration_has_error() {
            "order-duration-hint order-duration-error"
        } else {
            "order-duration-hint"
        }
    };

    view! {
        <h1>{item.with_value(|item| item.name.clone())}</h1>
        <p class="preserve-lines">{item.with_value(|item| item.description.clone())}</p>
        {(!help_html.trim().is_empty())
            .then(|| view! { <div class="help-preview" inner_html=help_html></div> })}
        {cost
            .map(|cost| {
                view! {
                    <dl class="facts compact">
                        <dt>"Monthly cost"</dt>
                        <dd>{cost}</dd>
                    </dl>
                }
            })}
        <form class="card narrow" on:submit=submit novalidate=true>
            <ClassificationNote classification />
            <ErrorBanner error />
            <AttributeFields inputs errors id_prefix="order-attribute" disabled=pending />
            <div class="field">
                <label for="order-duration">"Duration (days)"</label>
                <p class="hint" id="order-duration-hint">
                    {format!("At most {max_days} days.")}
                </p>
                <input
                    id="order-duration"
                    name="duration_days"
                    type="number"
                    min="1"
                    max=max_days
                    required=true
                    aria-invalid=move || duration_has_error().then_some("true")
                    aria-describedby=duration_described_by
                    bind:value=duration
                />
                <FieldErrorText errors field="duration_days" id="order-duration-error".to_string() />
            </div>
            <TextField
                id="order-start-date"
                label="Start on (optional)"
                value=start_date
                errors
                field="start_date"
                input_type="date"
                disabled=pending
                hint="Leave it empty to start as soon as the order is approved."
            />
            <TextField
                id="order-on-behalf-of"
                label="Order for someone else (optional)"
                value=on_behalf_of
                errors
                field="on_behalf_of"
                disabled=pending
                hint="Their account name or e-mail address. They get the access and the e-mails; their manager approves, and you both see the order."
            />
            <Show when=move || rule != JustificationRule::Off>
                <TextAreaField
                    id="order-justification"
                    label="Justification"
                    value=justification
                    errors
                    field="justification"
                    rows=4
                    required=rule == JustificationRule::Required
                    hint="Say why you need this access."
                />
            </Show>
            <p class="muted approval-note">{approval_note}</p>
            <button type="submit" class="button" disabled=move || pending.get()>
                "Submit order"
            </button>
        </form>
    }
}

/// Reads the optional start day, adding a field error when it is not a date.
fn read_start_date(text: &str, errors: &mut FieldErrors) -> Option<chrono::NaiveDate> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(day) => Some(day),
        Err(_) => {
            errors.push("start_date", "must be a date such as 2027-01-31");
            None
        }
    }
}

/// Describes who receives the order for approval, such as "Approvers: your manager; 2 of 3
/// application owners.", or that no approval is needed.
fn approval_note(needs_approval: bool, approvers: &[String]) -> String {
    if !needs_approval || approvers.is_empty() {
        return "This item needs no approval; access is set up right away.".to_string();
    }
    format!(
        "Approvers, who receive an e-mail: {}.",
        approvers.join("; ")
    )
}
