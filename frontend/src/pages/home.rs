use crate::api;
use crate::components::{Card, Loading};
use crate::dom::set_title;
use leptos::prelude::*;

/// `/`: where a sign-in without `next=` lands. Says who is signed in; apps
/// send people to `/auth/authorize`, not here.
#[component]
pub fn HomePage() -> impl IntoView {
    set_title("Account");
    let me = LocalResource::new(api::me);
    let signing_out = Action::new_local(|_: &()| async move {
        let _ = api::logout().await;
        crate::dom::leave_to("/auth/login");
    });
    move || match me.get() {
        None => view! { <Loading label="Loading…"/> }.into_any(),
        Some(Ok(me)) => view! {
            <Card>
                <h1 id="title">"You're signed in"</h1>
                <p>"Signed in as " <strong>{me.email}</strong> "."</p>
                <p class="hint">
                    "Applications that use AutoGPT will send you here to approve their access."
                </p>
                <div class="actions actions--single">
                    <button
                        type="button"
                        class="button button--secondary"
                        disabled=move || signing_out.pending().get()
                        on:click=move |_| {
                            signing_out.dispatch_local(());
                        }
                    >
                        "Sign out"
                    </button>
                </div>
            </Card>
        }
        .into_any(),
        Some(Err(_)) => view! {
            <Card>
                <h1 id="title">"AutoGPT"</h1>
                <p>"Applications that use AutoGPT will send you here to approve their access."</p>
                <p><a href="/auth/login">"Sign in"</a></p>
            </Card>
        }
        .into_any(),
    }
}
