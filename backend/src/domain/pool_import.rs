//! Reading a CSV file of pool instances: a `name` column, an optional `status` column
//! (`free` or `maintenance`), and any other columns, which become metadata fields.

use shared::pool::{AssetStatus, ImportPreviewRow, ImportRowError};
use std::collections::HashSet;

/// The maximum number of data rows in one file.
pub const MAX_ROWS: usize = 10_000;

/// The rows of a file, checked on their own and against each other.
pub struct ParsedImport {
    pub rows: Vec<ImportPreviewRow>,
    pub errors: Vec<ImportRowError>,
    pub total: u64,
}

fn error(line: u64, column: Option<&str>, message: impl Into<String>) -> ImportRowError {
    ImportRowError {
        line,
        column: column.map(str::to_string),
        message: message.into(),
    }
}

/// Parses `text`. Rows with errors are left out of `rows` and described in `errors`.
pub fn parse(text: &str) -> ParsedImport {
    let mut parsed = ParsedImport {
        rows: Vec::new(),
        errors: Vec::new(),
        total: 0,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        parsed.errors.push(error(1, None, "the file is empty"));
        return parsed;
    }
    // Bytes that are not UTF-8 arrive as U+FFFD; a Latin-1 export would otherwise be imported
    // with its accented letters lost.
    let unreadable = text
        .lines()
        .position(|line| line.contains(['\u{fffd}', '\0']));
    if let Some(index) = unreadable {
        parsed.errors.push(error(
            index as u64 + 1,
            None,
            "the file is not UTF-8 text; save it as \"CSV UTF-8\" and import it again",
        ));
        return parsed;
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(headers) => headers.iter().map(str::to_lowercase).collect(),
        Err(e) => {
            parsed
                .errors
                .push(error(1, None, format!("the header row is unreadable: {e}")));
            return parsed;
        }
    };
    let Some(name_index) = headers.iter().position(|h| h == "name") else {
        parsed.errors.push(error(
            1,
            None,
            "the header row needs a name column, for example: name,status,host",
        ));
        return parsed;
    };
    let status_index = headers.iter().position(|h| h == "status");
    let mut seen = HashSet::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        parsed.total += 1;
        if parsed.total as usize > MAX_ROWS {
            parsed.errors.push(error(
                line,
                None,
                format!("a file may hold at most {MAX_ROWS} rows; split it"),
            ));
            break;
        }
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                parsed
                    .errors
                    .push(error(line, None, format!("unreadable row: {e}")));
                continue;
            }
        };
        let name = record.get(name_index).unwrap_or_default().to_string();
        let mut ok = true;
        if name.is_empty() || name.chars().count() > 120 {
            parsed
                .errors
                .push(error(line, Some("name"), "must be 1 to 120 characters"));
            ok = false;
        } else if !seen.insert(name.to_lowercase()) {
            parsed.errors.push(error(
                line,
                Some("name"),
                format!("{name} appears twice in the file"),
            ));
            ok = false;
        }
        let status = match status_index.map(|i| record.get(i).unwrap_or_default()) {
            None | Some("") => AssetStatus::Free,
            Some(value) => match AssetStatus::parse(&value.to_lowercase()) {
                Some(status @ (AssetStatus::Free | AssetStatus::Maintenance)) => status,
                _ => {
                    parsed.errors.push(error(
                        line,
                        Some("status"),
                        format!("{value} is not free or maintenance"),
                    ));
                    ok = false;
                    AssetStatus::Free
                }
            },
        };
        let metadata: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != name_index && Some(*i) != status_index)
            .filter_map(|(i, header)| {
                let value = record.get(i).unwrap_or_default();
                (!value.is_empty()).then(|| (header.clone(), serde_json::Value::from(value)))
            })
            .collect();
        if ok {
            parsed.rows.push(ImportPreviewRow {
                line,
                name,
                status,
                metadata: serde_json::Value::Object(metadata),
            });
        }
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_rows_carry_metadata() {
        let parsed =
            parse("\u{feff}Name,Status,Host,Site\nvdi-1,,h1,Berlin\nvdi-2,maintenance,h2,\n");
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.total, 2);
        assert_eq!(
            parsed.rows[0].metadata,
            serde_json::json!({"host": "h1", "site": "Berlin"})
        );
        assert_eq!(parsed.rows[1].status, AssetStatus::Maintenance);
        assert_eq!(parsed.rows[1].metadata, serde_json::json!({"host": "h2"}));
    }

    #[test]
    fn import_errors_name_their_lines() {
        let parsed = parse("name,status\nvdi-1,free\n,free\nVDI-1,free\nvdi-3,in_use\nvdi-4\n");
        let found: Vec<(u64, Option<&str>)> = parsed
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_deref()))
            .collect();
        assert_eq!(
            found,
            [
                (3, Some("name")),
                (4, Some("name")),
                (5, Some("status")),
                (6, None)
            ]
        );
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(parsed.total, 5);
    }

    #[test]
    fn import_without_name_column_is_rejected() {
        let parsed = parse("host\nh1\n");
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].line, 1);
    }

    #[test]
    fn import_rejects_empty_and_non_utf8_files() {
        let empty = parse(" \n");
        assert_eq!(empty.errors[0].message, "the file is empty");
        let latin1 = String::from_utf8_lossy(b"name,location\nvm-01,Berlin\nvm-02,M\xfcnchen\n");
        let parsed = parse(&latin1);
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].line, 3);
        assert!(parsed.errors[0].message.contains("not UTF-8"));
        assert!(parsed.rows.is_empty());
    }
}
