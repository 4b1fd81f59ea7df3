//! A fake Configuration Manager AdminService on 127.0.0.1 under `/AdminService/wmi/`. It keeps
//! device records (`SMS_R_System`), imports with `SMS_Site.ImportMachineEntry`, and keeps
//! collections with direct rules and evaluated membership. It parses OData `$filter`
//! expressions as the real service does, so an unescaped quote is a syntax error. It checks
//! Basic authentication, reports OData error bodies, counts calls per operation and can fail
//! the next requests on demand.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use super::CallLog;

pub const USERNAME: &str = "CONTOSO\\svc-ipsolis";
pub const PASSWORD: &str = "sccm-Secret-Pass-3";
const PREFIX: &str = "/AdminService/wmi/";

#[derive(Debug, Clone)]
pub struct Device {
    pub name: String,
    pub mac_addresses: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Collection {
    pub name: String,
    /// Direct rules: ResourceID and rule name.
    pub rules: Vec<(u32, String)>,
    pub members: BTreeSet<u32>,
}

#[derive(Default)]
struct Site {
    devices: BTreeMap<u32, Device>,
    collections: BTreeMap<String, Collection>,
    calls: CallLog,
    next_id: u32,
    /// Rejects every request with a Windows authentication challenge, as a default install does.
    windows_only: bool,
}

pub struct FakeSccm {
    /// The AdminService URL, to pass as the `url` parameter.
    pub url: String,
    site: Arc<Mutex<Site>>,
}

impl FakeSccm {
    pub async fn start() -> FakeSccm {
        let site = Arc::new(Mutex::new(Site {
            next_id: 16_777_220,
            ..Site::default()
        }));
        let app = Router::new().fallback(receive).with_state(site.clone());
        let address = super::serve_fake(app).await;
        FakeSccm {
            url: format!("http://{address}/AdminService"),
            site,
        }
    }

    /// Adds a device record; returns its ResourceID.
    pub fn add_device(&self, name: &str, mac_addresses: &[&str]) -> u32 {
        let mut site = self.site.lock().unwrap();
        site.next_id += 1;
        let id = site.next_id;
        let device = Device {
            name: name.to_string(),
            mac_addresses: mac_addresses.iter().map(|m| m.to_string()).collect(),
        };
        site.devices.insert(id, device);
        id
    }

    pub fn add_collection(&self, id: &str, name: &str) {
        let collection = Collection {
            name: name.to_string(),
            ..Collection::default()
        };
        let mut site = self.site.lock().unwrap();
        site.collections.insert(id.to_string(), collection);
    }

    pub fn device(&self, resource_id: u32) -> Option<Device> {
        self.site.lock().unwrap().devices.get(&resource_id).cloned()
    }

    /// Lists the ResourceIDs of the devices named `name`.
    pub fn named(&self, name: &str) -> Vec<u32> {
        let site = self.site.lock().unwrap();
        site.devices
            .iter()
            .filter(|(_, d)| d.name.eq_ignore_ascii_case(name))
            .map(|(id, _)| *id)
            .collect()
    }

    pub fn collection(&self, id: &str) -> Option<Collection> {
        self.site.lock().unwrap().collections.get(id).cloned()
    }

    /// Counts the calls of an operation, such as `GET SMS_R_System` or
    /// `POST AddMembershipRule`.
    pub fn calls(&self, operation: &str) -> usize {
        self.site.lock().unwrap().calls.count(operation)
    }

    /// Calls that change something: every POST and DELETE.
    pub fn changes(&self) -> usize {
        let site = self.site.lock().unwrap();
        site.calls.sum(|op| !op.starts_with("GET"))
    }

    pub fn require_windows_authentication(&self) {
        self.site.lock().unwrap().windows_only = true;
    }

    /// Fails the next `count` requests with `status` and an empty body.
    pub fn fail_next(&self, count: usize, status: u16) {
        self.site.lock().unwrap().calls.fail_next(count, status);
    }
}

fn odata_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "error": { "code": code, "message": message } });
    (status, axum::Json(body)).into_response()
}

fn not_found(what: &str) -> Response {
    odata_error(StatusCode::NOT_FOUND, "", &format!("{what} was not found."))
}

fn bad_request(message: &str) -> Response {
    odata_error(StatusCode::BAD_REQUEST, "", message)
}

fn values(items: Vec<Value>) -> Response {
    axum::Json(
        json!({ "@odata.context": "https://fake/AdminService/wmi/$metadata", "value": items }),
    )
    .into_response()
}

fn device_json(id: u32, device: &Device) -> Value {
    json!({ "ResourceId": id, "Name": device.name, "MACAddresses": device.mac_addresses })
}

/// Decodes `%XX` escapes in a path segment.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// A literal in a `$filter` comparison.
#[derive(Debug, PartialEq)]
pub enum Literal {
    Text(String),
    Number(u64),
}

/// Parses `Property eq literal [and Property eq literal ...]`, the only filters the fake
/// supports, with OData string literals in single quotes and `''` for a quote inside. Returns
/// `None` for anything else, which the real service rejects with 400.
pub fn parse_filter(filter: &str) -> Option<Vec<(String, Literal)>> {
    let mut rest = filter.trim();
    let mut terms = Vec::new();
    loop {
        let (property, after) = rest.split_once(' ')?;
        let after = after.trim_start().strip_prefix("eq ")?.trim_start();
        let (literal, after) = if let Some(quoted) = after.strip_prefix('\'') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let end = loop {
                let (index, c) = chars.next()?;
                if c != '\'' {
                    value.push(c);
                } else if quoted[index + 1..].starts_with('\'') {
                    value.push('\'');
                    chars.next();
                } else {
                    break index + 1;
                }
            };
            (Literal::Text(value), &quoted[end..])
        } else {
            let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
            let number = digits.parse().ok()?;
            (Literal::Number(number), &after[digits.len()..])
        };
        terms.push((property.to_string(), literal));
        let after = after.trim_start();
        if after.is_empty() {
            return Some(terms);
        }
        rest = after.strip_prefix("and ")?;
    }
}

fn credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(value.strip_prefix("Basic ")?)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

fn challenge(windows_only: bool) -> Response {
    let mut response = odata_error(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "Authorization has been denied for this request.",
    );
    let headers = response.headers_mut();
    if windows_only {
        headers.append(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Negotiate"),
        );
        headers.append(header::WWW_AUTHENTICATE, HeaderValue::from_static("NTLM"));
    } else {
        headers.append(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"AdminService\""),
        );
    }
    response
}

/// Names the operation a request is counted under, such as `GET SMS_R_System`.
fn operation(method: &Method, resource: &str) -> String {
    let name = resource.split('(').next().unwrap_or_default();
    let name = match resource.rsplit_once("/AdminService.") {
        Some((_, action)) => action,
        None => name.trim_start_matches("SMS_Site."),
    };
    format!("{method} {name}")
}

async fn receive(State(site): State<Arc<Mutex<Site>>>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query: Vec<(String, String)> = request
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let headers = request.headers().clone();
    let bytes = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap_or_else(|_| Bytes::new());
    let Some(resource) = path.strip_prefix(PREFIX).map(percent_decode) else {
        return not_found("The resource");
    };

    let mut site = site.lock().unwrap();
    if let Some(status) = site.calls.record(&operation(&method, &resource)) {
        return status.into_response();
    }
    let authorised =
        credentials(&headers).is_some_and(|(user, pass)| user == USERNAME && pass == PASSWORD);
    if site.windows_only || !authorised {
        return challenge(site.windows_only);
    }
    let filter = match query.iter().find(|(key, _)| key == "$filter") {
        None => Some(Vec::new()),
        Some((_, filter)) => parse_filter(filter),
    };
    let Some(filter) = filter else {
        return bad_request("The query specified in the URI is not valid.");
    };
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);

    if let Some(key) = resource
        .strip_prefix("SMS_R_System(")
        .and_then(|k| k.strip_suffix(')'))
    {
        let Ok(id) = key.parse::<u32>() else {
            return bad_request("The key is not a ResourceId.");
        };
        return match method {
            Method::GET => match site.devices.get(&id) {
                Some(device) => values(vec![device_json(id, device)]),
                None => not_found("SMS_R_System"),
            },
            Method::DELETE => match site.devices.remove(&id) {
                Some(_) => {
                    for collection in site.collections.values_mut() {
                        collection.rules.retain(|(rule_id, _)| *rule_id != id);
                        collection.members.remove(&id);
                    }
                    StatusCode::OK.into_response()
                }
                None => not_found("SMS_R_System"),
            },
            _ => bad_request("The method is not allowed."),
        };
    }
    if let Some(rest) = resource.strip_prefix("SMS_Collection('") {
        return collection(&mut site, &method, rest, &body);
    }
    match (method, resource.as_str()) {
        (Method::GET, "SMS_R_System") => {
            let listed = site
                .devices
                .iter()
                .filter(|(id, device)| {
                    filter
                        .iter()
                        .all(|(property, literal)| match (property.as_str(), literal) {
                            ("Name", Literal::Text(name)) => device.name.eq_ignore_ascii_case(name),
                            ("ResourceId", Literal::Number(n)) => u64::from(**id) == *n,
                            _ => false,
                        })
                })
                .map(|(id, device)| device_json(*id, device))
                .collect();
            values(listed)
        }
        (Method::POST, "SMS_Site.ImportMachineEntry") => import(&mut site, &body),
        (Method::GET, "SMS_FullCollectionMembership") => {
            let mut listed = Vec::new();
            for (collection_id, collection) in &site.collections {
                for member in &collection.members {
                    let matches = filter.iter().all(|(property, literal)| {
                        match (property.as_str(), literal) {
                            ("CollectionID", Literal::Text(id)) => id == collection_id,
                            ("ResourceID", Literal::Number(n)) => u64::from(*member) == *n,
                            _ => false,
                        }
                    });
                    if matches {
                        listed.push(json!({ "CollectionID": collection_id, "ResourceID": member }));
                    }
                }
            }
            values(listed)
        }
        _ => not_found("The resource"),
    }
}

/// Runs `SMS_Site.ImportMachineEntry`, which keeps a record that has the MAC address unless
/// the request sets `OverwriteExistingRecord`.
fn import(site: &mut Site, body: &Value) -> Response {
    let (Some(name), Some(mac), Some(overwrite)) = (
        body["NetbiosName"].as_str(),
        body["MACAddress"].as_str(),
        body["OverwriteExistingRecord"].as_bool(),
    ) else {
        return bad_request("NetbiosName, MACAddress and OverwriteExistingRecord are required.");
    };
    let colon_form = mac.len() == 17
        && mac.split(':').count() == 6
        && mac
            .split(':')
            .all(|pair| pair.len() == 2 && pair.chars().all(|c| c.is_ascii_hexdigit()));
    if !colon_form || name.is_empty() || name.chars().count() > 15 {
        return bad_request("The NetbiosName or MACAddress is not valid.");
    }
    let existing = site
        .devices
        .iter()
        .find(|(_, d)| d.mac_addresses.iter().any(|m| m.eq_ignore_ascii_case(mac)))
        .map(|(id, _)| *id);
    let (id, exists) = match existing {
        Some(id) if !overwrite => (id, true),
        _ => {
            site.next_id += 1;
            let id = site.next_id;
            let device = Device {
                name: name.to_string(),
                mac_addresses: vec![mac.to_string()],
            };
            site.devices.insert(id, device);
            (id, false)
        }
    };
    axum::Json(json!({
        "@odata.context": "https://fake/AdminService/wmi/$metadata#Edm.Untyped",
        "MachineExists": exists,
        "ResourceID": id,
        "ReturnValue": 0,
        "SMSUniqueIdentifier": "",
    }))
    .into_response()
}

/// `SMS_Collection('ID')` and its `AdminService.AddMembershipRule` action; `rest` follows the
/// opening quote of the key.
fn collection(site: &mut Site, method: &Method, rest: &str, body: &Value) -> Response {
    let mut id = String::new();
    let mut chars = rest.chars().peekable();
    loop {
        match chars.next() {
            Some('\'') if chars.peek() == Some(&'\'') => {
                chars.next();
                id.push('\'');
            }
            Some('\'') => break,
            Some(c) => id.push(c),
            None => return bad_request("The key literal is not closed."),
        }
    }
    let after: String = chars.collect();
    let devices = site.devices.keys().copied().collect::<BTreeSet<u32>>();
    let Some(collection) = site.collections.get_mut(&id) else {
        return not_found("SMS_Collection");
    };
    match (method, after.as_str()) {
        (&Method::GET, ")") => {
            let rules: Vec<Value> = collection
                .rules
                .iter()
                .map(|(resource_id, rule_name)| {
                    json!({
                        "@odata.type": "#AdminService.SMS_CollectionRuleDirect",
                        "ResourceClassName": "SMS_R_System",
                        "ResourceID": resource_id,
                        "RuleName": rule_name,
                    })
                })
                .collect();
            values(vec![json!({
                "CollectionID": id,
                "Name": collection.name,
                "CollectionRules": rules,
            })])
        }
        (&Method::POST, ")/AdminService.AddMembershipRule") => {
            let rule = &body["collectionRule"];
            let shape_ok = rule["@odata.type"] == "#AdminService.SMS_CollectionRuleDirect"
                && rule["ResourceClassName"] == "SMS_R_System"
                && rule["RuleName"].is_string();
            let resource_id = rule["ResourceID"]
                .as_u64()
                .and_then(|n| u32::try_from(n).ok());
            let Some(resource_id) = resource_id.filter(|_| shape_ok) else {
                return bad_request("collectionRule is not a direct rule on SMS_R_System.");
            };
            if !devices.contains(&resource_id) {
                return bad_request("The resource does not exist.");
            }
            if !collection.rules.iter().any(|(r, _)| *r == resource_id) {
                let name = rule["RuleName"].as_str().unwrap_or_default().to_string();
                collection.rules.push((resource_id, name));
            }
            collection.members.insert(resource_id);
            axum::Json(json!({ "ReturnValue": 0, "QueryID": 0 })).into_response()
        }
        _ => bad_request("The method is not allowed."),
    }
}
