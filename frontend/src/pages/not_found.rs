use crate::components::Card;
use crate::dom::set_title;
use crate::logic::problem::ProblemKind;
use crate::logic::text::t;
use leptos::prelude::*;

/// Any path this app does not know.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let kind = ProblemKind::PageNotFound;
    set_title(kind.title());
    view! {
        <Card class="card--error">
            <div class="error" data-problem="PageNotFound">
                <span class="error__icon" aria-hidden="true">"?"</span>
                <h1 id="title">{kind.title()}</h1>
                <p>{kind.explanation()}</p>
                <p><a href="/">{t().start_page}</a></p>
            </div>
        </Card>
    }
}
