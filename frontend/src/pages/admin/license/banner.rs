use leptos::prelude::*;
use leptos_router::components::A;
use shared::license::BannerLevel;

use super::page::LICENSE_PATH;
use super::status_context::LicenseStatusContext;

/// Renders the license banner at the top of every admin page while the license needs
/// attention: amber (`role="status"`) for the grace period, the band exceeded and the last
/// week of the evaluation, red (`role="alert"`) when the installation is unlicensed.
#[component]
pub fn LicenseBanner() -> impl IntoView {
    let context = expect_context::<LicenseStatusContext>();
    move || {
        let banner = context
            .status
            .with(|status| status.as_ref().and_then(|status| status.banner.clone()))?;
        let (class, role) = match banner.level {
            BannerLevel::Warning => ("license-banner warning-banner", "status"),
            BannerLevel::Critical => ("license-banner error-banner", "alert"),
        };
        Some(view! {
            <div class=class role=role aria-label="License">
                <p>
                    {banner.message}
                    " "
                    <A href=LICENSE_PATH>"Open the License page"</A>
                </p>
            </div>
        })
    }
}
