//! One step of the runbook editor as signals, and the conversions between a parameter's JSON
//! value and the text its input holds.

use leptos::prelude::*;
use serde_json::{Map, Value};
use shared::runbooks::{ModuleSpec, ParamKind, ParamSpec, RetryPolicy, Step};

use crate::forms::{FieldErrors, parse_number};

/// One parameter of a step: the module's description of it and the text its input holds.
#[derive(Debug, Clone, Copy)]
pub struct ParamDraft {
    pub spec: ParamSpec,
    pub text: RwSignal<String>,
}

/// One step in the editor. Each part is its own signal, so typing in one step does not redraw
/// the list, which changes only when a step is added, removed or moved.
#[derive(Debug, Clone, Copy)]
pub struct StepDraft {
    /// Identifies the step while steps move. It is never sent to the API.
    pub uid: u64,
    pub module: StoredValue<String>,
    pub key: RwSignal<String>,
    pub name: RwSignal<String>,
    pub enabled: RwSignal<bool>,
    pub timeout_seconds: RwSignal<String>,
    pub max_attempts: RwSignal<String>,
    pub backoff_seconds: RwSignal<String>,
    /// The module's parameters, in the module's order.
    pub params: StoredValue<Vec<ParamDraft>>,
    /// Parameters of a saved step that its module does not take. They are sent back unchanged,
    /// so the server names them, until the admin removes them.
    pub unknown_params: RwSignal<Map<String, Value>>,
}

impl StepDraft {
    pub fn new(uid: u64, step: Step) -> Self {
        let spec = shared::runbooks::module(&step.module);
        let specs = spec.map(|module| module.params).unwrap_or_default();
        let params = specs
            .iter()
            .map(|spec| ParamDraft {
                spec: *spec,
                text: RwSignal::new(
                    step.params
                        .get(spec.name)
                        .map(value_text)
                        .unwrap_or_default(),
                ),
            })
            .collect();
        let unknown_params = step
            .params
            .into_iter()
            .filter(|(name, _)| !specs.iter().any(|spec| spec.name == name))
            .collect();
        Self {
            uid,
            module: StoredValue::new(step.module),
            key: RwSignal::new(step.key),
            name: RwSignal::new(step.name),
            enabled: RwSignal::new(step.enabled),
            timeout_seconds: RwSignal::new(step.timeout_seconds.to_string()),
            max_attempts: RwSignal::new(step.retry.max_attempts.to_string()),
            backoff_seconds: RwSignal::new(step.retry.backoff_seconds.to_string()),
            params: StoredValue::new(params),
            unknown_params: RwSignal::new(unknown_params),
        }
    }

    /// Returns the module's description, or `None` for a module this version does not have.
    pub fn spec(&self) -> Option<&'static ModuleSpec> {
        self.module.with_value(|id| shared::runbooks::module(id))
    }

    /// Reads the step as the API takes it, with errors for numbers that do not parse. Field
    /// paths start at `steps[index]`, as the API's do.
    pub fn read(&self, index: usize, errors: &mut FieldErrors) -> Step {
        let field = |name: &str| format!("steps[{index}].{name}");
        let mut params = self.unknown_params.get_untracked();
        self.params.with_value(|drafts| {
            for draft in drafts {
                let text = draft.text.get_untracked();
                if let Some(value) = text_value(draft.spec.kind, &text) {
                    params.insert(draft.spec.name.to_string(), value);
                }
            }
        });
        let mut number = |signal: RwSignal<String>, name: &str| {
            parse_number::<u32>(&signal.get_untracked(), &field(name), errors).unwrap_or(0)
        };
        let timeout_seconds = number(self.timeout_seconds, "timeout_seconds");
        let max_attempts = number(self.max_attempts, "retry.max_attempts");
        let backoff_seconds = number(self.backoff_seconds, "retry.backoff_seconds");

        Step {
            key: self.key.get_untracked().trim().to_string(),
            name: self.name.get_untracked().trim().to_string(),
            module: self.module.get_value(),
            params,
            enabled: self.enabled.get_untracked(),
            timeout_seconds,
            retry: RetryPolicy {
                max_attempts,
                backoff_seconds,
            },
        }
    }
}

/// Returns the text an input shows for a parameter's value: strings as they are, objects as
/// indented JSON, and numbers and flags as written.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Object(_) | Value::Array(_) => {
            serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
        }
        Value::Bool(_) | Value::Number(_) => value.to_string(),
    }
}

/// Returns the value to send for a parameter's text, or `None` for blank text, which leaves
/// the parameter out. A JSON object, a whole number and `true` or `false` are sent as JSON
/// values for the kinds that take them. Anything else, such as a template, is sent as text,
/// and the shared checks judge it.
pub fn text_value(kind: ParamKind, text: &str) -> Option<Value> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    let value = match kind {
        ParamKind::Json => match serde_json::from_str::<Value>(trimmed) {
            Ok(object @ Value::Object(_)) => object,
            _ => Value::String(text.to_string()),
        },
        ParamKind::Number => match trimmed.parse::<u64>() {
            Ok(number) => Value::from(number),
            Err(_) => Value::String(trimmed.to_string()),
        },
        ParamKind::Flag => match trimmed {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(trimmed.to_string()),
        },
        ParamKind::Multiline => Value::String(text.to_string()),
        ParamKind::Text | ParamKind::Script | ParamKind::Choice(_) => {
            Value::String(trimmed.to_string())
        }
    };
    Some(value)
}

/// Returns a key for a new step of `module` that is not in `used_keys`: the module's name
/// after its family, such as `add_member`, with `_2`, `_3`, ... when needed.
pub fn unused_key(module: &ModuleSpec, used_keys: &[String]) -> String {
    let base = module
        .id
        .rsplit('.')
        .next()
        .unwrap_or(module.id)
        .to_string();
    if !used_keys.contains(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}_{n}"))
        .find(|key| !used_keys.contains(key))
        .unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parameter_values_round_trip_through_text() {
        let headers = json!({"Accept": "application/json"});
        let text = value_text(&headers);
        assert!(text.contains('\n'), "objects are indented: {text}");
        assert_eq!(text_value(ParamKind::Json, &text), Some(headers));
        assert_eq!(value_text(&json!(10)), "10");
        assert_eq!(text_value(ParamKind::Number, " 10 "), Some(json!(10)));
        assert_eq!(value_text(&json!(true)), "true");
        assert_eq!(text_value(ParamKind::Flag, "true"), Some(json!(true)));
        assert_eq!(value_text(&Value::Null), "");
    }

    #[test]
    fn templates_and_bad_values_stay_text() {
        let template = "{{ vars.interval }}";
        assert_eq!(
            text_value(ParamKind::Number, template),
            Some(json!(template))
        );
        assert_eq!(text_value(ParamKind::Json, "[1]"), Some(json!("[1]")));
        assert_eq!(text_value(ParamKind::Flag, "yes"), Some(json!("yes")));
        assert_eq!(text_value(ParamKind::Text, "  cn=A  "), Some(json!("cn=A")));
        assert_eq!(
            text_value(ParamKind::Multiline, "Hello,\n\n"),
            Some(json!("Hello,\n\n"))
        );
        assert_eq!(text_value(ParamKind::Text, "   "), None);
    }

    #[test]
    fn new_keys_avoid_taken_ones() {
        let module = shared::runbooks::module("ldap.add_member").unwrap();
        assert_eq!(unused_key(module, &[]), "add_member");
        let used_keys = vec!["add_member".to_string(), "add_member_2".to_string()];
        assert_eq!(unused_key(module, &used_keys), "add_member_3");
        let script = shared::runbooks::module("script").unwrap();
        assert_eq!(unused_key(script, &[]), "script");
    }
}
