use super::{Card, Spinner};
use leptos::prelude::*;

/// A whole-screen loading state, announced politely to screen readers.
#[component]
pub fn Loading(
    /// What is being waited for, e.g. "Loading application…".
    #[prop(into)]
    label: String,
) -> impl IntoView {
    view! {
        <Card class="card--loading">
            <div class="loading" role="status" aria-live="polite">
                <Spinner/>
                <p>{label}</p>
            </div>
        </Card>
    }
}
