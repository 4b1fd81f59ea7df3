use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::branding::Branding;

use crate::api::branding;

/// The title and logo every page shows, provided as context at the root of each app. Until
/// the server responds, and when it cannot be reached, it contains the product's name and no
/// logo.
#[derive(Debug, Clone, Copy)]
pub struct BrandingState {
    pub branding: RwSignal<Branding>,
}

impl BrandingState {
    /// Creates the state, loads the branding and keeps the document title in step with it.
    pub fn provide() -> Self {
        let state = Self {
            branding: RwSignal::new(Branding::default()),
        };
        provide_context(state);
        Effect::new(move |_| {
            let title = state.branding.with(|branding| branding.title.clone());
            document().set_title(&title);
        });
        state.reload();
        state
    }

    /// Fetches the branding again, after an administrator changed it.
    pub fn reload(self) {
        spawn_local(async move {
            // A failure keeps what is shown; the pages work without the branding.
            if let Ok(branding) = branding::branding().await {
                self.branding.set(branding);
            }
        });
    }
}
