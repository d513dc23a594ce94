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
    use crate::pages::{
        AppsPage, AuthorizePage, HomePage, LoginPage, LogoutPage, NotFoundPage, SignedOutPage,
    };
    use leptos::prelude::*;
    use leptos_router::components::{FlatRoutes, Route, Router};
    use leptos_router::path;

    /// The app's pages. The server's list of app paths (which it answers
    /// with `index.html`) is in `api/src/http/frontend.rs`.
    ///
    /// `FlatRoutes` rather than `Routes`: the pages do not nest, and the
    /// nested router's machinery measured about 15 KB gzip more, which
    /// would take the download over its 150 KB budget.
    #[component]
    pub fn App() -> impl IntoView {
        view! {
            <Router>
                <FlatRoutes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/auth/authorize") view=AuthorizePage/>
                    <Route path=path!("/auth/login") view=|| view! { <LoginPage mode=AuthMode::SignIn/> }/>
                    <Route path=path!("/auth/signup") view=|| view! { <LoginPage mode=AuthMode::SignUp/> }/>
                    <Route path=path!("/auth/logout") view=LogoutPage/>
                    <Route path=path!("/auth/signed-out") view=SignedOutPage/>
                    <Route path=path!("/account/apps") view=AppsPage/>
                </FlatRoutes>
            </Router>
        }
    }
}
