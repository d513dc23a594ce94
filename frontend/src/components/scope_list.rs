use crate::logic::flow::may_untick;
use crate::logic::text::t;
use leptos::prelude::*;
use shared::ScopeInfo;

/// The permissions being requested, each with what it allows. With
/// `ticked`, each row is a checkbox the person may clear (not `openid`,
/// nor the only row); with `already`, rows say which were allowed before.
#[component]
pub fn ScopeList(
    /// The requested scopes, in the order the app asked.
    rows: Vec<ScopeInfo>,
    /// Per row: allowed to this app before (marks the others as new).
    #[prop(optional)]
    already: Vec<bool>,
    /// Per row: still ticked. None for a plain list.
    #[prop(optional)]
    ticked: Option<RwSignal<Vec<bool>>>,
) -> impl IntoView {
    let any_already = already.iter().any(|a| *a);
    let rows_for_rules = rows.clone();
    view! {
        <ul class="scopes" aria-labelledby="scopes-heading">
            {rows
                .into_iter()
                .enumerate()
                .map(|(i, row)| {
                    let before = already.get(i).copied().unwrap_or(false);
                    let tag = any_already.then(|| {
                        if before {
                            view! { <span class="tag" data-testid="scope-allowed">{t().already_allowed}</span> }
                                .into_any()
                        } else {
                            view! { <span class="tag tag--new" data-testid="scope-new">{t().new_scope}</span> }
                                .into_any()
                        }
                    });
                    let text = view! {
                        <span class="scope__description">{row.description.clone()}</span>
                        <code class="scope__name">{row.name.clone()}</code>
                        {tag}
                    };
                    match ticked {
                        Some(ticked) => {
                            let id = format!("scope-{i}");
                            let locked = !may_untick(&rows_for_rules, i);
                            view! {
                                <li class="scope">
                                    <input
                                        type="checkbox"
                                        class="scope__box"
                                        id=id.clone()
                                        name="scope"
                                        value=row.name.clone()
                                        prop:checked=move || ticked.with(|t| t.get(i).copied().unwrap_or(true))
                                        disabled=locked
                                        on:change=move |_| ticked.update(|t| {
                                            if let Some(v) = t.get_mut(i) {
                                                *v = !*v;
                                            }
                                        })
                                    />
                                    <label class="scope__text" for=id>{text}</label>
                                </li>
                            }
                            .into_any()
                        }
                        None => view! {
                            <li class="scope">
                                <span class="scope__check" aria-hidden="true">"✓"</span>
                                <span class="scope__text">{text}</span>
                            </li>
                        }
                        .into_any(),
                    }
                })
                .collect_view()}
        </ul>
    }
}
