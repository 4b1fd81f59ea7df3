use leptos::html;
use leptos::prelude::*;
use shared::tokens::CreatedApiToken;

/// Renders the secret of a token just created. The server returns it only in the creation
/// response, so it is gone once the admin clicks "Done" or leaves the page.
#[component]
pub fn CreatedTokenSecret(created: CreatedApiToken, on_done: Callback<()>) -> impl IntoView {
    let secret_input = NodeRef::<html::Input>::new();
    // Focuses and selects the secret, so a keyboard user can copy it at once.
    Effect::new(move || {
        if let Some(input) = secret_input.get() {
            let _ = input.focus();
            input.select();
        }
    });
    let heading = format!("Created the API token {}", created.token.name);

    view! {
        <div class="status-message success">
            <h3>{heading}</h3>
            <p>
                <strong>"Copy it now: it is not shown again"</strong>
            </p>
            <div class="field">
                <label for="new-token-secret">"Secret"</label>
                <p class="hint" id="new-token-secret-hint">
                    "Scripts send it in the header Authorization: Bearer <secret>."
                </p>
                <input
                    id="new-token-secret"
                    type="text"
                    readonly=true
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby="new-token-secret-hint"
                    node_ref=secret_input
                    prop:value=created.secret
                />
            </div>
            <div class="actions">
                <button type="button" class="button" on:click=move |_| on_done.run(())>
                    "Done"
                </button>
            </div>
        </div>
    }
}
