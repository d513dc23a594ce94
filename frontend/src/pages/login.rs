use crate::api;
use crate::components::{Card, Spinner};
use crate::dom::{leave_to, set_title};
use crate::logic::next::{auth_href, next_or_default, AuthMode};
use crate::logic::query::parse_query;
use crate::logic::text::t;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{AuthConfig, Credentials, Password};

/// `/auth/login` and `/auth/signup`: email + password, then back to `next=`
/// (only ever a path on this origin).
#[component]
pub fn LoginPage(
    /// Which form to show.
    mode: AuthMode,
) -> impl IntoView {
    let t = t();
    let (title, submit, busy_label) = match mode {
        AuthMode::SignIn => (t.sign_in, t.sign_in, t.signing_in),
        AuthMode::SignUp => (t.create_title, t.create_account, t.creating_account),
    };
    set_title(title);

    // From the raw query, decoded exactly once, so the person returns to
    // the exact authorize URL the app sent them to.
    let query = parse_query(&crate::dom::query());
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
                        (AuthMode::SignIn, Some(401)) => t.wrong_password.to_owned(),
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
                        {t.new_here} " " <a href=other_href.clone()>{t.create_link}</a>
                    </p>
                }
                .into_any(),
            ),
            (AuthMode::SignUp, _) => Some(
                view! {
                    <p class="switch">
                        {t.have_account} " " <a href=other_href.clone()>{t.sign_in}</a>
                    </p>
                }
                .into_any(),
            ),
            _ => None,
        }
    };
    let signup_closed = move || {
        (mode == AuthMode::SignUp && config.get().is_some_and(|c| !c.signup_enabled))
            .then(|| view! { <p class="notice">{t.signup_closed}</p> })
    };

    view! {
        <Card class="card--narrow">
            <h1 id="title">{title}</h1>
            <p class="lead">{t.to_continue}</p>
            {signup_closed}
            <form class="form" on:submit=on_submit>
                <div class="field">
                    <label for="email">{t.email}</label>
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
                    <label for="password">{t.password}</label>
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
                        .then(|| view! { <p id="password-hint" class="field__hint">{t.password_hint}</p> })}
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
