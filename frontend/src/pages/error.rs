use crate::components::Card;
use crate::dom::set_title;
use crate::logic::problem::Problem;
use crate::logic::text::t;
use leptos::prelude::*;

/// An error screen: a clear title, a plain explanation, the specific detail,
/// and Retry where trying again can help. It never offers a link back to the
/// application: on these screens its redirect URI is not verified, or its
/// client is one nobody vouched for (RFC 9700 §4.11.2).
#[component]
pub fn ErrorPage(
    /// What went wrong.
    problem: Problem,
    /// Called by the Retry button; shown only for retryable problems.
    #[prop(optional)]
    on_retry: Option<Callback<()>>,
) -> impl IntoView {
    let kind = problem.kind;
    set_title(kind.title());
    let retry = on_retry.filter(|_| kind.retryable()).map(|cb| {
        view! {
            <div class="actions actions--single">
                <button type="button" class="button button--primary" on:click=move |_| cb.run(())>
                    {t().retry}
                </button>
            </div>
        }
    });
    view! {
        <Card class="card--error">
            <div class="error" data-problem=kind.id()>
                <span class="error__icon" aria-hidden="true">"!"</span>
                <h1 id="title">{kind.title()}</h1>
                <p>{kind.explanation()}</p>
                {problem.detail.map(|d| view! { <p class="error__detail">{d}</p> })}
                {retry}
                <p class="hint">{t().close_window}</p>
            </div>
        </Card>
    }
}
