//! `/auth/logout` (an app asked to sign the person out; they confirm) and
//! `/auth/signed-out`.

use super::ErrorPage;
use crate::api;
use crate::components::Card;
use crate::dom::{leave_to, set_title};
use crate::logic::flow::api_problem;
use crate::logic::query::parse_query;
use crate::logic::text::t;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::LogoutRequest;

/// The relying party's logout request, from the query.
fn request_from(query: &str) -> LogoutRequest {
    let mut req = LogoutRequest::default();
    for (k, v) in parse_query(query) {
        let slot = match k.as_str() {
            "id_token_hint" => &mut req.id_token_hint,
            "client_id" => &mut req.client_id,
            "post_logout_redirect_uri" => &mut req.post_logout_redirect_uri,
            "state" => &mut req.state,
            "ui_locales" => &mut req.ui_locales,
            _ => continue,
        };
        *slot = Some(v);
    }
    req
}

/// Asks before signing out (a link on any site must not sign people out);
/// the server checks the request and says where to go next.
#[component]
pub fn LogoutPage() -> impl IntoView {
    let t = t();
    set_title(t.sign_out);
    let req = StoredValue::new(request_from(&crate::dom::query()));
    let problem = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let sign_out = move |_| {
        busy.set(true);
        spawn_local(async move {
            match api::confirm_logout(&req.get_value()).await {
                Ok(r) => leave_to(&r.redirect_url),
                Err(e) => {
                    problem.set(Some(api_problem(&e)));
                    busy.set(false);
                }
            }
        });
    };
    move || match problem.get() {
        Some(problem) => view! { <ErrorPage problem/> }.into_any(),
        None => view! {
            <Card>
                <h1 id="title">{t.sign_out_title}</h1>
                <p>{t.sign_out_asked}</p>
                <div class="actions">
                    <a class="button button--secondary" href="/">{t.stay_signed_in}</a>
                    <button
                        type="button"
                        class="button button--primary"
                        disabled=move || busy.get()
                        on:click=sign_out
                    >
                        {t.sign_out}
                    </button>
                </div>
            </Card>
        }
        .into_any(),
    }
}

#[component]
pub fn SignedOutPage() -> impl IntoView {
    let t = t();
    set_title(t.signed_out_page);
    view! {
        <Card>
            <h1 id="title">{t.signed_out_title}</h1>
            <p>{t.signed_out_text}</p>
            <p class="hint">{t.close_window}</p>
        </Card>
    }
}
