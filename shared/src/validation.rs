//! Validation rules applied by the API and, with the same code, by the SPA's forms.

use crate::FieldError;
use crate::catalog::{AssetDefinitionInput, CatalogItem, JustificationRule};
use crate::orders::NewOrder;

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 128;
pub const PASSWORD_MIN: usize = 12;
/// Longer passwords are rejected so that hashing stays bounded in time and memory.
pub const PASSWORD_MAX: usize = 1024;
pub const NAME_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 4000;
pub const JUSTIFICATION_MAX: usize = 2000;
pub const DN_MAX: usize = 1024;
pub const GROUPS_MAX: usize = 20;
/// The longest access any definition may grant: ten years.
pub const DURATION_DAYS_LIMIT: i32 = 3650;

/// Checks an admin username: 3 to 128 characters of `a-z 0-9 . _ @ -` after lower-casing.
pub fn username(value: &str) -> Option<String> {
    let length = value.chars().count();
    if !(USERNAME_MIN..=USERNAME_MAX).contains(&length) {
        return Some(format!(
            "must be {USERNAME_MIN} to {USERNAME_MAX} characters long"
        ));
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._@-".contains(c);
    if !value.to_lowercase().chars().all(allowed) {
        return Some("may contain only letters a-z, digits and . _ @ -".to_string());
    }
    None
}

/// Checks a new admin password against the length rules.
pub fn password(value: &str) -> Option<String> {
    let length = value.chars().count();
    if length < PASSWORD_MIN {
        return Some(format!("must be at least {PASSWORD_MIN} characters long"));
    }
    if length > PASSWORD_MAX {
        return Some(format!("must be at most {PASSWORD_MAX} characters long"));
    }
    None
}

/// Checks the username and password of a new administrator.
pub fn credentials(username_value: &str, password_value: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(message) = username(username_value) {
        errors.push(FieldError::new("username", message));
    }
    if let Some(message) = password(password_value) {
        errors.push(FieldError::new("password", message));
    }
    errors
}

fn text(errors: &mut Vec<FieldError>, field: &str, value: &str, required: bool, max: usize) {
    if required && value.trim().is_empty() {
        errors.push(FieldError::new(field, "is required"));
    } else if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters long"),
        ));
    }
}

/// Checks that a value reads as an LDAP distinguished name (`attr=value,...`). The directory
/// itself is the final judge; this catches typing mistakes before anything is saved.
pub fn distinguished_name(value: &str) -> Option<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Some("is required".to_string());
    }
    if trimmed.chars().count() > DN_MAX {
        return Some(format!("must be at most {DN_MAX} characters long"));
    }
    let first = trimmed.split(',').next().unwrap_or_default();
    match first.split_once('=') {
        Some((attribute, rdn_value)) if !attribute.trim().is_empty() && !rdn_value.is_empty() => {
            None
        }
        _ => {
            Some("must be a distinguished name such as cn=Group,ou=Groups,dc=example,dc=com".into())
        }
    }
}

/// Checks an asset definition before it is saved.
pub fn asset_definition(input: &AssetDefinitionInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    text(&mut errors, "name", &input.name, true, NAME_MAX);
    text(
        &mut errors,
        "description",
        &input.description,
        false,
        DESCRIPTION_MAX,
    );
    text(&mut errors, "category", &input.category, true, NAME_MAX);

    if input.group_dns.is_empty() {
        errors.push(FieldError::new("group_dns", "must name at least one group"));
    }
    if input.group_dns.len() > GROUPS_MAX {
        errors.push(FieldError::new(
            "group_dns",
            format!("may name at most {GROUPS_MAX} groups"),
        ));
    }
    for (index, dn) in input.group_dns.iter().enumerate() {
        if let Some(message) = distinguished_name(dn) {
            errors.push(FieldError::new(format!("group_dns[{index}]"), message));
        }
    }

    let duration_range = 1..=DURATION_DAYS_LIMIT;
    if !duration_range.contains(&input.max_duration_days) {
        errors.push(FieldError::new(
            "max_duration_days",
            format!("must be between 1 and {DURATION_DAYS_LIMIT} days"),
        ));
    }
    if !duration_range.contains(&input.default_duration_days) {
        errors.push(FieldError::new(
            "default_duration_days",
            format!("must be between 1 and {DURATION_DAYS_LIMIT} days"),
        ));
    } else if input.default_duration_days > input.max_duration_days {
        errors.push(FieldError::new(
            "default_duration_days",
            "must not be longer than the maximum duration",
        ));
    }
    errors
}

/// Checks a new order against the catalog entry it names.
pub fn new_order(order: &NewOrder, item: &CatalogItem) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let duration = order.duration_days.unwrap_or(item.default_duration_days);
    if duration < 1 {
        errors.push(FieldError::new("duration_days", "must be at least 1 day"));
    } else if duration > item.max_duration_days {
        errors.push(FieldError::new(
            "duration_days",
            format!(
                "must be at most {} days for {}",
                item.max_duration_days, item.name
            ),
        ));
    }

    let justification = order.justification.as_deref().unwrap_or("").trim();
    match item.justification {
        JustificationRule::Required if justification.is_empty() => {
            errors.push(FieldError::new(
                "justification",
                "is required: say why you need this access",
            ));
        }
        JustificationRule::Off if !justification.is_empty() => {
            errors.push(FieldError::new(
                "justification",
                "is not asked for on this item; leave it empty",
            ));
        }
        _ => {}
    }
    if justification.chars().count() > JUSTIFICATION_MAX {
        errors.push(FieldError::new(
            "justification",
            format!("must be at most {JUSTIFICATION_MAX} characters long"),
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ApprovalPolicy;

    fn item() -> CatalogItem {
        CatalogItem {
            id: uuid::Uuid::nil(),
            name: "Finance app access".into(),
            description: String::new(),
            category: "Access".into(),
            approval: ApprovalPolicy::Manager,
            default_duration_days: 30,
            max_duration_days: 90,
            justification: JustificationRule::Required,
        }
    }

    fn order(duration_days: Option<i32>, justification: Option<&str>) -> NewOrder {
        NewOrder {
            definition_id: uuid::Uuid::nil(),
            duration_days,
            justification: justification.map(str::to_string),
        }
    }

    #[test]
    fn username_rules() {
        assert_eq!(username("alice"), None);
        assert_eq!(username("Alice.Admin@corp"), None);
        assert!(username("al").is_some());
        assert!(username("alice smith").is_some());
        assert!(username(&"a".repeat(129)).is_some());
    }

    #[test]
    fn password_length_rules() {
        assert!(password("short-pass1").is_some());
        assert_eq!(password("twelve-chars"), None);
        assert!(password(&"x".repeat(PASSWORD_MAX + 1)).is_some());
    }

    #[test]
    fn order_within_limits_passes() {
        assert!(new_order(&order(Some(30), Some("quarter close")), &item()).is_empty());
        assert!(new_order(&order(None, Some("quarter close")), &item()).is_empty());
    }

    #[test]
    fn order_over_maximum_names_duration() {
        let errors = new_order(&order(Some(91), Some("x")), &item());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "duration_days");
    }

    #[test]
    fn order_without_required_justification() {
        let errors = new_order(&order(Some(30), Some("   ")), &item());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "justification");
    }

    #[test]
    fn definition_rules_name_each_field() {
        let input = AssetDefinitionInput {
            name: String::new(),
            description: String::new(),
            category: "Access".into(),
            strategy: crate::catalog::Strategy::GroupAccess,
            group_dns: vec!["not a dn".into()],
            approval: ApprovalPolicy::Manager,
            default_duration_days: 120,
            max_duration_days: 90,
            justification: JustificationRule::Required,
            active: true,
        };
        let fields: Vec<String> = asset_definition(&input)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "group_dns[0]", "default_duration_days"]);
    }
}
