//! Lists that load further pages with the server's `next_cursor`.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::Page;

use crate::api::ApiError;

/// The pages of a list loaded so far. A reload discards responses to requests made before it,
/// so a slow response for an old filter never overwrites the new one.
#[derive(Debug)]
pub struct PagedList<T: Send + Sync + 'static> {
    pub items: RwSignal<Vec<T>>,
    pub next_cursor: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
    generation: RwSignal<u64>,
}

impl<T: Send + Sync + 'static> Clone for PagedList<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for PagedList<T> {}

impl<T: Clone + Send + Sync + 'static> PagedList<T> {
    pub fn new() -> Self {
        Self {
            items: RwSignal::new(Vec::new()),
            next_cursor: RwSignal::new(None),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
            generation: RwSignal::new(0),
        }
    }

    /// Replaces the list with the first page that `fetch(None)` returns.
    pub fn reload<F, Fut>(self, fetch: F)
    where
        F: FnOnce(Option<String>) -> Fut + 'static,
        Fut: Future<Output = Result<Page<T>, ApiError>> + 'static,
    {
        self.generation.update(|generation| *generation += 1);
        self.load(fetch, None, true);
    }

    /// Replaces the list with everything `fetch` returns, for endpoints that return a whole
    /// list in one response.
    pub fn reload_whole<F, Fut>(self, fetch: F)
    where
        F: FnOnce() -> Fut + 'static,
        Fut: Future<Output = Result<Vec<T>, ApiError>> + 'static,
    {
        self.reload(move |_| async move {
            let items = fetch().await?;
            Ok(Page {
                items,
                next_cursor: None,
            })
        });
    }

    /// Appends the page after the last one loaded, when there is one.
    pub fn load_more<F, Fut>(self, fetch: F)
    where
        F: FnOnce(Option<String>) -> Fut + 'static,
        Fut: Future<Output = Result<Page<T>, ApiError>> + 'static,
    {
        let Some(cursor) = self.next_cursor.get_untracked() else {
            return;
        };
        self.load(fetch, Some(cursor), false);
    }

    /// Replaces one loaded item, for example after an action changed it on the server.
    pub fn replace(self, matches: impl Fn(&T) -> bool, item: T) {
        self.items.update(|items| {
            if let Some(slot) = items.iter_mut().find(|existing| matches(existing)) {
                *slot = item;
            }
        });
    }

    fn load<F, Fut>(self, fetch: F, cursor: Option<String>, replace: bool)
    where
        F: FnOnce(Option<String>) -> Fut + 'static,
        Fut: Future<Output = Result<Page<T>, ApiError>> + 'static,
    {
        let generation = self.generation.get_untracked();
        self.loading.set(true);
        self.error.set(None);

        spawn_local(async move {
            let result = fetch(cursor).await;
            if self.generation.try_get_untracked() != Some(generation) {
                return;
            }

            match result {
                Ok(page) => {
                    if replace {
                        self.items.set(page.items);
                    } else {
                        self.items.update(|items| items.extend(page.items));
                    }
                    self.next_cursor.set(page.next_cursor);
                }
                Err(error) => self.error.set(Some(error)),
            }
            self.loading.set(false);
        });
    }
}

impl<T: Clone + Send + Sync + 'static> Default for PagedList<T> {
    fn default() -> Self {
        Self::new()
    }
}
