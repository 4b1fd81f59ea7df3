//! A client for the Configuration Manager (SCCM) AdminService, an OData v4 REST API whose
//! `wmi/` routes expose the SMS Provider's WMI classes and methods.
//!
//! NOTE: The AdminService normally takes Windows authentication (Negotiate or NTLM), and no
//! client for those is available here, so this client sends Basic authentication over HTTPS.
//! That works only where the AdminService (or a proxy in front of it) accepts Basic.

use super::remote::{Endpoint, RemoteError};
use reqwest::header::WWW_AUTHENTICATE;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

pub const SERVICE: &str = "SCCM AdminService";

/// A device record, from `SMS_R_System`.
#[derive(Debug, Clone, Deserialize)]
pub struct Device {
    #[serde(rename = "ResourceId")]
    pub resource_id: u32,
    #[serde(rename = "Name", default)]
    pub name: String,
    #[serde(rename = "MACAddresses", default)]
    pub mac_addresses: Option<Vec<String>>,
}

impl Device {
    /// Returns whether the device lists `mac`, compared in normalised form.
    pub fn has_mac(&self, mac: &str) -> bool {
        self.mac_addresses
            .iter()
            .flatten()
            .any(|m| normalize_mac(m).as_deref() == Some(mac))
    }
}

/// The result of `SMS_Site.ImportMachineEntry`.
#[derive(Debug, Clone)]
pub struct Imported {
    pub resource_id: u32,
    /// True when a record with that MAC address already existed and was kept.
    pub machine_exists: bool,
}

/// A direct membership rule of a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectRule {
    pub resource_id: u32,
    pub rule_name: String,
}

/// An AdminService, reached with Basic authentication.
pub struct SccmClient {
    endpoint: Endpoint,
    http: reqwest::Client,
    username: String,
    password: String,
    timeout: Duration,
}

impl SccmClient {
    /// Creates a client for the AdminService at `url`, such as
    /// `https://sccm.example.com/AdminService`, with `timeout` on each request.
    pub fn new(
        http: reqwest::Client,
        url: &str,
        username: &str,
        password: &str,
        timeout: Duration,
    ) -> Result<SccmClient, RemoteError> {
        Ok(SccmClient {
            endpoint: Endpoint::parse(SERVICE, url)?,
            http,
            username: username.to_string(),
            password: password.to_string(),
            timeout,
        })
    }

    pub fn target(&self) -> String {
        self.endpoint.target()
    }

    /// Sends a request below `wmi/` and returns the body of a 2xx response.
    async fn send(
        &self,
        method: Method,
        segment: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<String, RemoteError> {
        let url = self.endpoint.url_with_query(&["wmi", segment], query);
        let mut request = self
            .http
            .request(method, url)
            .basic_auth(&self.username, Some(&self.password));
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = self.endpoint.send(request, self.timeout).await?;
        let status = response.status();
        let challenge = response
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(", ");
        let text = self.endpoint.text(response, self.timeout).await?;
        if status == StatusCode::UNAUTHORIZED {
            let basic = challenge.to_ascii_lowercase().contains("basic");
            let detail = if basic || challenge.is_empty() {
                "HTTP 401".to_string()
            } else {
                format!(
                    "HTTP 401; it offers only {challenge}, so enable Basic authentication on \
                     the AdminService or a proxy in front of it"
                )
            };
            return Err(self.endpoint.authentication(&self.username, detail));
        }
        if !status.is_success() {
            return Err(self.failure(status, &text));
        }
        Ok(text)
    }

    /// Reads an OData error, `{"error": {"code": ..., "message": ...}}`.
    fn failure(&self, status: StatusCode, text: &str) -> RemoteError {
        let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        let Some(message) = body["error"]["message"].as_str() else {
            return self.endpoint.status_error(status.as_u16(), text);
        };
        // The codes of AdminService errors vary by version; a missing instance is always 404.
        let code = match body["error"]["code"].as_str() {
            _ if status == StatusCode::NOT_FOUND => "NOT_FOUND".to_string(),
            Some(code) if !code.is_empty() => code.to_string(),
            _ => format!("HTTP_{}", status.as_u16()),
        };
        let retryable = status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS;
        let detail = format!("HTTP {}: {message}", status.as_u16());
        self.endpoint.api(&code, detail, retryable)
    }

    /// Parses the `value` list of an OData response.
    fn values<T: for<'de> Deserialize<'de>>(
        &self,
        what: &str,
        text: &str,
    ) -> Result<Vec<T>, RemoteError> {
        #[derive(Deserialize)]
        struct Values<T> {
            value: Vec<T>,
        }
        serde_json::from_str::<Values<T>>(text)
            .map(|v| v.value)
            .map_err(|e| self.endpoint.malformed(format!("{what}: {e}")))
    }

    /// Lists the devices named `name`.
    pub async fn devices_named(&self, name: &str) -> Result<Vec<Device>, RemoteError> {
        let filter = format!("Name eq {}", odata_string(name));
        let query = [
            ("$filter", filter.as_str()),
            ("$select", "ResourceId,Name,MACAddresses"),
        ];
        let text = self.send(Method::GET, "SMS_R_System", &query, None).await?;
        self.values("SMS_R_System", &text)
    }

    /// Reads the device with `resource_id`; `None` when there is none.
    pub async fn device(&self, resource_id: u32) -> Result<Option<Device>, RemoteError> {
        let segment = format!("SMS_R_System({resource_id})");
        match self.send(Method::GET, &segment, &[], None).await {
            Ok(text) => Ok(self
                .values::<Device>("SMS_R_System", &text)?
                .into_iter()
                .next()),
            Err(error) if is_not_found(&error) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Imports a device by name and MAC address (colon form), keeping an existing record that
    /// has the MAC address.
    pub async fn import_device(&self, name: &str, mac: &str) -> Result<Imported, RemoteError> {
        let body = import_body(name, mac);
        let text = self
            .send(
                Method::POST,
                "SMS_Site.ImportMachineEntry",
                &[],
                Some(&body),
            )
            .await?;
        let answer: Value = serde_json::from_str(&text)
            .map_err(|e| self.endpoint.malformed(format!("ImportMachineEntry: {e}")))?;
        let return_value = answer["ReturnValue"].as_i64().unwrap_or(0);
        if return_value != 0 {
            return Err(self.endpoint.api(
                "ImportMachineEntry",
                format!("it returned {return_value}"),
                false,
            ));
        }
        let resource_id = answer
            .get("ResourceID")
            .or_else(|| answer.get("ResourceId"))
            .and_then(Value::as_u64)
            .and_then(|id| u32::try_from(id).ok())
            .ok_or_else(|| {
                self.endpoint
                    .malformed("ImportMachineEntry returned no ResourceID")
            })?;
        Ok(Imported {
            resource_id,
            machine_exists: answer["MachineExists"].as_bool().unwrap_or(false),
        })
    }

    /// Lists the direct membership rules of the collection; `None` when there is no such
    /// collection. `CollectionRules` is a lazy property, so it is read from the single
    /// collection rather than a list.
    pub async fn direct_rules(
        &self,
        collection_id: &str,
    ) -> Result<Option<Vec<DirectRule>>, RemoteError> {
        let segment = format!("SMS_Collection({})", odata_string(collection_id));
        let text = match self.send(Method::GET, &segment, &[], None).await {
            Ok(text) => text,
            Err(error) if is_not_found(&error) => return Ok(None),
            Err(error) => return Err(error),
        };
        let body: Value = serde_json::from_str(&text)
            .map_err(|e| self.endpoint.malformed(format!("SMS_Collection: {e}")))?;
        // The AdminService wraps even a single instance in `value`.
        let collection = match body.get("value") {
            Some(Value::Array(items)) => match items.first() {
                Some(first) => first.clone(),
                None => return Ok(None),
            },
            _ => body,
        };
        let rules = collection["CollectionRules"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|rule| {
                rule["@odata.type"]
                    .as_str()
                    .is_some_and(|t| t.ends_with("SMS_CollectionRuleDirect"))
            })
            .filter_map(|rule| {
                Some(DirectRule {
                    resource_id: u32::try_from(rule["ResourceID"].as_u64()?).ok()?,
                    rule_name: rule["RuleName"].as_str().unwrap_or_default().to_string(),
                })
            })
            .collect();
        Ok(Some(rules))
    }

    /// Adds a direct membership rule for the device `resource_id` to the collection.
    pub async fn add_direct_rule(
        &self,
        collection_id: &str,
        resource_id: u32,
        rule_name: &str,
    ) -> Result<(), RemoteError> {
        let segment = format!("SMS_Collection({})", odata_string(collection_id));
        let segment = format!("{segment}/AdminService.AddMembershipRule");
        let body = membership_rule_body(resource_id, rule_name);
        self.send(Method::POST, &segment, &[], Some(&body))
            .await
            .map(drop)
    }

    /// Returns whether the collection's evaluated membership already lists the device. Membership
    /// follows a new rule only after the site evaluates the collection.
    pub async fn is_member(
        &self,
        collection_id: &str,
        resource_id: u32,
    ) -> Result<bool, RemoteError> {
        let filter = format!(
            "CollectionID eq {} and ResourceID eq {resource_id}",
            odata_string(collection_id)
        );
        let text = self
            .send(
                Method::GET,
                "SMS_FullCollectionMembership",
                &[("$filter", filter.as_str())],
                None,
            )
            .await?;
        Ok(!self
            .values::<Value>("SMS_FullCollectionMembership", &text)?
            .is_empty())
    }

    /// Deletes the device `resource_id`; returns false when it was already gone.
    pub async fn delete_device(&self, resource_id: u32) -> Result<bool, RemoteError> {
        let segment = format!("SMS_R_System({resource_id})");
        match self.send(Method::DELETE, &segment, &[], None).await {
            Ok(_) => Ok(true),
            Err(error) if is_not_found(&error) => Ok(false),
            Err(error) => Err(error),
        }
    }
}

fn is_not_found(error: &RemoteError) -> bool {
    match error {
        RemoteError::Status { status, .. } => *status == 404,
        RemoteError::Api { code, .. } => code == "NOT_FOUND",
        _ => false,
    }
}

/// Quotes `value` as an OData string literal. Each single quote inside is doubled (OData v4
/// URL conventions, section 5.1.1.6.1), so input can never end the literal.
pub fn odata_string(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Normalises a MAC address in colon, dash, dot or bare hex form to the colon form ConfigMgr
/// requires, such as `00:15:5D:01:02:03`. Returns `None` unless it has 12 hex digits.
pub fn normalize_mac(mac: &str) -> Option<String> {
    let digits: String = mac
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | '.'))
        .collect();
    if digits.len() != 12 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let upper = digits.to_ascii_uppercase();
    let pairs: Vec<&str> = (0..6).map(|i| &upper[i * 2..i * 2 + 2]).collect();
    Some(pairs.join(":"))
}

/// Builds the body of `SMS_Site.ImportMachineEntry`. An existing record is never overwritten: a
/// machine with the MAC address is kept and its ResourceID returned.
fn import_body(name: &str, mac: &str) -> Value {
    json!({
        "NetbiosName": name,
        "MACAddress": mac,
        "OverwriteExistingRecord": false,
    })
}

/// Builds the body of `SMS_Collection.AddMembershipRule` for a direct rule on a device.
fn membership_rule_body(resource_id: u32, rule_name: &str) -> Value {
    json!({
        "collectionRule": {
            "@odata.type": "#AdminService.SMS_CollectionRuleDirect",
            "ResourceClassName": "SMS_R_System",
            "ResourceID": resource_id,
            "RuleName": rule_name,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odata_strings_double_quotes() {
        assert_eq!(odata_string("PC01"), "'PC01'");
        assert_eq!(odata_string("O'Brien"), "'O''Brien'");
        assert_eq!(
            odata_string("x' or 1 eq 1 or Name eq '"),
            "'x'' or 1 eq 1 or Name eq '''"
        );
    }

    #[test]
    fn macs_are_normalised() {
        assert_eq!(
            normalize_mac("00-15-5d-01-02-03").as_deref(),
            Some("00:15:5D:01:02:03")
        );
        assert_eq!(
            normalize_mac("00155D010203").as_deref(),
            Some("00:15:5D:01:02:03")
        );
        assert_eq!(
            normalize_mac("0015.5d01.0203").as_deref(),
            Some("00:15:5D:01:02:03")
        );
        assert_eq!(normalize_mac("00:15:5D:01:02"), None);
        assert_eq!(normalize_mac("00:15:5D:01:02:GG"), None);
    }

    #[test]
    fn request_bodies() {
        assert_eq!(
            import_body("PC01", "00:15:5D:01:02:03"),
            json!({
                "NetbiosName": "PC01",
                "MACAddress": "00:15:5D:01:02:03",
                "OverwriteExistingRecord": false
            })
        );
        let rule = membership_rule_body(16777220, "PC01");
        assert_eq!(
            rule["collectionRule"]["@odata.type"],
            "#AdminService.SMS_CollectionRuleDirect"
        );
        assert_eq!(rule["collectionRule"]["ResourceClassName"], "SMS_R_System");
        assert_eq!(rule["collectionRule"]["ResourceID"], 16777220);
        assert_eq!(rule["collectionRule"]["RuleName"], "PC01");
    }

    #[test]
    fn devices_match_macs_in_any_form() {
        let device = Device {
            resource_id: 1,
            name: "PC01".into(),
            mac_addresses: Some(vec!["00:15:5d:01:02:03".into()]),
        };
        assert!(device.has_mac("00:15:5D:01:02:03"));
        assert!(!device.has_mac("00:15:5D:01:02:04"));
    }
}
