//! `/auth/logout` (an app asked to sign the person out; they confirm) and
//! `/auth/signed-out`.

use super::ErrorPage;
use crate::api;
use crate::components::Card;
use crate::dom::{leave_to, set_title};
use crate::logic::flow::{api_problem, redirect_host};
use crate::logic::query::parse_query;
use crate::logic::text::t;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{LogoutConfirmation, RedirectUri};

/// Asks before signing out (a link on any site must not sign people out);
/// the server checks the request and says where to go next.
#[component]
pub fn LogoutPage() -> impl IntoView {
    let t = t();
    set_title(t.sign_out);
    // The relying party's query goes back to the server as it came; the
    // server reads it (and decides where to go) by its own rules.
    let query = crate::dom::query();
    // Where the server will send the browser once signed out, if it agrees
    // the address is the app's: the person sees the host before confirming.
    let host = parse_query(&query)
        .into_iter()
        .find(|(k, _)| k == "post_logout_redirect_uri")
        .and_then(|(_, uri)| RedirectUri::parse(&uri))
        .map(|uri| redirect_host(&uri));
    let confirmation = StoredValue::new(LogoutConfirmation { query });
    let problem = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let sign_out = move |_| {
        busy.set(true);
        spawn_local(async move {
            match api::confirm_logout(&confirmation.get_value()).await {
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
        None => {
            let destination = host.clone().map(|host| {
                view! {
                    <dl class="facts">
                        <div class="fact">
                            <dt>{t.sent_to}</dt>
                            <dd>
                                <span class="fact__value" data-testid="redirect-host">{host}</span>
                            </dd>
                        </div>
                    </dl>
                }
            });
            view! {
            <Card>
                <h1 id="title">{t.sign_out_title}</h1>
                <p>{t.sign_out_asked}</p>
                {destination}
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
            .into_any()
        }
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
