use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::license::LicenseStatus;
use shared::permissions::Permission;

use crate::api::AdminApi;
use crate::state::AdminAuth;

/// The license status that the banner of the admin layout shows. The License page replaces it
/// after an upload or a removal, so the banner follows at once.
#[derive(Debug, Clone, Copy)]
pub struct LicenseStatusContext {
    pub status: RwSignal<Option<LicenseStatus>>,
}

impl LicenseStatusContext {
    /// Provides the context and loads the status whenever the signed-in admin may read it.
    pub fn provide() -> Self {
        let context = Self {
            status: RwSignal::new(None),
        };
        provide_context(context);
        let auth = expect_context::<AdminAuth>();
        let api = expect_context::<AdminApi>();
        Effect::new(move |_| {
            if !auth.allows(Permission::LicenseRead) {
                context.status.set(None);
                return;
            }
            spawn_local(async move {
                // A failed load shows no banner; the License page shows the error.
                if let Ok(status) = api.license().await {
                    context.status.try_set(Some(status));
                }
            });
        });
        context
    }
}
