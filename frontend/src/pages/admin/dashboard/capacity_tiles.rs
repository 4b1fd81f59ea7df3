use leptos::prelude::*;
use shared::pool::{CapacityTile, FillLevel};

use crate::api::AdminApi;
use crate::components::{ErrorBanner, Loading};
use crate::labels;

/// Renders how full each active definition is: used of all slots, or "no limit", and the free
/// ones, with a word and a color for the fill level.
#[component]
pub fn CapacityTiles() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let tiles = LocalResource::new(move || api.all_capacity());

    view! {
        <section aria-labelledby="capacity-heading">
            <h2 id="capacity-heading">"Capacity"</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match tiles.await {
                        Ok(tiles) if tiles.is_empty() => {
                            view! { <p class="muted">"No active asset definitions."</p> }
                                .into_any()
                        }
                        Ok(tiles) => {
                            let tiles = tiles
                                .into_iter()
                                .map(|tile| view! { <CapacityCard tile /> })
                                .collect_view();
                            view! { <div class="count-cards">{tiles}</div> }.into_any()
                        }
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn CapacityCard(tile: CapacityTile) -> impl IntoView {
    let class = match tile.level {
        FillLevel::Ok => "card count-card capacity-card capacity-ok",
        FillLevel::Warning => "card count-card capacity-card capacity-warning",
        FillLevel::Critical => "card count-card capacity-card capacity-critical",
    };
    let used = match tile.total {
        Some(total) => format!("{} / {total}", tile.used),
        None => format!("{} / no limit", tile.used),
    };
    let free = match tile.free {
        Some(free) => format!("{free} free"),
        None => "No limit".to_string(),
    };

    let label = tile.name.clone();

    view! {
        <article class=class aria-label=label>
            <h3 class="count-label">{tile.name}</h3>
            <p class="count">{used}</p>
            <p class="capacity-free">{free}</p>
            <p class="capacity-level">{labels::fill_level(tile.level)}</p>
        </article>
    }
}
