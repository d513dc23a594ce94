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
    use crate::logic::next::AuthMode;
    use crate::pages::{AuthorizePage, HomePage, LoginPage, NotFoundPage};
    use leptos::prelude::*;
    use leptos_router::components::{Route, Router, Routes};
    use leptos_router::path;

    /// The routes of the app; anything else is the not-found page.
    #[component]
    pub fn App() -> impl IntoView {
        view! {
            <Router>
                <Routes fallback=|| view! { <NotFoundPage/> }>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/auth/authorize") view=AuthorizePage/>
                    <Route path=path!("/auth/login") view=|| view! { <LoginPage mode=AuthMode::SignIn/> }/>
                    <Route path=path!("/auth/signup") view=|| view! { <LoginPage mode=AuthMode::SignUp/> }/>
                </Routes>
            </Router>
        }
    }
}
