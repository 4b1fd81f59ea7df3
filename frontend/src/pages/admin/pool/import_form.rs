use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::FieldError;
use shared::catalog::AssetDefinition;
use shared::pool::{ImportPreviewRow, ImportReport, ImportRowError};
use uuid::Uuid;

use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, FieldErrorText, Status, StatusMessage, TextAreaField};
use crate::forms::FieldErrors;

const CSV_HINT: &str = "Choose a file above or paste its text here: a header row, a name column, \
     an optional status column (free or maintenance), and any other columns, which become metadata.";

/// The largest file the form reads, below the server's limit on a request body.
const MAX_FILE_BYTES: f64 = 1_500_000.0;

/// Renders the form that imports instances from a CSV file. "Check file" runs the import as a
/// dry run, and "Import" is enabled only after a check of the same definition and text found
/// no errors. A real import with any invalid row creates nothing.
#[component]
pub fn ImportAssetsForm(
    #[prop(into)] definitions: Signal<Vec<AssetDefinition>>,
    on_imported: Callback<()>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let pooled = super::pooled_definitions(definitions);
    let definition_id = RwSignal::new(None::<Uuid>);
    let csv = RwSignal::new(String::new());

    let report = RwSignal::new(None::<ImportReport>);
    // The definition and text the report was made for.
    let checked = RwSignal::new(None::<(Uuid, String)>);
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);
    // The row errors of a rejected import, as "Line N, column: message".
    let rejected_rows = RwSignal::new(Vec::<String>::new());

    let is_current = move || {
        checked.with(|checked| {
            checked.as_ref().is_some_and(|(id, text)| {
                definition_id.with(|chosen| *chosen == Some(*id)) && csv.with(|now| now == text)
            })
        })
    };
    let can_import = move || {
        !pending.get()
            && is_current()
            && report.with(|report| {
                report
                    .as_ref()
                    .is_some_and(|r| r.errors.is_empty() && !r.preview.is_empty())
            })
    };

    let file_name = RwSignal::new(None::<String>);
    let choose_file = move |event: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&event);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        // Cleared, so choosing the same file again after editing its text reads it anew.
        input.set_value("");
        let name = file.name();
        let reject = move |message: String| {
            file_name.set(None);
            csv.set(String::new());
            let mut failed = FieldErrors::default();
            failed.push("csv", message);
            errors.set(failed);
        };
        if file.size() > MAX_FILE_BYTES {
            reject(format!(
                "{name} is larger than 1.5 MB; split it into files of at most 10,000 rows"
            ));
            return;
        }
        spawn_local(async move {
            let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => text.as_string().unwrap_or_default(),
                Err(_) => {
                    reject(format!("the browser could not read {name}; paste its text"));
                    return;
                }
            };
            match file_problem(&text) {
                Some(problem) => reject(format!("{name} {problem}")),
                None => {
                    errors.set(FieldErrors::default());
                    file_name.set(Some(name));
                    csv.set(text);
                }
            }
        });
    };

    let check = move |_| {
        let mut field_errors = FieldErrors::default();
        let chosen = definition_id.get_untracked();
        if chosen.is_none() {
            field_errors.push("definition_id", "choose the definition of the instances");
        }
        let text = csv.get_untracked();
        if text.trim().is_empty() {
            field_errors.push("csv", "choose a CSV file or paste its text");
        }
        error.set(None);
        status.set(None);
        rejected_rows.set(Vec::new());
        report.set(None);
        checked.set(None);
        errors.set(field_errors.clone());
        let Some(id) = chosen else { return };
        if !field_errors.is_empty() {
            return;
        }

        pending.set(true);
        spawn_local(async move {
            match api.import_assets(id, &text, true).await {
                Ok(found) => {
                    report.try_set(Some(found));
                    checked.try_set(Some((id, text)));
                }
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
            pending.try_set(false);
        });
    };

    let import = move |_| {
        let Some((id, text)) = checked.get_untracked() else {
            return;
        };
        error.set(None);
        status.set(None);
        rejected_rows.set(Vec::new());
        pending.set(true);
        spawn_local(async move {
            match api.import_assets(id, &text, false).await {
                Ok(done) => {
                    let noun = if done.created == 1 {
                        "instance"
                    } else {
                        "instances"
                    };
                    status.try_set(Some(Status::success(format!(
                        "Imported {} {noun}.",
                        done.created
                    ))));
                    report.try_set(None);
                    checked.try_set(None);
                    csv.try_set(String::new());
                    on_imported.run(());
                }
                Err(failure) => {
                    // A name may have been taken since the check, so the file needs a new one.
                    checked.try_set(None);
                    let lines = failure.field_errors().iter().map(row_error_text).collect();
                    rejected_rows.try_set(lines);
                    error.try_set(Some(failure));
                }
            }
            pending.try_set(false);
        });
    };

    let choose = move |event| {
        definition_id.set(Uuid::parse_str(&event_target_value(&event)).ok());
    };
    let options = super::definition_options(pooled, definition_id);
    let has_error = move || errors.with(|e| !e.messages_for("definition_id").is_empty());

    view! {
        <div class="import-form">
            <ErrorBanner error />
            <div class="form-grid">
                <div class="field">
                    <div class="label-row">
                        <label for="import-definition">"Definition"</label>
                        <span class="required" aria-hidden="true">"*"</span>
                    </div>
                    <select
                        id="import-definition"
                        required=true
                        aria-invalid=move || has_error().then_some("true")
                        aria-describedby="import-definition-error"
                        on:change=choose
                    >
                        <option value="" prop:selected=move || definition_id.get().is_none()>
                            "Choose a definition"
                        </option>
                        {options}
                    </select>
                    <FieldErrorText errors field="definition_id" id="import-definition-error".to_string() />
                </div>
            </div>
            <div class="field">
                <label for="import-file">"CSV file"</label>
                <input id="import-file" type="file" accept=".csv,text/csv,text/plain" on:change=choose_file />
                {move || file_name.get().map(|name| view! { <p class="hint">{format!("Read {name}.")}</p> })}
            </div>
            <TextAreaField
                id="import-csv"
                label="CSV text"
                value=csv
                errors
                field="csv"
                rows=6
                required=true
                hint=CSV_HINT
            />
            <div class="actions">
                <button type="button" class="button secondary" disabled=move || pending.get() on:click=check>
                    "Check file"
                </button>
                <button type="button" class="button" disabled=move || !can_import() on:click=import>
                    "Import"
                </button>
            </div>
            <StatusMessage status />
            <Show when=move || rejected_rows.with(|rows| !rows.is_empty())>
                <ul class="import-errors" aria-label="Errors in the file">
                    {move || {
                        rejected_rows
                            .get()
                            .into_iter()
                            .map(|text| view! { <li>{text}</li> })
                            .collect_view()
                    }}
                </ul>
            </Show>
            {move || {
                report
                    .get()
                    .filter(|_| is_current())
                    .map(|report| view! { <ImportReportView report /> })
            }}
        </div>
    }
}

/// Renders the result of a dry run: the rows read, the errors by line and the preview.
#[component]
fn ImportReportView(report: ImportReport) -> impl IntoView {
    let rows = report.rows;
    let summary = match (rows, report.errors.len()) {
        (1, 0) => "1 row read, no errors.".to_string(),
        (rows, 0) => format!("{rows} rows read, no errors."),
        (rows, 1) => format!("{rows} rows read, 1 error. Correct it and check the file again."),
        (rows, count) => {
            format!("{rows} rows read, {count} errors. Correct them and check the file again.")
        }
    };
    let has_errors = !report.errors.is_empty();
    let previewed = report.preview.len() as u64;
    let preview_caption = if previewed < rows && !has_errors {
        format!("The first {previewed} instances to be created")
    } else {
        "Instances to be created".to_string()
    };
    let has_preview = !report.preview.is_empty();

    view! {
        <div class="import-report">
            <p class="import-summary">{summary}</p>
            {has_errors.then(|| {
                view! {
                    <ul class="import-errors" aria-label="Errors in the file">
                        {report.errors.into_iter().map(error_item).collect_view()}
                    </ul>
                }
            })}
            {has_preview.then(|| {
                view! {
                    <table class="table import-preview">
                        <caption>{preview_caption}</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Line"</th>
                                <th scope="col">"Name"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Metadata"</th>
                            </tr>
                        </thead>
                        <tbody>{report.preview.into_iter().map(preview_row).collect_view()}</tbody>
                    </table>
                }
            })}
        </div>
    }
}

fn error_item(error: ImportRowError) -> impl IntoView {
    let text = match error.column {
        Some(column) => format!("Line {}, {column}: {}", error.line, error.message),
        None => format!("Line {}: {}", error.line, error.message),
    };
    view! { <li>{text}</li> }
}

/// Formats a field error of a rejected import, such as `line[3].name`, as "Line 3, name:
/// message". A field in another form is shown as it is.
fn row_error_text(error: &FieldError) -> String {
    let place = error
        .field
        .strip_prefix("line[")
        .and_then(|rest| rest.split_once(']'))
        .map(|(line, column)| match column.strip_prefix('.') {
            Some(column) => format!("Line {line}, {column}"),
            None => format!("Line {line}"),
        });
    match place {
        Some(place) => format!("{place}: {}", error.message),
        None => format!("{}: {}", error.field, error.message),
    }
}

fn preview_row(row: ImportPreviewRow) -> impl IntoView {
    let metadata = match &row.metadata {
        serde_json::Value::Object(map) if map.is_empty() => String::new(),
        value => value.to_string(),
    };
    view! {
        <tr>
            <td>{row.line}</td>
            <td>{row.name}</td>
            <td>{row.status.label()}</td>
            <td class="import-metadata">{metadata}</td>
        </tr>
    }
}

/// Says what makes a chosen file unusable before it is sent: empty, or not UTF-8 text (the
/// browser turns each unreadable byte into U+FFFD).
fn file_problem(text: &str) -> Option<&'static str> {
    if text.trim().is_empty() {
        Some("is empty")
    } else if text.contains(['\u{fffd}', '\0']) {
        Some("is not UTF-8 text; save it as \"CSV UTF-8\" and choose it again")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::file_problem;

    #[test]
    fn file_problem_spots_empty_and_binary_files() {
        assert_eq!(file_problem("name\nvdi-1\n"), None);
        assert_eq!(file_problem(" \n"), Some("is empty"));
        assert!(
            file_problem("name\nM\u{fffd}nchen\n")
                .unwrap()
                .contains("UTF-8")
        );
        assert!(file_problem("PK\u{3}\u{4}\0\0").unwrap().contains("UTF-8"));
    }
}
