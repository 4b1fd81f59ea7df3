use leptos::prelude::*;

/// Renders the recovery codes that the server returned when two-factor sign-in was turned on.
/// The server never returns them again, so they stay until the admin hides them or leaves the
/// page.
#[component]
pub fn RecoveryCodesList(
    codes: Vec<String>,
    /// The signal that contains `codes`, which the hide button clears.
    recovery_codes: RwSignal<Option<Vec<String>>>,
) -> impl IntoView {
    let items = codes
        .into_iter()
        .map(|code| {
            view! {
                <li>
                    <code>{code}</code>
                </li>
            }
        })
        .collect_view();

    view! {
        <section aria-labelledby="recovery-codes-heading">
            <h3 id="recovery-codes-heading">"Recovery codes"</h3>
            <p>
                "Store these codes somewhere safe, such as a password manager, because this page "
                "shows them only once. When your authenticator app is not at hand, enter one of "
                "them as the authentication code. Each code works once."
            </p>
            <ul class="plain-list">{items}</ul>
            <div class="actions">
                <button
                    type="button"
                    class="button secondary"
                    on:click=move |_| recovery_codes.set(None)
                >
                    "I have stored the codes"
                </button>
            </div>
        </section>
    }
}
