//! Field errors of a form, from the shared validation functions or from a 422 response.

use shared::FieldError;
use shared::catalog::MonthlyCost;

use crate::api::ApiError;
use crate::format::parse_local_date_time;

/// The field errors a form shows next to its inputs. Field names are the JSON paths the API
/// uses, such as `duration_days` or `group_dns[1]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new(errors: Vec<FieldError>) -> Self {
        Self(errors)
    }

    /// Takes the field errors of an API error. The error banner shows the rest.
    pub fn from_api(error: &ApiError) -> Self {
        Self(error.field_errors().to_vec())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Returns the field names that have errors, in order, each once.
    pub fn fields(&self) -> Vec<String> {
        let mut fields: Vec<String> = Vec::new();
        for error in &self.0 {
            if !fields.contains(&error.field) {
                fields.push(error.field.clone());
            }
        }
        fields
    }

    /// Keeps the errors whose field starts with `prefix` and removes the prefix from their
    /// names, so that one entry of a list, such as `steps[2].`, can show its own errors.
    pub fn under(&self, prefix: &str) -> Self {
        Self(
            self.0
                .iter()
                .filter_map(|error| {
                    let field = error.field.strip_prefix(prefix)?;
                    Some(FieldError::new(field, error.message.clone()))
                })
                .collect(),
        )
    }

    /// Returns the messages for exactly `field`, leaving out those of its list entries.
    pub fn exact_messages(&self, field: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|error| error.field == field)
            .map(|error| error.message.clone())
            .collect()
    }

    /// Keeps the errors whose field starts with `prefix`, such as `approval`.
    pub fn with_prefix(&self, prefix: &str) -> Self {
        Self(
            self.0
                .iter()
                .filter(|error| error.field.starts_with(prefix))
                .cloned()
                .collect(),
        )
    }

    /// Returns the messages for `field` and for its list entries (`field[0]`, `field[1]`, ...),
    /// with the entries numbered from 1.
    pub fn messages_for(&self, field: &str) -> Vec<String> {
        let mut messages = Vec::new();
        for error in &self.0 {
            if error.field == field {
                messages.push(error.message.clone());
            } else if let Some(index) = entry_index(&error.field, field) {
                messages.push(format!("Entry {}: {}", index + 1, error.message));
            }
        }
        messages
    }
}

/// Reads `n` from `field[n]` when `path` names an entry of `field`.
fn entry_index(path: &str, field: &str) -> Option<usize> {
    let rest = path.strip_prefix(field)?.strip_prefix('[')?;
    rest.strip_suffix(']')?.parse().ok()
}

/// Parses a whole number typed into a form, adding a field error when it is not one.
pub fn parse_number<T: std::str::FromStr>(
    text: &str,
    field: &str,
    errors: &mut FieldErrors,
) -> Option<T> {
    match text.trim().parse() {
        Ok(value) => Some(value),
        Err(_) => {
            errors.push(field, "must be a whole number");
            None
        }
    }
}

/// Returns `None` for blank text, so that an empty field leaves a stored value unchanged.
pub fn non_blank(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// Splits a text area into entries, one per non-blank line.
pub fn split_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

/// Splits text typed one entry per line or with commas into trimmed entries, dropping blanks
/// and repeats that differ only in case.
pub fn split_list(text: &str) -> Vec<String> {
    let mut entries: Vec<String> = Vec::new();
    for entry in text.split(['\n', ',']).map(str::trim) {
        let repeated = entries.iter().any(|seen| seen.eq_ignore_ascii_case(entry));
        if !entry.is_empty() && !repeated {
            entries.push(entry.to_string());
        }
    }
    entries
}

/// Parses an optional whole number: blank text is `None`, anything else must be a number.
pub fn parse_optional_number<T: std::str::FromStr>(
    text: &str,
    field: &str,
    errors: &mut FieldErrors,
) -> Option<T> {
    if text.trim().is_empty() {
        None
    } else {
        parse_number(text, field, errors)
    }
}

/// Parses an amount such as `45`, `45.5` or `45.00` into minor units of `currency`:
/// hundredths for most, whole units for the yen, thousandths for the Kuwaiti dinar.
pub fn parse_amount(text: &str, currency: &str) -> Result<i64, String> {
    let decimals = MonthlyCost::decimals(currency);
    let example = format_amount(4500 * 10_i64.pow(decimals), currency);
    let invalid = || format!("must be an amount such as {example}");
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return Err(invalid());
    }
    if fraction.len() > decimals as usize {
        return Err(match decimals {
            0 => format!(
                "must be a whole amount: {} has no smaller unit",
                currency.trim()
            ),
            n => format!("must have at most {n} decimal places"),
        });
    }
    let whole: i64 = whole.parse().map_err(|_| invalid())?;
    let width = decimals as usize;
    let fraction: i64 = if width == 0 {
        0
    } else {
        format!("{fraction:0<width$}")
            .parse()
            .map_err(|_| invalid())?
    };
    whole
        .checked_mul(10_i64.pow(decimals))
        .and_then(|minor| minor.checked_add(fraction))
        .ok_or_else(invalid)
}

/// Formats minor units of `currency` as an amount such as `45.00`, `4500` for the yen or
/// `45.000` for the Kuwaiti dinar.
pub fn format_amount(minor: i64, currency: &str) -> String {
    let decimals = MonthlyCost::decimals(currency);
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    if decimals == 0 {
        return format!("{sign}{minor}");
    }
    let unit = 10_u64.pow(decimals);
    let width = decimals as usize;
    format!("{sign}{}.{:0width$}", minor / unit, minor % unit)
}

/// Reads whole numbers separated by commas, adding one error for `field` per entry that is
/// not a number.
pub fn parse_number_list(text: &str, field: &str, errors: &mut FieldErrors) -> Vec<i32> {
    let mut numbers = Vec::new();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        match entry.parse() {
            Ok(number) => numbers.push(number),
            Err(_) => errors.push(field, format!("\"{entry}\" is not a whole number")),
        }
    }
    numbers
}

/// Reads a `datetime-local` value, adding a field error when it is not blank and not a time.
pub fn read_time(
    text: &str,
    field: &str,
    errors: &mut FieldErrors,
) -> Option<chrono::DateTime<chrono::Utc>> {
    if text.trim().is_empty() {
        return None;
    }
    let time = parse_local_date_time(text);
    if time.is_none() {
        errors.push(field, "must be a date and time, such as 2026-12-01 09:00");
    }
    time
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_become_minor_units() {
        assert_eq!(parse_amount("45.00", "EUR"), Ok(4500));
        assert_eq!(parse_amount(" 45 ", "EUR"), Ok(4500));
        assert_eq!(parse_amount("45.5", "EUR"), Ok(4550));
        assert_eq!(parse_amount("0.07", "EUR"), Ok(7));
        assert_eq!(parse_amount("45.", "EUR"), Ok(4500));
        assert_eq!(parse_amount("4500", "jpy"), Ok(4500));
        assert!(
            parse_amount("45.5", "JPY")
                .unwrap_err()
                .contains("whole amount")
        );
        assert_eq!(parse_amount("1.5", "KWD"), Ok(1500));
        assert!(parse_amount("1.2345", "KWD").is_err());
        for bad in [
            "",
            ".5",
            "4,5",
            "-3",
            "1.234",
            "12a",
            "99999999999999999999",
        ] {
            assert!(parse_amount(bad, "EUR").is_err(), "{bad}");
        }
        assert_eq!(format_amount(4500, "EUR"), "45.00");
        assert_eq!(format_amount(7, ""), "0.07");
        assert_eq!(format_amount(-150, "USD"), "-1.50");
        assert_eq!(format_amount(4500, "JPY"), "4500");
        assert_eq!(format_amount(1500, "BHD"), "1.500");
    }

    #[test]
    fn number_lists_report_each_bad_entry() {
        let mut errors = FieldErrors::default();
        assert_eq!(parse_number_list("7, 1,,", "days", &mut errors), [7, 1]);
        assert!(errors.is_empty());
        assert_eq!(parse_number_list("7, x", "days", &mut errors), [7]);
        assert_eq!(errors.messages_for("days"), ["\"x\" is not a whole number"]);
    }

    #[test]
    fn list_entries_split_on_lines_and_commas() {
        let entries = split_list(" Finance,\n\nHR ,, finance\r\nVDI\n");
        assert_eq!(entries, ["Finance", "HR", "VDI"]);
        assert!(split_list(" , \n").is_empty());
    }
}
