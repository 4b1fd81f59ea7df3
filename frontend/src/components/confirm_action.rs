use leptos::html;
use leptos::prelude::*;

/// Moves keyboard focus to `button` once the view that shows it has been drawn.
fn focus_after_render(button: NodeRef<html::Button>) {
    request_animation_frame(move || {
        if let Some(button) = button.get_untracked() {
            let _ = button.focus();
        }
    });
}

/// Renders `children` (other buttons) and a danger button that shows `question` before it
/// acts. Once pressed, the question replaces the buttons, with one button that confirms and
/// one that keeps things as they are.
#[component]
pub fn ConfirmAction(
    button_label: &'static str,
    /// The button's accessible name, such as "Delete Nightly cleanup" in a table row.
    #[prop(optional, into)]
    button_aria_label: Option<String>,
    #[prop(into)] question: String,
    confirm_label: &'static str,
    keep_label: &'static str,
    #[prop(into)] pending: Signal<bool>,
    on_confirm: Callback<()>,
    /// Hides the danger button while true, leaving `children`.
    #[prop(optional, into)]
    hidden: Signal<bool>,
    /// `row-actions` in a table row, `actions` under a form.
    #[prop(default = "row-actions")]
    class: &'static str,
    #[prop(optional)] children: Option<ChildrenFn>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let question = StoredValue::new(question);
    let button_aria_label = StoredValue::new(button_aria_label);
    let children = StoredValue::new(children);
    // The pressed button leaves the page when the question replaces it, and the question's
    // buttons leave when it closes. Keyboard focus moves along instead of falling back to the
    // start of the page. It goes to the safe choice while asking, then back to the danger button.
    let danger_button = NodeRef::<html::Button>::new();
    let keep_button = NodeRef::<html::Button>::new();
    let ask = move |_| {
        confirming.set(true);
        focus_after_render(keep_button);
    };
    let keep = move |_| {
        confirming.set(false);
        focus_after_render(danger_button);
    };
    // Once `pending` falls back to false the action has ended, so the buttons return.
    Effect::new(move |was_pending: Option<bool>| {
        let now_pending = pending.get();
        if was_pending == Some(true) && !now_pending {
            confirming.set(false);
            focus_after_render(danger_button);
        }
        now_pending
    });

    view! {
        <Show
            when=move || confirming.get()
            fallback=move || {
                view! {
                    <div class=class>
                        {children.with_value(|children| children.as_ref().map(|children| children()))}
                        <Show when=move || !hidden.get()>
                            <button
                                type="button"
                                class="button danger"
                                aria-label=button_aria_label.get_value()
                                node_ref=danger_button
                                on:click=ask
                            >
                                {button_label}
                            </button>
                        </Show>
                    </div>
                }
            }
        >
            <p class="confirm-question">{question.get_value()}</p>
            // `actions` wraps the two buttons in a narrow cell, where `row-actions` would not.
            <div class="actions">
                <button
                    type="button"
                    class="button danger"
                    disabled=move || pending.get()
                    on:click=move |_| on_confirm.run(())
                >
                    {confirm_label}
                </button>
                <button type="button" class="button secondary" node_ref=keep_button on:click=keep>
                    {keep_label}
                </button>
            </div>
        </Show>
    }
}
