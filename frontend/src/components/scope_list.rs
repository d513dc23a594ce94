use leptos::prelude::*;
use shared::ScopeInfo;

/// The permissions being requested, each with what it allows.
#[component]
pub fn ScopeList(
    /// The requested scopes, in catalogue order.
    rows: Vec<ScopeInfo>,
) -> impl IntoView {
    view! {
        <ul class="scopes" aria-labelledby="scopes-heading">
            {rows
                .into_iter()
                .map(|row| {
                    view! {
                        <li class="scope">
                            <span class="scope__check" aria-hidden="true">"✓"</span>
                            <span class="scope__text">
                                <span class="scope__description">{row.description}</span>
                                <code class="scope__name">{row.name}</code>
                            </span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
