//! The consent screen: a Leptos (client-side rendered) app served at
//! `/auth/*`. `logic` holds every decision as plain, host-tested functions;
//! the view layer (wasm32 only) renders what they decide.

pub mod logic;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
mod pages;

#[cfg(target_arch = "wasm32")]
pub use app::App;

#[cfg(target_arch = "wasm32")]
mod app {
    use crate::logic::route::Route;
    use crate::pages::{AuthorizePage, HomePage, LoginPage, NotFoundPage};
    use leptos::prelude::*;

    /// The page for the current address; anything unknown is not-found.
    #[component]
    pub fn App() -> impl IntoView {
        match Route::from_path(&crate::dom::pathname()) {
            Route::Home => view! { <HomePage/> }.into_any(),
            Route::Authorize => view! { <AuthorizePage/> }.into_any(),
            Route::Auth(mode) => view! { <LoginPage mode/> }.into_any(),
            Route::NotFound => view! { <NotFoundPage/> }.into_any(),
        }
    }
}
