//! Query strings for list endpoints.

use web_sys::js_sys::encode_uri_component;

/// Appends the parameters that have a non-empty value to `path` as a query string.
pub fn with_query(path: &str, parameters: &[(&str, Option<String>)]) -> String {
    let mut url = path.to_string();
    let mut separator = if path.contains('?') { '&' } else { '?' };
    for (name, value) in parameters {
        let Some(value) = value else { continue };
        if value.is_empty() {
            continue;
        }
        let encoded = String::from(encode_uri_component(value));
        url.push(separator);
        url.push_str(name);
        url.push('=');
        url.push_str(&encoded);
        separator = '&';
    }
    url
}
