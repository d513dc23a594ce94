use crate::dom::choose_language;
use crate::logic::text::{lang, t, Lang};
use leptos::prelude::*;

/// English or German; the current one is pressed.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let current = lang();
    let button = move |l: Lang, label: &'static str| {
        view! {
            <button
                type="button"
                class="link-button"
                lang=l.code()
                aria-pressed=(current == l).to_string()
                on:click=move |_| choose_language(l)
            >
                {label}
            </button>
        }
    };
    view! {
        <nav class="language" aria-label=t().language>
            {button(Lang::En, "English")} " · " {button(Lang::De, "Deutsch")}
        </nav>
    }
}
