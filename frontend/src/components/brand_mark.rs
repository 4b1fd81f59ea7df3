use leptos::prelude::*;
use shared::branding::LogoPosition;

use crate::state::BrandingState;

/// The place of a [`BrandMark`], which decides whether it shows the logo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrandPlace {
    /// The admin navigation or the portal's top bar.
    Header,
    /// A sign-in page, which hides the logo when the logo position is `hidden_on_sign_in`.
    SignIn,
}

/// Renders the application title with the logo at the position the settings name.
#[component]
pub fn BrandMark(
    place: BrandPlace,
    /// The larger style of the sign-in cards.
    #[prop(optional)]
    large: bool,
) -> impl IntoView {
    let state = expect_context::<BrandingState>();
    let branding = state.branding;

    let class = move || {
        let position = branding.with(|b| b.logo_position);
        let layout = match position {
            LogoPosition::Center => "brand-mark brand-center",
            LogoPosition::Left | LogoPosition::HiddenOnSignIn => "brand-mark brand-left",
        };
        if large {
            format!("{layout} brand-large")
        } else {
            layout.to_string()
        }
    };
    let logo = move || {
        branding.with(|b| {
            let shown = place == BrandPlace::Header || b.logo_position.on_sign_in();
            let url = b.logo_url.clone().filter(|_| shown)?;
            let alt = format!("{} logo", b.title);
            Some(view! { <img class="brand-logo" src=url alt=alt /> })
        })
    };
    let title = move || branding.with(|b| b.title.clone());

    view! {
        <div class=class>
            {logo}
            <span class="brand-title">{title}</span>
        </div>
    }
}
