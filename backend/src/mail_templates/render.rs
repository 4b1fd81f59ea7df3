//! Rendering with minijinja: placeholders only, no loader, so a template cannot read files or
//! other templates. HTML bodies escape every inserted value, an undefined placeholder is an
//! error, and fuel bounds the work one rendering may do.

use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value};
use serde::Serialize;
use shared::FieldError;
use shared::mail_templates::{MailPreview, MailTemplateInput, MailTemplateKind};
use std::collections::BTreeSet;

/// The instructions one field may execute. The built-in templates need a few hundred, and a
/// loop over a large range runs out instead of keeping a worker busy.
const FUEL: u64 = 50_000;
/// Maximum characters of one rendered field.
const OUTPUT_MAX_CHARS: usize = 200_000;

/// A template field that failed to compile or render.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct TemplateError {
    /// `subject`, `text` or `html`.
    pub field: &'static str,
    pub message: String,
}

impl From<TemplateError> for FieldError {
    fn from(error: TemplateError) -> FieldError {
        FieldError::new(error.field, error.message)
    }
}

fn engine() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name == "html" {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.set_fuel(Some(FUEL));
    env
}

/// Describes a minijinja error in words an admin can act on, with its line.
fn describe(error: &minijinja::Error) -> String {
    let what = match error.kind() {
        ErrorKind::SyntaxError => "syntax error".to_string(),
        ErrorKind::UndefinedError => "unknown placeholder".to_string(),
        ErrorKind::OutOfFuel => "the template does too much work (a loop that is too long)".into(),
        kind => kind.to_string(),
    };
    let detail = error
        .detail()
        .map(|detail| format!(": {detail}"))
        .unwrap_or_default();
    match error.line() {
        Some(line) => format!("{what} on line {line}{detail}"),
        None => format!("{what}{detail}"),
    }
}

/// Returns the 1-based line of the first template tag in `source` that names `name`, for an
/// unknown placeholder that minijinja reports without a position.
fn line_of(source: &str, name: &str) -> Option<usize> {
    let mut offset = 0;
    while let Some(start) = source[offset..].find(['{']).map(|i| offset + i) {
        let rest = &source[start..];
        let close = if rest.starts_with("{{") {
            "}}"
        } else if rest.starts_with("{%") {
            "%}"
        } else {
            offset = start + 1;
            continue;
        };
        let end = rest.find(close).map_or(source.len(), |i| start + i);
        let tag = &source[start..end];
        let names_it = tag
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|word| word == name);
        if names_it {
            return Some(source[..start].matches('\n').count() + 1);
        }
        offset = end.max(start + 2);
    }
    None
}

fn render_field(
    env: &Environment<'static>,
    field: &'static str,
    source: &str,
    context: &Value,
) -> Result<String, TemplateError> {
    let failed = |error: minijinja::Error| TemplateError {
        field,
        message: describe(&error),
    };
    let template = env.template_from_named_str(field, source).map_err(failed)?;
    let output = template.render(context.clone()).map_err(failed)?;
    if output.chars().count() > OUTPUT_MAX_CHARS {
        return Err(TemplateError {
            field,
            message: format!("renders more than {OUTPUT_MAX_CHARS} characters"),
        });
    }
    Ok(output)
}

/// Renders the three fields of a template with `values`. The subject becomes one line.
pub fn render(
    template: &MailTemplateInput,
    values: &impl Serialize,
) -> Result<MailPreview, TemplateError> {
    let env = engine();
    let context = Value::from(Serde(values));
    let subject = render_field(&env, "subject", &template.subject, &context)?;
    let text = render_field(&env, "text", &template.text, &context)?;
    let html = render_field(&env, "html", &template.html, &context)?;
    Ok(MailPreview {
        subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
        text,
        html,
    })
}

/// Checks a template before it is saved: each field must compile, name only the placeholders
/// of its kind and render with the sample values. Returns one error per field at fault.
pub fn check(kind: MailTemplateKind, template: &MailTemplateInput) -> Vec<FieldError> {
    let env = engine();
    let mut known: BTreeSet<String> = super::values::placeholders(kind)
        .into_iter()
        .map(|p| p.name)
        .collect();
    known.extend(env.globals().map(|(name, _)| name.to_string()));
    let context = Value::from(Serde(super::values::sample(kind)));

    let fields = [
        ("subject", &template.subject),
        ("text", &template.text),
        ("html", &template.html),
    ];
    let mut errors = Vec::new();
    for (field, source) in fields {
        let compiled = match env.template_from_named_str(field, source) {
            Ok(compiled) => compiled,
            Err(error) => {
                errors.push(FieldError::new(field, describe(&error)));
                continue;
            }
        };
        let unknown: BTreeSet<String> = compiled
            .undeclared_variables(false)
            .into_iter()
            .filter(|name| !known.contains(name))
            .collect();
        if let Some(name) = unknown.first() {
            let line = line_of(source, name)
                .map(|line| format!(" on line {line}"))
                .unwrap_or_default();
            errors.push(FieldError::new(
                field,
                format!(
                    "unknown placeholder `{name}`{line}; use one of the placeholders listed \
                     for this template"
                ),
            ));
            continue;
        }
        if let Err(error) = render_field(&env, field, source, &context) {
            errors.push(error.into());
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail_templates::{defaults, values};

    fn template(subject: &str, text: &str, html: &str) -> MailTemplateInput {
        MailTemplateInput {
            subject: subject.into(),
            text: text.into(),
            html: html.into(),
        }
    }

    #[test]
    fn defaults_pass_the_check() {
        for kind in MailTemplateKind::ALL {
            assert_eq!(check(kind, &defaults::template(kind)), [], "{kind:?}");
        }
    }

    #[test]
    fn html_escapes_values_and_text_does_not() {
        let kind = MailTemplateKind::ApprovalRequest;
        let rendered = render(
            &template(
                "{{ asset }}",
                "{{ justification }}",
                "<p>{{ justification }}</p>",
            ),
            &values::sample(kind),
        )
        .unwrap();
        assert_eq!(
            rendered.text,
            "Quarter close needs the ledger & the <reports>"
        );
        assert_eq!(
            rendered.html,
            "<p>Quarter close needs the ledger &amp; the &lt;reports&gt;</p>"
        );
    }

    #[test]
    fn syntax_error_names_field_and_line() {
        let kind = MailTemplateKind::ApprovalRequest;
        let errors = check(kind, &template("ok", "line one\n{{ asset ", "<p></p>"));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "text");
        assert!(
            errors[0].message.starts_with("syntax error on line 2"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn unknown_placeholder_names_field_and_line() {
        let kind = MailTemplateKind::EscalationNotice;
        let html = "<p>Hello</p>\n<p>{% if true %}{{ approve_url }}{% endif %}</p>";
        let errors = check(kind, &template("{{ asset }}", "{{ order_url }}", html));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "html");
        assert!(
            errors[0]
                .message
                .starts_with("unknown placeholder `approve_url` on line 2"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn runaway_loop_runs_out_of_fuel() {
        let kind = MailTemplateKind::ApprovalRequest;
        let text =
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}";
        let errors = check(kind, &template("s", text, "h"));
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.contains("too much work"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn subject_becomes_one_line() {
        let kind = MailTemplateKind::ApprovalRequest;
        let rendered = render(
            &template("A\n  {{ asset }}\r\n", "t", "h"),
            &values::sample(kind),
        )
        .unwrap();
        assert_eq!(rendered.subject, "A Laptop");
    }

    #[test]
    fn tag_lines_are_found() {
        assert_eq!(line_of("a\nb {{ x }}\n{{ y }}", "y"), Some(3));
        assert_eq!(line_of("x\n{% if x %}{% endif %}", "x"), Some(2));
        assert_eq!(line_of("{ not a tag }", "tag"), None);
    }
}
