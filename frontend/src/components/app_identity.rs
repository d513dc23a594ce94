use crate::logic::flow::logo_src;
use leptos::prelude::*;
use shared::AppInfo;

/// The requesting application's logo (or a lettered placeholder), name and
/// description.
#[component]
pub fn AppIdentity(
    /// The application as the API describes it.
    app: AppInfo,
) -> impl IntoView {
    let initial = app
        .name
        .chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().to_string())
        .unwrap_or_else(|| "?".to_owned());
    let logo = match logo_src(&app).map(str::to_owned) {
        Some(src) => view! { <img class="app__logo" src=src alt="" width="56" height="56"/> }.into_any(),
        None => view! { <span class="app__logo app__logo--placeholder" aria-hidden="true">{initial}</span> }
            .into_any(),
    };
    view! {
        <div class="app">
            {logo}
            <div class="app__text">
                <h1 id="title" class="app__name">{app.name.clone()}</h1>
                <p class="app__description">{app.description.clone()}</p>
            </div>
        </div>
    }
}
