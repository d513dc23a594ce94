use crate::api;
use crate::components::{Card, Spinner};
use crate::dom::{leave_to, set_title};
use crate::logic::next::{auth_href, next_or_default, AuthMode};
use crate::logic::query::parse_query;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_location;
use shared::{AuthConfig, Credentials, Password};

/// `/auth/login` and `/auth/signup`: email + password, then back to `next=`
/// (only ever a path on this origin).
#[component]
pub fn LoginPage(
    /// Which form to show.
    mode: AuthMode,
) -> impl IntoView {
    let (title, submit, busy_label) = match mode {
        AuthMode::SignIn => ("Sign in", "Sign in", "Signing in…"),
        AuthMode::SignUp => ("Create your account", "Create account", "Creating account…"),
    };
    set_title(title);

    // From the raw query, decoded once: leptos_router 0.8's `use_query_map`
    // percent-decodes values a second time, which would turn the authorize
    // URL's `redirect_uri=http%3A%2F%2F…` into `http://…`, and the person
    // would not return to the exact URL the app sent them to.
    let query = parse_query(&use_location().search.get_untracked());
    let raw_next = query
        .iter()
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.clone());
    // OpenID Connect `login_hint`: the form starts with that email.
    let login_hint = query
        .iter()
        .find(|(k, _)| k == "login_hint")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let next = next_or_default(raw_next.as_deref()).to_owned();
    let other_href = auth_href(
        match mode {
            AuthMode::SignIn => AuthMode::SignUp,
            AuthMode::SignUp => AuthMode::SignIn,
        },
        raw_next.as_deref(),
    );

    let email = RwSignal::new(login_hint);
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    // Plain signals and `spawn_local` rather than `LocalResource`/`Action`:
    // the same behaviour without their machinery in the download.
    let config = RwSignal::new(None::<AuthConfig>);
    spawn_local(async move { config.set(api::config().await.ok()) });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        error.set(None);
        pending.set(true);
        let credentials = Credentials {
            email: email.get_untracked().trim().to_owned(),
            password: Password::new(password.get_untracked()),
        };
        let next = next.clone();
        spawn_local(async move {
            let result = match mode {
                AuthMode::SignIn => api::login(&credentials).await,
                AuthMode::SignUp => api::signup(&credentials).await,
            };
            match result {
                // Back to where sign-in was asked for (a path on this
                // origin); stay "busy" while the browser leaves.
                Ok(_) => leave_to(&next),
                Err(e) => {
                    error.set(Some(match (mode, e.status()) {
                        // The server's message is deliberately generic; say it plainly.
                        (AuthMode::SignIn, Some(401)) => "Incorrect email or password.".to_owned(),
                        _ => e.user_message(),
                    }));
                    pending.set(false);
                }
            }
        });
    };

    let switch_link = move || {
        let enabled = config.get().map(|c| c.signup_enabled);
        match (mode, enabled) {
            (AuthMode::SignIn, Some(true)) => Some(
                view! {
                    <p class="switch">
                        "New here? " <a href=other_href.clone()>"Create an account"</a>
                    </p>
                }
                .into_any(),
            ),
            (AuthMode::SignUp, _) => Some(
                view! {
                    <p class="switch">
                        "Already have an account? " <a href=other_href.clone()>"Sign in"</a>
                    </p>
                }
                .into_any(),
            ),
            _ => None,
        }
    };
    let signup_closed = move || {
        (mode == AuthMode::SignUp
            && config.get().is_some_and(|c| !c.signup_enabled))
        .then(|| view! { <p class="notice">"Creating new accounts is turned off on this server."</p> })
    };

    view! {
        <Card class="card--narrow">
            <h1 id="title">{title}</h1>
            <p class="lead">"to continue to your AutoGPT account"</p>
            {signup_closed}
            <form class="form" on:submit=on_submit>
                <div class="field">
                    <label for="email">"Email"</label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        required
                        bind:value=email
                    />
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete=match mode {
                            AuthMode::SignIn => "current-password",
                            AuthMode::SignUp => "new-password",
                        }
                        minlength=match mode {
                            AuthMode::SignIn => "1",
                            AuthMode::SignUp => "8",
                        }
                        aria-describedby=(mode == AuthMode::SignUp).then_some("password-hint")
                        required
                        bind:value=password
                    />
                    {(mode == AuthMode::SignUp)
                        .then(|| view! { <p id="password-hint" class="field__hint">"At least 8 characters."</p> })}
                </div>
                <div class="form__error" role="alert">
                    {move || error.get().map(|e| view! { <p>{e}</p> })}
                </div>
                <button
                    type="submit"
                    class="button button--primary button--block"
                    disabled=move || pending.get()
                    aria-busy=move || pending.get().to_string()
                >
                    {move || {
                        if pending.get() {
                            view! { <Spinner/> {busy_label} }.into_any()
                        } else {
                            view! { {submit} }.into_any()
                        }
                    }}
                </button>
            </form>
            {switch_link}
        </Card>
    }
}
