use super::LanguageSwitch;
use crate::logic::text::t;
use leptos::prelude::*;

/// The centred card every screen is drawn in, with the product name above it
/// and a short footer below.
#[component]
pub fn Card(
    /// The card's content.
    children: Children,
    /// An extra class for the card (e.g. `card--error`).
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    view! {
        <div class="page">
            <header class="brand">
                <span class="brand__mark" aria-hidden="true">"A"</span>
                <span class="brand__name">"AutoGPT"</span>
            </header>
            <main id="main" class=format!("card {class}")>{children()}</main>
            <footer class="site-footer">
                <p>{t().footer}</p>
                <LanguageSwitch/>
            </footer>
        </div>
    }
}
