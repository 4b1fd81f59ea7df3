//! Templating of step parameters. Every string parameter is a minijinja template over the
//! run's context: `order`, `requester`, `asset`, `vars`, `secrets`, `run` and `steps` (the
//! outputs of earlier steps by key). A name the context lacks is an error, never an empty
//! string, so a typo cannot send a blank value to a target. A dry run renders the outputs of
//! steps that have not run as placeholders such as `<steps.clone.vm>`.

use minijinja::value::{Object, ObjectRepr, Serde};
use minijinja::{Environment, UndefinedBehavior, Value as Jinja};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// The text shown in place of a secret wherever it could be read: dry runs, outputs, logs and
/// errors.
pub const MASK: &str = "********";

/// The data templates read. `steps` is filled as steps finish.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub order: Value,
    pub requester: Value,
    pub asset: Value,
    pub run: Value,
    pub vars: Map<String, Value>,
    pub secrets: Map<String, Value>,
    pub steps: Map<String, Value>,
    /// Names a dry run has no data for (such as `order` without an order): any field of them
    /// renders as a placeholder like `<order.id>`.
    pub placeholders: Vec<&'static str>,
}

impl Context {
    /// Returns every form of the secret values that masking replaces, longest first: the
    /// value itself, its JSON-escaped, debug-escaped and URL-encoded forms, and each line of a
    /// value with several lines.
    pub fn secret_values(&self) -> Vec<String> {
        let mut forms: Vec<String> = Vec::new();
        for value in self.secrets.values().filter_map(Value::as_str) {
            let json = serde_json::to_string(value).unwrap_or_default();
            let debug = format!("{value:?}");
            let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
            forms.push(value.to_string());
            forms.push(json.trim_matches('"').to_string());
            forms.push(debug.trim_matches('"').to_string());
            forms.push(encoded.clone());
            forms.push(encoded.replace('+', "%20"));
            forms.extend(value.lines().map(str::to_string));
        }
        forms.retain(|form| form.chars().count() >= SECRET_MIN);
        forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
        forms.dedup();
        forms
    }
}

pub use shared::runbooks::SECRET_MIN;

/// An output of a step that has not run yet, in a dry run.
#[derive(Debug)]
struct Placeholder(String);

impl Object for Placeholder {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Jinja) -> Option<Jinja> {
        Some(Jinja::from_object(Placeholder(format!("{}.{key}", self.0))))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.0)
    }
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // A loop in a parameter cannot run forever.
    env.set_fuel(Some(50_000));
    // debug() would print the whole context, secrets included.
    env.add_function("debug", || -> Result<String, minijinja::Error> {
        Err(minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            "debug() is not available in runbook templates",
        ))
    });
    env
}

/// Renders templates with one context.
pub struct Renderer {
    env: Environment<'static>,
    context: Jinja,
}

impl Renderer {
    /// Renders for a real run: secrets are their values.
    pub fn new(context: &Context) -> Renderer {
        Renderer::build(context, false)
    }

    /// Renders for a dry run: secrets show as [`MASK`] and outputs of steps not yet run as
    /// placeholders.
    pub fn dry(context: &Context) -> Renderer {
        Renderer::build(context, true)
    }

    fn build(context: &Context, dry: bool) -> Renderer {
        let mut map: BTreeMap<&str, Jinja> = BTreeMap::new();
        map.insert("order", Jinja::from(Serde(&context.order)));
        map.insert("requester", Jinja::from(Serde(&context.requester)));
        map.insert("asset", Jinja::from(Serde(&context.asset)));
        map.insert("run", Jinja::from(Serde(&context.run)));
        map.insert("vars", Jinja::from(Serde(&context.vars)));
        if dry {
            let masked: Map<String, Value> = context
                .secrets
                .keys()
                .map(|k| (k.clone(), Value::String(MASK.into())))
                .collect();
            map.insert("secrets", Jinja::from(Serde(&masked)));
            map.insert(
                "steps",
                Jinja::from_object(Placeholder("steps".to_string())),
            );
            for name in &context.placeholders {
                map.insert(name, Jinja::from_object(Placeholder(name.to_string())));
            }
        } else {
            map.insert("secrets", Jinja::from(Serde(&context.secrets)));
            map.insert("steps", Jinja::from(Serde(&context.steps)));
        }
        Renderer {
            env: environment(),
            context: Jinja::from(map),
        }
    }

    fn render_str(&self, source: &str) -> Result<String, String> {
        if !source.contains("{{") && !source.contains("{%") && !source.contains("{#") {
            return Ok(source.to_string());
        }
        self.env
            .render_str(source, self.context.clone())
            .map_err(|e| describe(&e))
    }

    /// Renders every string in `params`, keeping the structure; the error names the parameter.
    pub fn params(&self, params: &Map<String, Value>) -> Result<Map<String, Value>, String> {
        let mut rendered = Map::new();
        for (name, value) in params {
            let value = self
                .value(value)
                .map_err(|e| format!("the parameter {name}: {e}"))?;
            rendered.insert(name.clone(), value);
        }
        Ok(rendered)
    }

    fn value(&self, value: &Value) -> Result<Value, String> {
        Ok(match value {
            Value::String(text) => Value::String(self.render_str(text)?),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.value(item))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.value(v)?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => other.clone(),
        })
    }
}

fn describe(error: &minijinja::Error) -> String {
    use minijinja::ErrorKind;
    match error.kind() {
        ErrorKind::UndefinedError => format!(
            "the template reads a name the run does not have ({}); check the spelling, the \
             variables and the keys of earlier steps",
            error.detail().unwrap_or("undefined value")
        ),
        ErrorKind::OutOfFuel => "the template does too much work".to_string(),
        _ => match error.detail() {
            Some(detail) => format!("the template is invalid: {detail}"),
            None => format!("the template is invalid: {}", error.kind()),
        },
    }
}

/// Replaces every secret form in `text` with [`MASK`], and NUL characters, which the journal
/// cannot store, with U+FFFD.
pub fn mask(text: &str, secrets: &[String]) -> String {
    let mut masked = text.replace('\0', "\u{fffd}");
    for secret in secrets {
        if masked.contains(secret.as_str()) {
            masked = masked.replace(secret.as_str(), MASK);
        }
    }
    masked
}

/// Applies [`mask`] to every string and key in `value`, and masks numbers that are secrets.
pub fn mask_value(value: &Value, secrets: &[String]) -> Value {
    match value {
        Value::String(text) => Value::String(mask(text, secrets)),
        Value::Number(number) if secrets.contains(&number.to_string()) => {
            Value::String(MASK.to_string())
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| mask_value(v, secrets)).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (mask(k, secrets), mask_value(v, secrets)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn context() -> Context {
        Context {
            requester: json!({"username": "ada", "dn": "cn=Ada,ou=People"}),
            vars: json!({"xen_url": "https://xen"})
                .as_object()
                .cloned()
                .unwrap(),
            secrets: json!({"xen_password": "hunter2hunter2"})
                .as_object()
                .cloned()
                .unwrap(),
            steps: json!({"clone": {"vm": "OpaqueRef:1"}})
                .as_object()
                .cloned()
                .unwrap(),
            ..Context::default()
        }
    }

    fn params(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn renders_context_and_outputs() {
        let rendered = Renderer::new(&context())
            .params(&params(json!({
                "name": "vdi-{{ requester.username }}",
                "vm": "{{ steps.clone.vm }}",
                "args": {"url": "{{ vars.xen_url }}"},
                "count": 3
            })))
            .unwrap();
        assert_eq!(rendered["name"], "vdi-ada");
        assert_eq!(rendered["vm"], "OpaqueRef:1");
        assert_eq!(rendered["args"]["url"], "https://xen");
        assert_eq!(rendered["count"], 3);
    }

    #[test]
    fn unknown_names_are_errors_naming_the_parameter() {
        let error = Renderer::new(&context())
            .params(&params(json!({"name": "{{ requester.usernme }}"})))
            .unwrap_err();
        assert!(error.starts_with("the parameter name:"), "{error}");
    }

    #[test]
    fn dry_runs_mask_secrets_and_show_placeholders() {
        let rendered = Renderer::dry(&context())
            .params(&params(json!({
                "password": "{{ secrets.xen_password }}",
                "vm": "{{ steps.later.vm_ref }}"
            })))
            .unwrap();
        assert_eq!(rendered["password"], MASK);
        assert_eq!(rendered["vm"], "<steps.later.vm_ref>");
    }

    #[test]
    fn masking_hides_escaped_and_encoded_forms() {
        let mut ctx = context();
        ctx.secrets.insert("quoted".into(), json!("pa\"ss\\wo/rd1"));
        ctx.secrets.insert("pin".into(), json!("918273"));
        ctx.secrets
            .insert("lines".into(), json!("line1-abc\nline2-def"));
        let secrets = ctx.secret_values();
        assert_eq!(mask("x pa\\\"ss\\\\wo/rd1 y", &secrets), "x ******** y");
        assert_eq!(mask("u=pa%22ss%5Cwo%2Frd1", &secrets), "u=********");
        assert_eq!(mask("got line2-def", &secrets), "got ********");
        assert_eq!(
            mask_value(&json!({"pin": 918273, "918273": "k"}), &secrets),
            json!({"pin": MASK, MASK: "k"})
        );
        assert_eq!(mask("a\0b", &secrets), "a\u{fffd}b");
    }

    #[test]
    fn debug_is_not_available() {
        let error = Renderer::new(&context())
            .params(&params(json!({"x": "{{ debug() }}"})))
            .unwrap_err();
        assert!(error.contains("debug() is not available"), "{error}");
    }

    #[test]
    fn masking_hides_secret_values() {
        let secrets = context().secret_values();
        assert_eq!(
            mask("login with hunter2hunter2 failed", &secrets),
            "login with ******** failed"
        );
        assert_eq!(
            mask_value(&json!({"a": ["x hunter2hunter2"]}), &secrets),
            json!({"a": ["x ********"]})
        );
    }
}
