use leptos::prelude::*;
use shared::license::{LicenseSource, LicenseStatus};

use crate::format::{days, optional_date_time};

const NONE: &str = "—";

fn source_label(source: Option<LicenseSource>) -> &'static str {
    match source {
        Some(LicenseSource::File) => "License file (IPSOLIS_LICENSE_PATH)",
        Some(LicenseSource::Upload) => "Uploaded",
        None => "No license",
    }
}

/// Renders the "Status" section: the state and what it means, notes about licenses that could
/// not be used, and a table of the license's facts.
#[component]
pub fn StatusTable(status: LicenseStatus) -> impl IntoView {
    let users = match status.max_active_users {
        Some(limit) => format!("{} of {limit}", status.active_users),
        None => format!("{} (no limit now)", status.active_users),
    };
    let days_left = status
        .days_left
        .map(|count| days(i32::try_from(count).unwrap_or(i32::MAX)))
        .unwrap_or_else(|| NONE.to_string());
    let text = |value: Option<String>| value.unwrap_or_else(|| NONE.to_string());
    let rows = [
        ("State", status.state.label().to_string()),
        ("Source", source_label(status.source).to_string()),
        ("Licensee", text(status.licensee)),
        ("License ID", text(status.license_id)),
        ("Active users", users),
        ("Issued on", text(status.issued_on.map(|d| d.to_string()))),
        ("Expires", optional_date_time(status.expires_at)),
        (
            "Grace period ends",
            optional_date_time(status.grace_ends_at),
        ),
        (
            "Evaluation ends",
            optional_date_time(Some(status.evaluation_ends_at)),
        ),
        ("Days left", days_left),
    ];
    let rows = rows
        .into_iter()
        .map(|(term, value)| {
            view! {
                <tr>
                    <th scope="row">{term}</th>
                    <td>{value}</td>
                </tr>
            }
        })
        .collect_view();
    let notes = (!status.notes.is_empty()).then(|| {
        let items = status
            .notes
            .into_iter()
            .map(|note| view! { <li>{note}</li> })
            .collect_view();
        view! {
            <ul class="license-notes" aria-label="License notes">
                {items}
            </ul>
        }
    });

    view! {
        <section class="card" aria-labelledby="license-status-heading">
            <h2 id="license-status-heading">"Status"</h2>
            <p>{status.explanation}</p>
            {notes}
            <table class="table" aria-label="License status">
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}
