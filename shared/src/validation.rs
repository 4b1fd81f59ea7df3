//! Validation rules applied by the API and, with the same code, by the SPA's forms.

use crate::FieldError;
use crate::catalog::{
    AssetDefinitionInput, AssignmentModel, AttributeDefinition, AttributeKind, CatalogItem,
    DeprovisionPolicy, ExtensionPolicy, JustificationRule, Strategy,
};
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

/// Checks a mail address loosely: one `@` with text on both sides, a dot in the domain, no
/// spaces, at most 254 characters. The mail server has the last word.
pub fn email(value: &str) -> Option<String> {
    let valid = value.len() <= 254
        && !value.chars().any(char::is_whitespace)
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    (!valid).then(|| "must be a mail address such as jane.doe@example.com".to_string())
}

/// The maximum number of definitions or of categories in one access scope.
pub const SCOPE_ENTRIES_MAX: usize = 100;

/// Checks the mail address and access scope of an admin user.
pub fn admin_user_details(
    email_value: Option<&str>,
    scope: &crate::admin_users::AccessScope,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(message) = email_value.and_then(email) {
        errors.push(FieldError::new("email", message));
    }
    if scope.definitions.len() > SCOPE_ENTRIES_MAX {
        errors.push(FieldError::new(
            "scope.definitions",
            format!("may list at most {SCOPE_ENTRIES_MAX} definitions"),
        ));
    }
    if scope.categories.len() > SCOPE_ENTRIES_MAX {
        errors.push(FieldError::new(
            "scope.categories",
            format!("may list at most {SCOPE_ENTRIES_MAX} categories"),
        ));
    }
    for (index, category) in scope.categories.iter().enumerate() {
        text(
            &mut errors,
            &format!("scope.categories[{index}]"),
            category,
            true,
            NAME_MAX,
        );
    }
    errors
}

fn text(errors: &mut Vec<FieldError>, field: &str, value: &str, required: bool, max: usize) {
    let multiline = matches!(field, "description" | "help_text");
    if required && value.trim().is_empty() {
        errors.push(FieldError::new(field, "is required"));
    } else if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters long"),
        ));
    } else if let Some(message) = hidden_character(value, multiline) {
        errors.push(FieldError::new(field, message));
    }
}

/// Finds a character that changes how text reads without being seen: a bidirectional
/// override or isolate (which can make a name display reversed), a zero-width character
/// (which makes two names look alike), or a control character. Line breaks and tabs are
/// allowed in `multiline` text.
pub fn hidden_character(value: &str, multiline: bool) -> Option<String> {
    let hidden = value.chars().find(|&c| match c {
        '\n' | '\r' | '\t' => !multiline,
        // Soft hyphen, combining grapheme joiner, Arabic letter mark, Hangul and Mongolian
        // fillers, Khmer inherent vowels.
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' => true,
        '\u{17B5}' | '\u{180E}' | '\u{3164}' | '\u{FFA0}' => true,
        // Zero-width characters, direction marks, line and paragraph separators, bidirectional
        // embeddings, overrides and isolates, invisible operators, the byte order mark.
        '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2064}' => true,
        '\u{2066}'..='\u{206F}' | '\u{FEFF}' => true,
        c => c.is_control(),
    })?;
    Some(format!(
        "must not contain the invisible character U+{:04X}; type the text again instead of \
         pasting it",
        u32::from(hidden)
    ))
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

    if input.group_dns.is_empty() && input.strategy != Strategy::Runbook {
        errors.push(FieldError::new("group_dns", "must name at least one group"));
    }
    dn_list(&mut errors, "group_dns", &input.group_dns, GROUPS_MAX);

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
    text(&mut errors, "help_text", &input.help_text, false, HELP_MAX);
    if input.strategy != Strategy::GroupAccess && input.provision_runbook_id.is_none() {
        errors.push(FieldError::new(
            "provision_runbook_id",
            "a Runbook or Composite definition needs the runbook that provisions its orders",
        ));
    }
    if input.strategy == Strategy::GroupAccess && input.provision_runbook_id.is_some() {
        errors.push(FieldError::new(
            "provision_runbook_id",
            "only Runbook and Composite definitions run a provisioning runbook",
        ));
    }
    if input.deprovision.needs_runbook() && input.deprovision_runbook_id.is_none() {
        errors.push(FieldError::new(
            "deprovision_runbook_id",
            format!(
                "the policy {} needs the runbook that runs when an order ends",
                input.deprovision.label()
            ),
        ));
    }
    if input.deprovision != DeprovisionPolicy::ReturnWithReinstall
        && input.reinstall_runbook_id.is_some()
    {
        errors.push(FieldError::new(
            "reinstall_runbook_id",
            "only the policy Return to pool with reinstall runs a reinstall runbook",
        ));
    }
    pool_rules(&mut errors, input);
    dn_list(
        &mut errors,
        "eligible_group_dns",
        &input.eligible_group_dns,
        GROUPS_MAX,
    );
    for (index, attribute) in input.attributes.iter().enumerate() {
        attribute_rules(&mut errors, index, attribute, &input.attributes[..index]);
    }
    if input.attributes.len() > ATTRIBUTES_MAX {
        errors.push(FieldError::new(
            "attributes",
            format!("may list at most {ATTRIBUTES_MAX} attributes"),
        ));
    }
    extension_rules(&mut errors, &input.extension);
    errors.extend(crate::approvals::policy_errors(
        &input.approval,
        &input.attributes,
    ));
    if let Some(cost) = &input.monthly_cost {
        if !(0..=COST_MINOR_MAX).contains(&cost.amount_minor) {
            // Named in the currency's main unit, as the form takes it.
            let decimals = crate::catalog::MonthlyCost::decimals(&cost.currency);
            let largest = COST_MINOR_MAX / 10_i64.pow(decimals);
            errors.push(FieldError::new(
                "monthly_cost.amount_minor",
                format!(
                    "must be between 0 and {} {} a month",
                    thousands(largest),
                    cost.currency.trim()
                ),
            ));
        }
        let is_code =
            cost.currency.len() == 3 && cost.currency.chars().all(|c| c.is_ascii_uppercase());
        if !is_code {
            errors.push(FieldError::new(
                "monthly_cost.currency",
                "must be an ISO 4217 code such as EUR or USD",
            ));
        }
        text(
            &mut errors,
            "monthly_cost.cost_center",
            &cost.cost_center,
            false,
            64,
        );
    }
    if input.reminder_days.len() > 5 {
        errors.push(FieldError::new("reminder_days", "may list at most 5 days"));
    }
    for (index, days) in input.reminder_days.iter().enumerate() {
        if !(1..=365).contains(days) {
            errors.push(FieldError::new(
                format!("reminder_days[{index}]"),
                "must be between 1 and 365 days",
            ));
        } else if input.reminder_days[..index].contains(days) {
            errors.push(FieldError::new(
                format!("reminder_days[{index}]"),
                "is listed twice",
            ));
        }
    }
    errors
}

pub const HELP_MAX: usize = 10_000;
pub const ATTRIBUTES_MAX: usize = 30;
pub const OPTIONS_MAX: usize = 50;
const COST_MINOR_MAX: i64 = 1_000_000_000_000;

/// Writes a whole number with commas between groups of three digits.
fn thousands(number: i64) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Checks a list of group DNs: each one valid, and no more than `max`.
fn dn_list(errors: &mut Vec<FieldError>, field: &str, dns: &[String], max: usize) {
    if dns.len() > max {
        errors.push(FieldError::new(
            field,
            format!("may name at most {max} groups"),
        ));
    }
    for (index, dn) in dns.iter().enumerate() {
        if let Some(message) = distinguished_name(dn) {
            errors.push(FieldError::new(format!("{field}[{index}]"), message));
        }
    }
}

/// Capacity, sharing and per-person limits, which depend on the assignment model.
fn pool_rules(errors: &mut Vec<FieldError>, input: &AssetDefinitionInput) {
    let mut limit = |field: &str, value: Option<i32>, low: i32, high: i32| {
        if let Some(value) = value
            && !(low..=high).contains(&value)
        {
            errors.push(FieldError::new(
                field,
                format!("must be between {low} and {high}"),
            ));
        }
    };
    limit("capacity", input.capacity, 1, 1_000_000);
    limit("shared_max_users", input.shared_max_users, 2, 1000);
    limit("max_per_user", input.max_per_user, 1, 100);
    if input.capacity.is_some() && input.assignment != AssignmentModel::CapacityPooled {
        errors.push(FieldError::new(
            "capacity",
            "applies only to capacity_pooled definitions; a pool's size is its instances",
        ));
    }
    match (input.assignment, input.shared_max_users) {
        (AssignmentModel::DedicatedShared, None) => errors.push(FieldError::new(
            "shared_max_users",
            "is required for dedicated_shared definitions",
        )),
        (AssignmentModel::DedicatedShared, Some(_)) | (_, None) => {}
        (_, Some(_)) => errors.push(FieldError::new(
            "shared_max_users",
            "applies only to dedicated_shared definitions",
        )),
    }
}

fn is_attribute_key(key: &str) -> bool {
    let mut chars = key.chars();
    key.len() <= 40
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn attribute_rules(
    errors: &mut Vec<FieldError>,
    index: usize,
    attribute: &AttributeDefinition,
    earlier: &[AttributeDefinition],
) {
    let field = |name: &str| format!("attributes[{index}].{name}");
    if !is_attribute_key(&attribute.key) {
        errors.push(FieldError::new(
            field("key"),
            "must start with a lower-case letter and hold only a-z, 0-9 and _, at most 40",
        ));
    } else if earlier.iter().any(|a| a.key == attribute.key) {
        errors.push(FieldError::new(
            field("key"),
            "is used by another attribute",
        ));
    }
    text(errors, &field("label"), &attribute.label, true, NAME_MAX);
    text(errors, &field("help"), &attribute.help, false, 500);

    let kind = attribute.kind;
    let only = |errors: &mut Vec<FieldError>, name: &str, set: bool, allowed: bool, kinds: &str| {
        if set && !allowed {
            errors.push(FieldError::new(
                field(name),
                format!("applies only to {kinds}"),
            ));
        }
    };
    only(
        errors,
        "max_length",
        attribute.max_length.is_some(),
        kind == AttributeKind::Text,
        "text attributes",
    );
    let numeric = kind == AttributeKind::Number;
    only(
        errors,
        "min",
        attribute.min.is_some(),
        numeric,
        "number attributes",
    );
    only(
        errors,
        "max",
        attribute.max.is_some(),
        numeric,
        "number attributes",
    );
    only(
        errors,
        "options",
        !attribute.options.is_empty(),
        kind == AttributeKind::Select,
        "select attributes",
    );
    if let Some(length) = attribute.max_length
        && !(1..=4000).contains(&length)
    {
        errors.push(FieldError::new(
            field("max_length"),
            "must be between 1 and 4000",
        ));
    }
    if let (Some(min), Some(max)) = (attribute.min, attribute.max)
        && min > max
    {
        errors.push(FieldError::new(field("min"), "must not be larger than max"));
    }
    if kind == AttributeKind::Select {
        if attribute.options.is_empty() || attribute.options.len() > OPTIONS_MAX {
            errors.push(FieldError::new(
                field("options"),
                format!("must list 1 to {OPTIONS_MAX} choices"),
            ));
        }
        for (n, option) in attribute.options.iter().enumerate() {
            let option_field = format!("attributes[{index}].options[{n}]");
            if option.trim().is_empty() || option.chars().count() > NAME_MAX {
                errors.push(FieldError::new(
                    option_field,
                    format!("must be 1 to {NAME_MAX} characters"),
                ));
            } else if let Some(message) = hidden_character(option, false) {
                errors.push(FieldError::new(option_field, message));
            } else if attribute.options[..n].contains(option) {
                errors.push(FieldError::new(option_field, "is listed twice"));
            }
        }
    }
}

fn extension_rules(errors: &mut Vec<FieldError>, extension: &ExtensionPolicy) {
    if !extension.allowed {
        return;
    }
    if !(1..=DURATION_DAYS_LIMIT).contains(&extension.max_days) {
        errors.push(FieldError::new(
            "extension.max_days",
            format!("must be between 1 and {DURATION_DAYS_LIMIT} days"),
        ));
    }
    if !(1..=20).contains(&extension.max_count) {
        errors.push(FieldError::new(
            "extension.max_count",
            "must be between 1 and 20",
        ));
    }
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
    attribute_values(&mut errors, &order.attributes, &item.attributes);
    if let Some(message) = order.on_behalf_of.as_deref().and_then(directory_account) {
        errors.push(FieldError::new("on_behalf_of", message));
    }
    errors
}

/// Checks the shape of an account name or mail address that the directory will look up.
pub fn directory_account(text: &str) -> Option<String> {
    let text = text.trim();
    if text.chars().count() > 256 {
        Some("must be an account name or mail address of at most 256 characters".into())
    } else if text.chars().any(char::is_control) {
        Some("must be an account name or mail address without line breaks or tabs".into())
    } else {
        None
    }
}

/// The furthest ahead an order may be scheduled, in days.
pub const START_DAYS_AHEAD_MAX: i64 = 365;

/// Checks a start day against `today`: after it, and at most a year ahead.
pub fn start_date(start: chrono::NaiveDate, today: chrono::NaiveDate) -> Option<String> {
    let ahead = (start - today).num_days();
    if ahead < 1 {
        Some("must be a later day; leave it out to start as soon as the order is approved".into())
    } else if ahead > START_DAYS_AHEAD_MAX {
        Some(format!("must be at most {START_DAYS_AHEAD_MAX} days ahead"))
    } else {
        None
    }
}

/// The maximum length of a text value when the attribute sets no limit.
pub const ATTRIBUTE_TEXT_MAX: usize = 1000;

/// Checks the attribute values of an order, or of a change of one, against the definitions.
pub fn order_attributes(
    values: &serde_json::Map<String, serde_json::Value>,
    definitions: &[AttributeDefinition],
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    attribute_values(&mut errors, values, definitions);
    errors
}

/// Checks the values an order gives for a definition's attributes.
fn attribute_values(
    errors: &mut Vec<FieldError>,
    values: &serde_json::Map<String, serde_json::Value>,
    definitions: &[AttributeDefinition],
) {
    for key in values.keys() {
        if !definitions.iter().any(|d| &d.key == key) {
            errors.push(FieldError::new(
                format!("attributes.{key}"),
                "is not an attribute of this item",
            ));
        }
    }
    for definition in definitions {
        let field = format!("attributes.{}", definition.key);
        let value = values.get(&definition.key).filter(|v| !is_blank(v));
        let Some(value) = value else {
            if definition.required {
                errors.push(FieldError::new(field, "is required"));
            }
            continue;
        };
        if let Some(message) = attribute_value(definition, value) {
            errors.push(FieldError::new(field, message));
        }
    }
}

fn is_blank(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Null => true,
        serde_json::Value::String(text) => text.trim().is_empty(),
        _ => false,
    }
}

/// Returns what is wrong with one attribute value, if anything.
fn attribute_value(definition: &AttributeDefinition, value: &serde_json::Value) -> Option<String> {
    match definition.kind {
        AttributeKind::Number => {
            let Some(number) = value.as_i64() else {
                return Some("must be a whole number".into());
            };
            match (definition.min, definition.max) {
                (Some(min), _) if number < min => Some(format!("must be at least {min}")),
                (_, Some(max)) if number > max => Some(format!("must be at most {max}")),
                _ => None,
            }
        }
        AttributeKind::Boolean => match value.as_bool() {
            None => Some("must be true or false".into()),
            Some(false) if definition.required => Some("must be confirmed".into()),
            Some(_) => None,
        },
        kind => {
            let Some(text) = value.as_str() else {
                return Some("must be text".into());
            };
            text_value(kind, definition, text)
        }
    }
}

/// Checks a value of the kinds entered as text.
fn text_value(kind: AttributeKind, definition: &AttributeDefinition, text: &str) -> Option<String> {
    match kind {
        AttributeKind::Select => (!definition.options.iter().any(|o| o == text))
            .then(|| format!("must be one of: {}", definition.options.join(", "))),
        AttributeKind::Date => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .is_err()
            .then(|| "must be a date such as 2027-01-31".to_string()),
        AttributeKind::DirectoryUser => directory_account(text),
        _ => {
            let max = definition
                .max_length
                .map_or(ATTRIBUTE_TEXT_MAX, |m| m as usize);
            (text.chars().count() > max).then(|| format!("must be at most {max} characters long"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_named() {
        assert_eq!(hidden_character("VDI Finance", false), None);
        assert_eq!(hidden_character("Zweigstelle Köln 😀", false), None);
        let reversed = hidden_character("VDI \u{202E}ecnaniF", false).unwrap();
        assert!(reversed.contains("U+202E"), "{reversed}");
        assert!(hidden_character("VDI\u{200B}", false).is_some());
        assert!(hidden_character("line\nbreak", false).is_some());
        assert_eq!(hidden_character("line\nbreak", true), None);
        assert!(hidden_character("bell\u{7}", true).is_some());
        for hidden in ['\u{00AD}', '\u{034F}', '\u{061C}', '\u{2028}', '\u{3164}'] {
            assert!(
                hidden_character(&format!("VDI{hidden}"), true).is_some(),
                "{hidden:?}"
            );
        }
    }
    use crate::approvals::ApprovalPolicy;

    #[test]
    fn pool_attribute_and_cost_rules_name_their_fields() {
        use crate::catalog::*;
        let text = |key: &str| AttributeDefinition {
            key: key.into(),
            label: "Host".into(),
            kind: AttributeKind::Text,
            required: false,
            help: String::new(),
            max_length: Some(64),
            min: None,
            max: None,
            options: Vec::new(),
            classification: Classification::Internal,
        };
        let mut choice = text("size");
        choice.kind = AttributeKind::Select;
        choice.max_length = None;
        choice.options = vec!["S".into(), "S".into()];
        let input = AssetDefinitionInput {
            name: "Jump host".into(),
            group_dns: vec!["cn=Jump,ou=Groups,dc=example,dc=test".into()],
            assignment: AssignmentModel::DedicatedShared,
            capacity: Some(5),
            attributes: vec![text("host"), text("host"), text("9lives"), choice],
            extension: ExtensionPolicy {
                allowed: true,
                max_days: 0,
                max_count: 1,
                requires_approval: false,
            },
            monthly_cost: Some(MonthlyCost {
                amount_minor: 1500,
                currency: "eur".into(),
                cost_center: "IT-42".into(),
            }),
            reminder_days: vec![7, 7, 400],
            ..AssetDefinitionInput::default()
        };
        let fields: Vec<String> = asset_definition(&input)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "capacity",
                "shared_max_users",
                "attributes[1].key",
                "attributes[2].key",
                "attributes[3].options[1]",
                "extension.max_days",
                "monthly_cost.currency",
                "reminder_days[1]",
                "reminder_days[2]",
            ]
        );
    }

    fn item() -> CatalogItem {
        CatalogItem {
            id: uuid::Uuid::nil(),
            name: "Finance app access".into(),
            description: String::new(),
            category: "Access".into(),
            needs_approval: true,
            approvers: vec!["Your manager".into()],
            default_duration_days: 30,
            max_duration_days: 90,
            justification: JustificationRule::Required,
            icon: Default::default(),
            help_html: String::new(),
            attributes: Vec::new(),
            classification: Default::default(),
            extension: Default::default(),
            monthly_cost: None,
            modification_requires_approval: true,
        }
    }

    #[test]
    fn attribute_values_follow_their_kinds() {
        use crate::catalog::*;
        let attribute = |key: &str, kind: AttributeKind, required: bool| AttributeDefinition {
            key: key.into(),
            label: key.into(),
            kind,
            required,
            help: String::new(),
            max_length: None,
            min: None,
            max: None,
            options: Vec::new(),
            classification: Classification::Internal,
        };
        let mut size = attribute("size", AttributeKind::Select, true);
        size.options = vec!["Small".into(), "Large".into()];
        let mut cores = attribute("cores", AttributeKind::Number, false);
        cores.min = Some(1);
        cores.max = Some(16);
        let mut with_attributes = item();
        with_attributes.justification = JustificationRule::Optional;
        with_attributes.attributes = vec![
            size,
            cores,
            attribute("terms", AttributeKind::Boolean, true),
            attribute("start", AttributeKind::Date, false),
            attribute("host", AttributeKind::Text, false),
            attribute("deputy", AttributeKind::DirectoryUser, true),
        ];
        let mut placed = order(None, None);
        let values = serde_json::json!({
            "size": "Huge",
            "cores": 32,
            "terms": false,
            "start": "2027-02-30",
            "host": 7,
            "colour": "red",
        });
        placed.attributes = values.as_object().unwrap().clone();
        let fields: Vec<String> = new_order(&placed, &with_attributes)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "attributes.colour",
                "attributes.size",
                "attributes.cores",
                "attributes.terms",
                "attributes.start",
                "attributes.host",
                "attributes.deputy",
            ]
        );

        let values = serde_json::json!({
            "size": "Small", "cores": 4, "terms": true, "start": "2027-02-28",
            "host": "vdi-7", "deputy": "mfinch",
        });
        placed.attributes = values.as_object().unwrap().clone();
        assert!(new_order(&placed, &with_attributes).is_empty());
    }

    fn order(duration_days: Option<i32>, justification: Option<&str>) -> NewOrder {
        NewOrder {
            definition_id: uuid::Uuid::nil(),
            duration_days,
            justification: justification.map(str::to_string),
            attributes: Default::default(),
            start_date: None,
            on_behalf_of: None,
        }
    }

    #[test]
    fn cost_limit_in_main_units() {
        assert_eq!(thousands(10_000_000_000), "10,000,000,000");
        assert_eq!(thousands(999), "999");
        let input = AssetDefinitionInput {
            monthly_cost: Some(crate::catalog::MonthlyCost {
                amount_minor: COST_MINOR_MAX + 1,
                currency: "JPY".into(),
                cost_center: String::new(),
            }),
            ..AssetDefinitionInput::default()
        };
        let message = asset_definition(&input)
            .into_iter()
            .find(|e| e.field == "monthly_cost.amount_minor")
            .map(|e| e.message)
            .unwrap();
        assert_eq!(
            message,
            "must be between 0 and 1,000,000,000,000 JPY a month"
        );
    }

    #[test]
    fn deputy_account_shape() {
        let item = item();
        let mut placed = order(None, Some("Quarter close"));
        let fields = |placed: &NewOrder| -> Vec<String> {
            new_order(placed, &item)
                .into_iter()
                .map(|e| e.field)
                .filter(|field| field == "on_behalf_of")
                .collect()
        };
        placed.on_behalf_of = Some("  mfinch ".into());
        assert!(fields(&placed).is_empty());
        for bad in ["j\ndoe".to_string(), "x".repeat(257)] {
            placed.on_behalf_of = Some(bad);
            assert_eq!(fields(&placed), ["on_behalf_of"]);
        }
    }

    #[test]
    fn email_rules() {
        assert_eq!(email("jane.doe@example.com"), None);
        for bad in [
            "jane",
            "@example.com",
            "jane@",
            "jane@example",
            "ja ne@x.org",
            "a@b@c.org",
        ] {
            assert!(email(bad).is_some(), "{bad}");
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
            approval: ApprovalPolicy::manager_only(),
            default_duration_days: 120,
            max_duration_days: 90,
            justification: JustificationRule::Required,
            ..AssetDefinitionInput::default()
        };
        let fields: Vec<String> = asset_definition(&input)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "group_dns[0]", "default_duration_days"]);
    }
}
