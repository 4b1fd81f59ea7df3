//! Active Directory steps over LDAP: group membership, computer objects and attributes. In a
//! run for an order, membership steps keep the order's grants. An added membership is recorded
//! with whether the person was a member before. A removal leaves in place a membership from
//! before the order, or one that another live order still covers.

use super::{StepError, StepInput, StepOutput};
use crate::integrations::directory::{Directory, DirectoryError, MembershipChange};
use crate::settings::{self, LdapConfig};
use crate::store;
use serde_json::json;
use std::collections::HashSet;

async fn directory(input: &StepInput<'_>) -> Result<Directory, StepError> {
    let config = settings::load_cached::<LdapConfig>(input.state)
        .await
        .map_err(StepError::retry)?
        .ok_or_else(|| StepError::retry("the directory (LDAP) is not configured"))?;
    Ok(Directory::pooled(config, input.state.directory.clone()))
}

fn directory_error(error: DirectoryError) -> StepError {
    match error {
        DirectoryError::NotFound(_) | DirectoryError::Ambiguous(_) => StepError::fail(error),
        DirectoryError::Operation {
            connection_lost: false,
            ..
        } => StepError::fail(error),
        _ => StepError::retry(error),
    }
}

fn db_error(error: sqlx::Error) -> StepError {
    StepError::retry(format!("the database failed: {error}"))
}

async fn members(directory: &Directory, group_dn: &str) -> Result<Vec<String>, StepError> {
    let entry = directory
        .entry(group_dn, &["member"])
        .await
        .map_err(directory_error)?
        .ok_or_else(|| StepError::fail(format!("no directory entry has the DN {group_dn}")))?;
    Ok(entry
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("member"))
        .map(|(_, values)| values)
        .unwrap_or_default())
}

pub async fn add_member(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let group = input.text("group_dn")?;
    let member = input.text("member_dn")?;
    let directory = directory(input).await?;
    // Only a membership of the requester is the order's grant; the order cannot cover others.
    let scope = input
        .order
        .filter(|order| same_dn(&order.requester_dn, &member));
    if let Some(order) = scope {
        // Recorded before the change, so a resumed run still has what was there before.
        let was_member = directory
            .check_member(&group, &member)
            .await
            .map_err(directory_error)?;
        let pre_existing = store::orders::held_before(
            &input.state.db,
            order.order_id,
            &member,
            &group,
            was_member,
        )
        .await
        .map_err(db_error)?;
        // The first record wins, so a resumed run keeps what was true before its changes.
        store::orders::record_grant(
            &input.state.db,
            order.order_id,
            &group,
            pre_existing,
            input.state.clock.now(),
        )
        .await
        .map_err(db_error)?;
    }
    let change = directory
        .add_member(&group, &member)
        .await
        .map_err(directory_error)?;
    let changed = change == MembershipChange::Changed;
    input.journal.info(if changed {
        format!("added {member} to {group}")
    } else {
        format!("{member} was already a member of {group}")
    });
    let present = directory
        .check_member(&group, &member)
        .await
        .map_err(directory_error)?;
    if !present {
        return Err(StepError::retry(format!(
            "{member} is not a member of {group} after the change"
        )));
    }
    Ok(StepOutput::new(
        json!({ "changed": changed }),
        json!({ "group": group, "member": member, "is_member": present }),
    ))
}

pub async fn remove_member(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let group = input.text("group_dn")?;
    let member = input.text("member_dn")?;
    let directory = directory(input).await?;
    let scope = input
        .order
        .filter(|order| same_dn(&order.requester_dn, &member));
    if let Some(order) = scope {
        let covering =
            store::orders::other_order_covering(&input.state.db, order.order_id, &member, &group)
                .await
                .map_err(db_error)?;
        if let Some(other) = covering {
            input.journal.info(format!(
                "left {member} in {group}: order {other} still covers it"
            ));
            return Ok(StepOutput::new(
                json!({ "changed": false, "kept_for_order": other }),
                json!({ "group": group, "member": member }),
            ));
        }
        let pre_existing =
            store::orders::grant_was_pre_existing(&input.state.db, order.order_id, &group)
                .await
                .map_err(db_error)?;
        if pre_existing && !order.remove_pre_existing {
            input.journal.info(format!(
                "left {member} in {group}: the membership was held before this order"
            ));
            return Ok(StepOutput::new(
                json!({ "changed": false, "held_before": true }),
                json!({ "group": group, "member": member }),
            ));
        }
    }
    let change = directory
        .remove_member(&group, &member)
        .await
        .map_err(directory_error)?;
    let changed = change == MembershipChange::Changed;
    input.journal.info(if changed {
        format!("removed {member} from {group}")
    } else {
        format!("{member} was not a member of {group}")
    });
    let present = directory
        .check_member(&group, &member)
        .await
        .map_err(directory_error)?;
    if present {
        return Err(StepError::retry(format!(
            "{member} is still a member of {group} after the change"
        )));
    }
    Ok(StepOutput::new(
        json!({ "changed": changed }),
        json!({ "group": group, "member": member, "is_member": present }),
    ))
}

/// Compares two DNs as the directory does: without regard to case or to spaces around the
/// separators.
fn same_dn(a: &str, b: &str) -> bool {
    fn key(dn: &str) -> String {
        let mut out = String::with_capacity(dn.len());
        for part in dn.to_lowercase().split(',') {
            if !out.is_empty() {
                out.push(',');
            }
            let pieces: Vec<&str> = part.split('=').map(str::trim).collect();
            out.push_str(&pieces.join("="));
        }
        out
    }
    key(a) == key(b)
}

/// Escapes a value for use in an RDN (RFC 4514, section 2.4).
fn rdn_value(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for (i, c) in value.chars().enumerate() {
        let leading = i == 0 && (c == ' ' || c == '#');
        let trailing = i + 1 == value.chars().count() && c == ' ';
        if leading || trailing || matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

pub async fn create_computer(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let name = input.text("name")?;
    let ou = input.text("ou_dn")?;
    let description = input.optional_text("description")?;
    if name.len() > 64 {
        return Err(StepError::fail(
            "the computer name must be at most 64 characters",
        ));
    }
    let dn = format!("CN={},{ou}", rdn_value(&name));
    let account = format!("{}$", name.to_uppercase());
    let mut attributes = vec![
        ("objectClass", HashSet::from(["top", "computer"])),
        ("cn", HashSet::from([name.as_str()])),
        ("sAMAccountName", HashSet::from([account.as_str()])),
        // WORKSTATION_TRUST_ACCOUNT, as AD sets on a joined workstation.
        ("userAccountControl", HashSet::from(["4096"])),
    ];
    if let Some(description) = &description {
        attributes.push(("description", HashSet::from([description.as_str()])));
    }
    let directory = directory(input).await?;
    let added = directory
        .add_entry(&dn, attributes)
        .await
        .map_err(directory_error)?;
    input.journal.info(if added {
        format!("created the computer object {dn}")
    } else {
        format!("the computer object {dn} already exists")
    });
    let entry = directory
        .entry(&dn, &["cn", "sAMAccountName"])
        .await
        .map_err(directory_error)?
        .ok_or_else(|| StepError::retry(format!("{dn} is not there after the change")))?;
    Ok(StepOutput::new(
        json!({ "dn": dn, "changed": added }),
        json!({ "dn": dn, "attributes": entry }),
    ))
}

pub async fn delete_computer(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let dn = input.text("dn")?;
    let directory = directory(input).await?;
    let deleted = directory.delete_entry(&dn).await.map_err(directory_error)?;
    input.journal.info(if deleted {
        format!("deleted {dn}")
    } else {
        format!("{dn} was already gone")
    });
    let still_there = directory
        .entry(&dn, &["1.1"])
        .await
        .map_err(directory_error)?
        .is_some();
    if still_there {
        return Err(StepError::retry(format!(
            "{dn} is still there after the delete"
        )));
    }
    Ok(StepOutput::new(
        json!({ "changed": deleted }),
        json!({ "dn": dn, "exists": false }),
    ))
}

pub async fn set_attribute(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let dn = input.text("dn")?;
    let attribute = input.text("attribute")?;
    let value = input.optional_text("value")?;
    let valid_name = attribute
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && attribute
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic());
    if !valid_name {
        return Err(StepError::fail(format!(
            "{attribute:?} is not an attribute name"
        )));
    }
    let directory = directory(input).await?;
    let before = read_attribute(&directory, &dn, &attribute).await?;
    let wanted: Vec<String> = value.iter().cloned().collect();
    let changed = before != wanted;
    if changed {
        let values: HashSet<&str> = wanted.iter().map(String::as_str).collect();
        directory
            .replace_attribute(&dn, &attribute, values)
            .await
            .map_err(directory_error)?;
    }
    let after = read_attribute(&directory, &dn, &attribute).await?;
    if after != wanted {
        return Err(StepError::retry(format!(
            "{attribute} of {dn} reads {after:?} after the change, not {wanted:?}"
        )));
    }
    input.journal.info(match (&value, changed) {
        (_, false) => format!("{attribute} of {dn} already had that value"),
        (Some(_), true) => format!("set {attribute} of {dn}"),
        (None, true) => format!("cleared {attribute} of {dn}"),
    });
    Ok(StepOutput::new(
        json!({ "changed": changed }),
        json!({ "dn": dn, attribute.clone(): after }),
    ))
}

async fn read_attribute(
    directory: &Directory,
    dn: &str,
    attribute: &str,
) -> Result<Vec<String>, StepError> {
    let entry = directory
        .entry(dn, &[attribute])
        .await
        .map_err(directory_error)?
        .ok_or_else(|| StepError::fail(format!("no directory entry has the DN {dn}")))?;
    Ok(entry
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(attribute))
        .map(|(_, values)| values)
        .unwrap_or_default())
}

pub async fn clear_group(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let group = input.text("group_dn")?;
    let directory = directory(input).await?;
    let before = members(&directory, &group).await?;
    if !before.is_empty() {
        directory
            .replace_attribute(&group, "member", HashSet::new())
            .await
            .map_err(directory_error)?;
    }
    let after = members(&directory, &group).await?;
    if !after.is_empty() {
        return Err(StepError::retry(format!(
            "{group} still has {} members after the change",
            after.len()
        )));
    }
    input
        .journal
        .info(format!("removed {} members from {group}", before.len()));
    Ok(StepOutput::new(
        json!({ "removed": before }),
        json!({ "group": group, "members": after }),
    ))
}

#[cfg(test)]
mod tests {
    use super::rdn_value;

    #[test]
    fn dns_compare_like_the_directory() {
        assert!(super::same_dn(
            "CN=Jane Doe, OU=People,dc=x",
            "cn=jane doe,ou=people,DC=x"
        ));
        assert!(!super::same_dn("cn=Jane,dc=x", "cn=Martha,dc=x"));
    }

    #[test]
    fn rdn_values_are_escaped() {
        assert_eq!(rdn_value("PC01"), "PC01");
        assert_eq!(rdn_value("a,b=c"), "a\\,b\\=c");
        assert_eq!(rdn_value(" lead"), "\\ lead");
    }
}
