use leptos::prelude::*;
use shared::permissions::Role;
use shared::settings::RolePair;

use crate::components::{FieldErrorText, SelectInput};
use crate::forms::FieldErrors;
use crate::labels;

/// The pair a new row starts with, because the admin who maintains the catalog should not
/// also approve orders for it.
const NEW_PAIR: RolePair = RolePair {
    first: Role::Admin,
    second: Role::Approver,
};

/// Renders the conflicting role pairs, one row of two role selects each, with "Remove" on
/// each row and "Add pair" under them unless `read_only`.
#[component]
pub fn RolePairList(
    pairs: RwSignal<Vec<RolePair>>,
    #[prop(into)] errors: Signal<FieldErrors>,
    #[prop(into)] read_only: Signal<bool>,
) -> impl IntoView {
    let field = "separation_of_duties.conflicting_roles";
    let has_error = move || errors.with(|errors| !errors.messages_for(field).is_empty());
    let count = move || pairs.with(Vec::len);

    // Rows are keyed by position, so a changed role updates its select in place and keeps the
    // focus. Removing a row shifts the later pairs up into the remaining rows.
    let row = move |index: usize| {
        let number = index + 1;
        let role_of = move |second: bool| {
            Signal::derive(move || {
                pairs.with(|pairs| match pairs.get(index) {
                    Some(pair) if second => pair.second,
                    Some(pair) => pair.first,
                    None => NEW_PAIR.first,
                })
            })
        };
        let choose = move |second: bool| {
            Callback::new(move |role: Role| {
                pairs.update(|pairs| {
                    if let Some(pair) = pairs.get_mut(index) {
                        if second {
                            pair.second = role;
                        } else {
                            pair.first = role;
                        }
                    }
                });
            })
        };
        let remove = move |_| {
            pairs.update(|pairs| {
                if index < pairs.len() {
                    pairs.remove(index);
                }
            });
        };
        view! {
            <li class="role-pair">
                <SelectInput
                    aria_label=format!("First role of pair {number}")
                    value=role_of(false)
                    on_choose=choose(false)
                    options=labels::role_options()
                    disabled=read_only
                />
                <span aria-hidden="true">"and"</span>
                <SelectInput
                    aria_label=format!("Second role of pair {number}")
                    value=role_of(true)
                    on_choose=choose(true)
                    options=labels::role_options()
                    disabled=read_only
                />
                <Show when=move || !read_only.get()>
                    <button type="button" class="button secondary" on:click=remove>
                        "Remove"
                    </button>
                </Show>
            </li>
        }
    };

    view! {
        <div
            class="field"
            role="group"
            aria-labelledby="security-role-pairs-label"
            aria-describedby=move || {
                if has_error() {
                    "security-role-pairs-hint security-role-pairs-error"
                } else {
                    "security-role-pairs-hint"
                }
            }
            aria-invalid=move || has_error().then_some("true")
        >
            <p class="field-label" id="security-role-pairs-label">
                "Conflicting role pairs"
            </p>
            <p class="hint" id="security-role-pairs-hint">
                "One person, known by the mail address their accounts share, may not hold both roles of a pair."
            </p>
            <Show
                when=move || { count() > 0 }
                fallback=|| view! { <p class="muted">"No conflicting role pairs."</p> }
            >
                <ul class="role-pairs">
                    <For each=move || 0..count() key=|index| *index children=row />
                </ul>
            </Show>
            <Show when=move || !read_only.get()>
                <div class="actions">
                    <button
                        type="button"
                        class="button secondary"
                        on:click=move |_| pairs.update(|pairs| pairs.push(NEW_PAIR))
                    >
                        "Add pair"
                    </button>
                </div>
            </Show>
            <FieldErrorText errors field id="security-role-pairs-error".to_string() />
        </div>
    }
}
