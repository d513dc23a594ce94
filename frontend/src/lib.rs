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
mod json;
#[cfg(target_arch = "wasm32")]
mod pages;

#[cfg(target_arch = "wasm32")]
pub use app::App;

#[cfg(target_arch = "wasm32")]
mod app {
    use crate::logic::next::AuthMode;
    use crate::logic::route::{route, Page};
    use crate::pages::{
        AppsPage, AuthorizePage, HomePage, LoginPage, LogoutPage, NotFoundPage, SignedOutPage,
    };
    use leptos::prelude::*;

    /// The app's pages, by the path the page was loaded at. The server's
    /// list of app paths (which it answers with `index.html`) is in
    /// `api/src/http/frontend.rs`.
    ///
    /// No client-side router: every move between pages is a page load
    /// (moves that carry an authorize URL must be anyway, see
    /// `dom::leave_to`), and leptos_router measured about 10 KB gzip of the
    /// download's 150 KB budget.
    #[component]
    pub fn App() -> impl IntoView {
        crate::dom::init_language();
        match route(&crate::dom::path()) {
            Page::Home => view! { <HomePage/> }.into_any(),
            Page::Authorize => view! { <AuthorizePage/> }.into_any(),
            Page::SignIn => view! { <LoginPage mode=AuthMode::SignIn/> }.into_any(),
            Page::SignUp => view! { <LoginPage mode=AuthMode::SignUp/> }.into_any(),
            Page::Logout => view! { <LogoutPage/> }.into_any(),
            Page::SignedOut => view! { <SignedOutPage/> }.into_any(),
            Page::Apps => view! { <AppsPage/> }.into_any(),
            Page::NotFound => view! { <NotFoundPage/> }.into_any(),
        }
    }
}
