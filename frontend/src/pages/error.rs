use crate::components::Card;
use crate::dom::set_title;
use crate::logic::problem::Problem;
use crate::logic::text::t;
use leptos::prelude::*;

/// An error screen: a clear title, a plain explanation, the specific detail,
/// and Retry where trying again can help. It offers a way back to the
/// application only when the consent screen passes one (`back`: a verified
/// redirect URI's host, and the click that asks the server to report the
/// problem there).
#[component]
pub fn ErrorPage(
    /// What went wrong.
    problem: Problem,
    /// Called by the action button: Retry (for retryable problems), or the
    /// return to the app (for a problem with a host to go `back` to).
    #[prop(optional)]
    on_retry: Option<Callback<()>>,
) -> impl IntoView {
    let kind = problem.kind;
    set_title(kind.title());
    let label = match (&problem.back, kind.retryable()) {
        (Some(_), _) => Some(t().back_to_app),
        (None, true) => Some(t().retry),
        (None, false) => None,
    };
    let action = on_retry.zip(label).map(|(cb, label)| {
        view! {
            <div class="actions actions--single">
                <button type="button" class="button button--primary" on:click=move |_| cb.run(())>
                    {label}
                </button>
            </div>
        }
    });
    let back = problem.back.map(|host| {
        view! {
            <p>
                {t().sent_to} " " <strong data-testid="redirect-host">{host}</strong>
            </p>
        }
    });
    view! {
        <Card class="card--error">
            <div class="error" data-problem=kind.id()>
                <span class="error__icon" aria-hidden="true">"!"</span>
                <h1 id="title">{kind.title()}</h1>
                <p>{kind.explanation()}</p>
                {problem.detail.map(|d| view! { <p class="error__detail">{d}</p> })}
                {back}
                {action}
                <p class="hint">{t().close_window}</p>
            </div>
        </Card>
    }
}
