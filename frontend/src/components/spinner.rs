use leptos::prelude::*;

/// A small spinning ring. Decorative: the surrounding text says what is
/// happening, so screen readers skip it.
#[component]
pub fn Spinner() -> impl IntoView {
    view! { <span class="spinner" aria-hidden="true"></span> }
}
