//! `/auth/authorize`: the consent screen (RFC 6749 §4.1.1).

use super::ErrorPage;
use crate::api;
use crate::components::{AppIdentity, Card, Loading, ScopeList, Spinner};
use crate::dom::{leave_to, remember_fresh_sign_in, set_title, take_fresh_sign_in};
use crate::logic::flow::{
    after_app_info, already_allowed, api_problem, authorize_outcome, caution, chosen_scope,
    precheck, redirect_host, remembered, request_problem, resource_names, scope_rows, unavailable,
    wants_no_screen, Caution, Next, Outcome,
};
use crate::logic::next::{auth_href_with_hint, AuthMode};
use crate::logic::problem::{Problem, ProblemKind};
use crate::logic::query::authorize_params_from_query;
use crate::logic::text::{around, fill, t};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{
    sign_in_is_fresh, AppInfo, AuthorizeParams, AuthorizeRequest, Decision, ErrorCode, Me,
    ScopeInfo,
};

/// Everything the consent screen shows.
#[derive(Debug, Clone)]
struct Consent {
    /// The parameters as the app sent them: what the decision posts.
    params: AuthorizeParams,
    app: AppInfo,
    me: Me,
    rows: Vec<ScopeInfo>,
    host: String,
    /// The services granted (by name), if the app named any.
    resources: Vec<String>,
    caution: Caution,
    here: Here,
}

/// Where loading the request ended.
#[derive(Debug, Clone)]
enum Screen {
    Loading,
    Consent(Box<Consent>),
    /// Allowed before: going on without the screen (the app's name).
    Continuing(String),
    Problem(Problem),
    /// The browser is on its way elsewhere (sign-in, or a URL the API
    /// validated); keep showing a quiet loading state.
    Leaving,
}

/// Where this page was opened: the request to consider and the way back to
/// it after signing in.
#[derive(Debug, Clone)]
struct Here {
    /// The raw query string, exactly as the app sent it.
    query: String,
    /// The sign-in address that comes back to this exact authorize URL.
    sign_in_href: String,
}

impl Here {
    /// Sends the person to sign in, returning to this exact authorize URL.
    fn sign_in(&self) -> Screen {
        leave_to(&self.sign_in_href);
        Screen::Leaving
    }

    /// Acts on the API's answer to a decision: the only navigation to another
    /// origin this app ever performs goes to the URL the API returned.
    fn follow(&self, outcome: Outcome) -> Screen {
        match outcome {
            Outcome::Navigate(url) => {
                leave_to(&url);
                Screen::Leaving
            }
            Outcome::SignIn => self.sign_in(),
            Outcome::Show(problem) => Screen::Problem(problem),
        }
    }
}

/// Parses the query, checks it, loads the app and the session, and decides
/// which screen to show. The steps follow DESIGN.md's "one authorization".
/// `go_back`: the person clicked to return an unvouched app's problem to it.
async fn load(here: &Here, screen: RwSignal<Screen>, go_back: bool) -> Screen {
    let params = match authorize_params_from_query(&here.query) {
        Ok(p) => p,
        Err(p) => return Screen::Problem(request_problem(&p)),
    };
    let target = match precheck(&params) {
        Ok(t) => t,
        Err(problem) => return Screen::Problem(problem),
    };
    let app = match api::app_info(
        target.client_id.as_str(),
        target.redirect_uri.as_str(),
        &params.resource,
    )
    .await
    {
        Ok(app) => app,
        Err(e) => return Screen::Problem(api_problem(&e)),
    };
    // Problems the page shows (scopes the app may never ask for, a missing
    // PKCE challenge) are shown before anyone is asked to sign in.
    let next = after_app_info(&params, &target, &app);
    if let Next::Show(problem) = next {
        return Screen::Problem(problem);
    }
    // `prompt=none`: no screen; the server answers (a code, or
    // login_required / consent_required back to the app). For an app nobody
    // vouched for, only once signed in (RFC 9700 §4.11.2): the server sends
    // a signed-out visitor here.
    let vouched = app.registration.is_verified();
    let no_screen = wants_no_screen(&params);
    if no_screen && vouched {
        return leave_to_server(here);
    }
    let me = match api::me().await {
        Ok(me) => me,
        Err(e) if e.status() == Some(401) => return here.sign_in(),
        Err(e) => return Screen::Problem(unavailable(&e)),
    };
    let request = match next {
        Next::ServerDecides(p) if !vouched && !go_back => {
            // Shown with the host; the problem goes back to the app only if
            // the person clicks to return (`go_back`).
            let mut problem = request_problem(&p);
            problem.back = Some(redirect_host(&target.redirect_uri));
            return Screen::Problem(problem);
        }
        Next::Consent(_) if no_screen => return leave_to_server(here),
        // `prompt=login`, or a sign-in older than `max_age`: sign in again
        // (once: coming back from that sign-in satisfies both).
        Next::Consent(request)
            if !sign_in_is_fresh(
                request.prompt,
                request.max_age,
                me.auth_age,
                take_fresh_sign_in(&here.query),
            ) =>
        {
            if let Err(e) = api::logout().await {
                return Screen::Problem(unavailable(&e));
            }
            remember_fresh_sign_in(&here.query);
            return here.sign_in();
        }
        Next::Consent(request) => request,
        Next::Show(problem) => return Screen::Problem(problem),
        Next::ServerDecides(_) => {
            // An unknown scope or response type is reported to the app by
            // redirect, which only the server may build. Ask it with "deny":
            // the page never approves anything the person did not click (and
            // for an unvouched app, the person clicked to return).
            let decision = AuthorizeRequest {
                params,
                decision: Decision::Deny,
                chosen_scope: None,
            };
            return here.follow(authorize_outcome(api::authorize(&decision).await));
        }
    };
    // Everything asked for was allowed before: no screen, if the server
    // agrees (it checks the consent, the app and the request itself).
    if remembered(&request, &app) {
        screen.set(Screen::Continuing(app.name.clone()));
        let decision = AuthorizeRequest {
            params: params.clone(),
            decision: Decision::Remembered,
            chosen_scope: None,
        };
        match api::authorize(&decision).await {
            Err(e) if e.code() == Some(ErrorCode::ConsentRequired.as_str()) => {}
            other => return here.follow(authorize_outcome(other)),
        }
    }
    let rows = scope_rows(&request, &app);
    let host = redirect_host(&request.redirect_uri);
    let resources = resource_names(&request, &app);
    let caution = caution(&app);
    Screen::Consent(Box::new(Consent {
        params,
        app,
        me,
        rows,
        host,
        resources,
        caution,
        here: here.clone(),
    }))
}

/// Hands a `prompt=none` request to the server, which answers it without a screen.
fn leave_to_server(here: &Here) -> Screen {
    leave_to(&format!("/api/oauth/authorize?{}", here.query));
    Screen::Leaving
}

/// The consent screen and every screen the request can lead to.
#[component]
pub fn AuthorizePage() -> impl IntoView {
    set_title(t().authorize_title);
    let screen = RwSignal::new(Screen::Loading);
    let start = move |query: String, go_back: bool| {
        let path = crate::dom::path();
        let login_hint = authorize_params_from_query(&query)
            .ok()
            .and_then(|p| p.login_hint);
        let here = Here {
            sign_in_href: auth_href_with_hint(
                AuthMode::SignIn,
                Some(&format!("{path}?{query}")),
                login_hint.as_deref(),
            ),
            query,
        };
        screen.set(Screen::Loading);
        spawn_local(async move { screen.set(load(&here, screen, go_back).await) });
    };
    // Every authorize URL is a page load of its own: the query is fixed.
    start(crate::dom::query(), false);
    // Retry, or the return to an unvouched app (a problem with a host).
    let retry = Callback::new(move |()| {
        let go_back =
            screen.with_untracked(|s| matches!(s, Screen::Problem(p) if p.back.is_some()));
        start(crate::dom::query(), go_back)
    });

    move || match screen.get() {
        Screen::Loading => view! { <Loading label=t().loading_app/> }.into_any(),
        Screen::Leaving => view! { <Loading label=t().redirecting/> }.into_any(),
        Screen::Continuing(name) => {
            view! { <Loading label=fill(t().continuing, "{app}", &name)/> }.into_any()
        }
        Screen::Problem(problem) => view! { <ErrorPage problem on_retry=retry/> }.into_any(),
        Screen::Consent(consent) => view! { <ConsentCard consent=*consent screen/> }.into_any(),
    }
}

/// The card with the app, the permissions, the account and the two buttons.
#[component]
fn ConsentCard(
    /// What to show: the request, the app, the person, the permission rows.
    consent: Consent,
    /// The page's screen, replaced when a decision ends on an error screen.
    screen: RwSignal<Screen>,
) -> impl IntoView {
    set_title(&fill(t().authorize_app_title, "{app}", &consent.app.name));
    let Consent {
        params,
        app,
        me,
        rows,
        host,
        resources,
        caution,
        here,
    } = consent;
    let app_name = app.name.clone();
    let (note_before, note_after) = around(t().consent_note, "{app}");
    let already: Vec<bool> = rows
        .iter()
        .map(|r| already_allowed(&app, &r.name))
        .collect();
    let ticked = RwSignal::new(vec![true; rows.len()]);
    let none_ticked = move || ticked.with(|t| !t.iter().any(|v| *v));
    let row_names = StoredValue::new(rows.clone());
    let params = StoredValue::new(params);
    let here = StoredValue::new(here);

    // Which button was pressed, while its request is in flight (and after a
    // successful answer, while the browser leaves).
    let chosen = RwSignal::new(None::<Decision>);
    let inline_error = RwSignal::new(None::<String>);
    let decide = move |decision: Decision| {
        if chosen.get_untracked().is_some() {
            return;
        }
        chosen.set(Some(decision));
        inline_error.set(None);
        let request = AuthorizeRequest {
            params: params.get_value(),
            decision,
            chosen_scope: (decision == Decision::Approve)
                .then(|| {
                    row_names.with_value(|rows| ticked.with_untracked(|t| chosen_scope(rows, t)))
                })
                .flatten(),
        };
        spawn_local(async move {
            match authorize_outcome(api::authorize(&request).await) {
                // A transient failure keeps the person on the screen with
                // their choice intact; pressing the button again retries.
                Outcome::Show(p) if p.kind == ProblemKind::Unavailable => {
                    inline_error.set(Some(format!(
                        "{} {}",
                        p.detail.unwrap_or_default(),
                        t().nothing_granted_retry
                    )));
                    chosen.set(None);
                }
                Outcome::Navigate(url) => leave_to(&url),
                other => screen.set(here.with_value(|h| h.follow(other))),
            }
        });
    };

    let switching = RwSignal::new(false);
    let switch_account = move |_| {
        switching.set(true);
        spawn_local(async move {
            // Ending the session first means the sign-in page starts clean
            // rather than bouncing straight back as the old account.
            match api::logout().await {
                Ok(()) => {
                    here.with_value(Here::sign_in);
                }
                Err(e) => {
                    inline_error.set(Some(e.user_message()));
                    switching.set(false);
                }
            }
        });
    };

    let busy = move || chosen.get().is_some() || switching.get();
    let button = move |decision: Decision| {
        let (class, label, busy_label) = match decision {
            Decision::Deny => ("button button--secondary", t().deny, t().denying),
            Decision::Approve | Decision::Remembered => {
                ("button button--primary", t().authorize, t().authorizing)
            }
        };
        let blocked = move || busy() || (decision == Decision::Approve && none_ticked());
        view! {
            <button
                type="button"
                class=class
                disabled=blocked
                aria-busy=move || (chosen.get() == Some(decision)).to_string()
                on:click=move |_| decide(decision)
            >
                {move || {
                    if chosen.get() == Some(decision) {
                        view! { <Spinner/> {busy_label} }.into_any()
                    } else {
                        view! { {label} }.into_any()
                    }
                }}
            </button>
        }
    };

    let unverified = caution.unverified.then(|| {
        let source = caution.described_by.map(|host| {
            let (before, after) = around(t().described_by, "{host}");
            view! {
                <p>
                    {before} <strong data-testid="client-host">{host}</strong> {after}
                </p>
            }
        });
        view! {
            <div class="notice notice--warning" data-testid="unverified" role="note">
                <p class="notice__title">{t().unverified_title}</p>
                <p>{t().unverified_text}</p>
                {source}
            </div>
        }
    });
    let on_device = caution.runs_on_device.then(|| {
        view! {
            <div class="notice" data-testid="runs-on-device" role="note">
                <p>{t().on_device}</p>
            </div>
        }
    });
    let services = (!resources.is_empty()).then(|| {
        view! {
            <div class="fact">
                <dt>{t().for_services}</dt>
                <dd>
                    <span class="fact__value" data-testid="resources">{resources.join(", ")}</span>
                </dd>
            </div>
        }
    });

    view! {
        <Card>
            <AppIdentity app/>
            {unverified}
            {on_device}
            <h2 id="scopes-heading" class="section-title">
                {t().requesting}
            </h2>
            <ScopeList rows already ticked=ticked/>
            <p class="field__hint" role="status">
                {move || none_ticked().then_some(t().keep_one)}
            </p>
            <dl class="facts">
                {services}
                <div class="fact">
                    <dt>{t().signed_in_as}</dt>
                    <dd>
                        <span class="fact__value">{me.email}</span>
                        <button
                            type="button"
                            class="link-button"
                            disabled=busy
                            on:click=switch_account
                        >
                            {t().switch_account}
                        </button>
                        <a href="/account/apps" target="_blank" rel="noopener" class="small-link">
                            {t().connected_apps_link}
                        </a>
                    </dd>
                </div>
                <div class="fact">
                    <dt>{t().sent_to}</dt>
                    <dd>
                        <span class="fact__value" data-testid="redirect-host">{host}</span>
                    </dd>
                </div>
            </dl>
            <div class="form__error" role="alert">
                {move || inline_error.get().map(|e| view! { <p>{e}</p> })}
            </div>
            <div class="actions">{button(Decision::Deny)} {button(Decision::Approve)}</div>
            <p class="consent-note">
                {note_before} <strong>{app_name}</strong> {note_after}
            </p>
        </Card>
    }
}
