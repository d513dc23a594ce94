use super::Logo;
use leptos::prelude::*;
use shared::AppInfo;

/// The requesting application's logo (or a lettered placeholder), name and
/// description.
#[component]
pub fn AppIdentity(
    /// The application as the API describes it.
    app: AppInfo,
) -> impl IntoView {
    view! {
        <div class="app">
            <Logo name=app.name.clone() url=app.logo_url size="56"/>
            <div class="app__text">
                <h1 id="title" class="app__name">{app.name}</h1>
                <p class="app__description">{app.description}</p>
            </div>
        </div>
    }
}
