//! `/account/apps`: every app with access to the person's account, what it
//! may do and since when; removing that access (after a confirmation); and
//! signing out of every browser.

use super::ErrorPage;
use crate::api;
use crate::components::{Card, Loading, Logo, ScopeList};
use crate::dom::{leave_to, set_title};
use crate::logic::apps::{day, registration_label, without};
use crate::logic::flow::{api_problem, unavailable};
use crate::logic::next::{auth_href, AuthMode};
use crate::logic::problem::Problem;
use crate::logic::text::{around, fill, t};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ConnectedApp;

const HERE: &str = "/account/apps";

#[derive(Debug, Clone)]
enum Screen {
    Loading,
    Apps(Vec<ConnectedApp>),
    Problem(Problem),
}

#[component]
pub fn AppsPage() -> impl IntoView {
    let t = t();
    set_title(t.apps_title);
    let screen = RwSignal::new(Screen::Loading);
    let load = move || {
        spawn_local(async move {
            screen.set(match api::connected_apps().await {
                Ok(list) => Screen::Apps(list.apps),
                Err(e) if e.status() == Some(401) => {
                    leave_to(&auth_href(AuthMode::SignIn, Some(HERE)));
                    Screen::Loading
                }
                Err(e) => Screen::Problem(unavailable(&e)),
            })
        })
    };
    load();
    let retry = Callback::new(move |()| load());
    // Announced after a removal (the removed item takes its focus with it).
    let status = RwSignal::new(String::new());
    let removed = Callback::new(move |(client_id, name): (String, String)| {
        screen.update(|s| {
            if let Screen::Apps(apps) = s {
                *apps = without(apps, &client_id);
            }
        });
        status.set(fill(t.removed, "{app}", &name));
    });
    let signing_out = RwSignal::new(false);
    let sign_out_error = RwSignal::new(None::<String>);
    let sign_out_everywhere = move |_| {
        signing_out.set(true);
        spawn_local(async move {
            match api::sign_out_everywhere().await {
                Ok(()) => leave_to("/auth/signed-out"),
                Err(e) => {
                    sign_out_error.set(Some(e.user_message()));
                    signing_out.set(false);
                }
            }
        });
    };

    move || match screen.get() {
        Screen::Loading => view! { <Loading label=t.apps_loading/> }.into_any(),
        Screen::Problem(problem) => view! { <ErrorPage problem on_retry=retry/> }.into_any(),
        Screen::Apps(apps) => {
            let list = if apps.is_empty() {
                view! { <p data-testid="no-apps">{t.no_apps}</p> }.into_any()
            } else {
                view! {
                    <ul class="apps" aria-labelledby="title">
                        {apps
                            .into_iter()
                            .map(|app| view! { <ConnectedAppItem app removed/> })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            };
            view! {
                <Card>
                    <h1 id="title">{t.apps_title}</h1>
                    <p class="hint">{t.apps_intro}</p>
                    <p class="status" role="status" aria-live="polite">{move || status.get()}</p>
                    {list}
                    <h2 class="section-title">{t.sessions_title}</h2>
                    <p class="hint">{t.sessions_text}</p>
                    <div class="form__error" role="alert">
                        {move || sign_out_error.get().map(|e| view! { <p>{e}</p> })}
                    </div>
                    <div class="actions actions--single">
                        <button
                            type="button"
                            class="button button--secondary"
                            disabled=move || signing_out.get()
                            on:click=sign_out_everywhere
                        >
                            {t.sign_out_everywhere}
                        </button>
                    </div>
                </Card>
            }
            .into_any()
        }
    }
}

/// One app: who, what it may do, since when; and "Remove access".
#[component]
fn ConnectedAppItem(app: ConnectedApp, removed: Callback<(String, String)>) -> impl IntoView {
    let t = t();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let confirm_button = NodeRef::<leptos::html::Button>::new();
    let ask_button = NodeRef::<leptos::html::Button>::new();
    let client_id = StoredValue::new(app.client_id.clone());
    let name = StoredValue::new(app.name.clone());
    let ask = move |_| {
        confirming.set(true);
        // Keyboard users land on the choice they now have to make.
        request_animation_frame(move || {
            if let Some(b) = confirm_button.get_untracked() {
                let _ = b.focus();
            }
        });
    };
    let cancel = move |_| {
        confirming.set(false);
        request_animation_frame(move || {
            if let Some(b) = ask_button.get_untracked() {
                let _ = b.focus();
            }
        });
    };
    let remove = move |_| {
        busy.set(true);
        spawn_local(async move {
            match api::remove_app(&client_id.get_value()).await {
                Ok(()) => removed.run((client_id.get_value(), name.get_value())),
                Err(e) if e.status() == Some(404) => {
                    removed.run((client_id.get_value(), name.get_value()))
                }
                Err(e) => {
                    error.set(Some(
                        api_problem(&e).detail.unwrap_or_else(|| e.user_message()),
                    ));
                    busy.set(false);
                }
            }
        });
    };
    let resources = (!app.resources.is_empty()).then(|| {
        view! {
            <div class="fact">
                <dt>{t.for_services}</dt>
                <dd><span class="fact__value">{app.resources.join(", ")}</span></dd>
            </div>
        }
    });
    let last_used = app.last_used_at.map_or_else(|| t.not_yet.to_owned(), day);
    let heading_id = format!("app-{}", app.granted_at);
    let question = around(t.remove_question, "{app}");
    view! {
        <li class="connected" data-testid="connected-app" data-client-id=app.client_id.clone()>
            <div class="connected__head">
                <Logo name=app.name.clone() url=app.logo_url.clone() size="40"/>
                <div>
                    <h2 class="connected__name" id=heading_id.clone()>{app.name.clone()}</h2>
                    <p class="hint">{registration_label(app.registration, t)}</p>
                </div>
            </div>
            <ScopeList rows=app.scopes.clone()/>
            <dl class="facts">
                {resources}
                <div class="fact">
                    <dt>{t.allowed_since}</dt>
                    <dd><span class="fact__value">{day(app.granted_at)}</span></dd>
                </div>
                <div class="fact">
                    <dt>{t.last_used}</dt>
                    <dd><span class="fact__value">{last_used}</span></dd>
                </div>
            </dl>
            <div class="form__error" role="alert">{move || error.get().map(|e| view! { <p>{e}</p> })}</div>
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <button type="button" class="button button--secondary" node_ref=ask_button on:click=ask>
                        {t.remove_access}
                    </button>
                }
            >
                <div class="confirm" role="group" aria-label=t.confirm_removal>
                    <p>
                        {question.0} <strong>{name.get_value()}</strong> {question.1}
                    </p>
                    <div class="actions">
                        <button type="button" class="button button--secondary" disabled=move || busy.get() on:click=cancel>
                            {t.cancel}
                        </button>
                        <button
                            type="button"
                            class="button button--danger"
                            node_ref=confirm_button
                            disabled=move || busy.get()
                            on:click=remove
                        >
                            {t.remove_access}
                        </button>
                    </div>
                </div>
            </Show>
        </li>
    }
}
