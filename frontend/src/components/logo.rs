use crate::logic::flow::safe_logo;
use leptos::prelude::*;

/// An app's logo, or its initial on a coloured square when it has none we
/// may show (see `safe_logo`).
#[component]
pub fn Logo(name: String, url: Option<String>, size: &'static str) -> impl IntoView {
    match safe_logo(url.as_deref()).map(str::to_owned) {
        Some(src) => {
            view! { <img class="app__logo" src=src alt="" width=size height=size/> }.into_any()
        }
        None => {
            let initial = name
                .chars()
                .find(|c| c.is_alphanumeric())
                .map(|c| c.to_uppercase().to_string())
                .unwrap_or_else(|| "?".to_owned());
            view! { <span class="app__logo app__logo--placeholder" aria-hidden="true">{initial}</span> }
                .into_any()
        }
    }
}
