//! One card of a found profile: heading (count, Limited label) and its records.

use leptos::prelude::*;

use crate::i18n::Strings;
use crate::present::{Card, Item};

/// A [`Card`]: the contact, the account or a list section.
#[component]
pub(crate) fn CardView(
    /// What to show.
    card: Card,
    /// Texts.
    t: &'static Strings,
) -> impl IntoView {
    let Card {
        testid,
        heading,
        count,
        limited,
        items,
    } = card;
    let count = count.map(|c| view! { " " <span data-testid="section-count">"(" {c} ")"</span> });
    let limited = limited
        .then(|| view! { <span class="sfd-tag" data-testid="level-limited">{t.limited}</span> });
    let empty = items
        .is_empty()
        .then(|| view! { <p class="sfd-muted">{t.none}</p> });
    let items = items
        .into_iter()
        .map(|item| item_view(item, t))
        .collect_view();
    view! {
        <section class="sfd-card" data-testid=testid>
            <h2>{heading}{count}{limited}</h2>
            {empty}
            <ul class="sfd-items">{items}</ul>
        </section>
    }
}

/// One record: title, marker, highlighted field, labelled fields, View in Salesforce.
fn item_view(item: Item, t: &'static Strings) -> impl IntoView {
    let badge = item
        .badge
        .map(|b| view! { <span class="sfd-tag">{b}</span> });
    let highlight = item.highlight.map(|(label, value)| {
        view! {
            <p class="sfd-highlight" data-testid="account-highlight">
                <span>{label}</span>
                <strong>{value}</strong>
            </p>
        }
    });
    let fields = item
        .fields
        .into_iter()
        .map(|f| {
            let label = (!f.label.is_empty()).then(|| view! { <dt>{f.label}</dt> });
            view! {
                <div class="sfd-field" data-testid=format!("field-{}", f.name)>
                    {label}
                    <dd>{f.value}</dd>
                </div>
            }
        })
        .collect_view();
    let aria = format!("{}: {}", t.view, item.title);
    let link = item.url.map(|url| {
        view! {
            <a
                class="sfd-link"
                href=url
                target="_blank"
                rel="noopener noreferrer"
                aria-label=aria
                data-testid="record-link"
            >
                {t.view}
            </a>
        }
    });
    view! {
        <li class="sfd-item">
            <h3>{item.title}{badge}</h3>
            {highlight}
            <dl class="sfd-fields">{fields}</dl>
            {link}
        </li>
    }
}
