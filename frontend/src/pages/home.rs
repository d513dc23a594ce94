use crate::api;
use crate::components::{Card, Loading};
use crate::dom::{leave_to, set_title};
use crate::logic::text::t;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::Me;

/// `/`: where a sign-in without `next=` lands. Says who is signed in; apps
/// send people to `/auth/authorize`, not here.
#[component]
pub fn HomePage() -> impl IntoView {
    let t = t();
    set_title(t.account_title);
    let me = RwSignal::new(None::<Option<Me>>);
    spawn_local(async move { me.set(Some(api::me().await.ok())) });
    let signing_out = RwSignal::new(false);
    let sign_out = move |_| {
        signing_out.set(true);
        spawn_local(async move {
            let _ = api::logout().await;
            leave_to("/auth/login");
        });
    };
    move || match me.get() {
        None => view! { <Loading label=t.loading/> }.into_any(),
        Some(Some(me)) => view! {
            <Card>
                <h1 id="title">{t.signed_in_title}</h1>
                <p>{t.signed_in_as} " " <strong>{me.email}</strong></p>
                <p class="hint">{t.apps_send_you_here}</p>
                <p><a href="/account/apps">{t.connected_apps_link}</a></p>
                <div class="actions actions--single">
                    <button
                        type="button"
                        class="button button--secondary"
                        disabled=move || signing_out.get()
                        on:click=sign_out
                    >
                        {t.sign_out}
                    </button>
                </div>
            </Card>
        }
        .into_any(),
        Some(None) => view! {
            <Card>
                <h1 id="title">"AutoGPT"</h1>
                <p>{t.apps_send_you_here}</p>
                <p><a href="/auth/login">{t.sign_in}</a></p>
            </Card>
        }
        .into_any(),
    }
}
