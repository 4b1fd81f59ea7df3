//! The checklist items: what each one reads from the [`Snapshot`] and the page that fixes it.

use super::{Connection, Snapshot};
use shared::checklist::{ChecklistItem, ItemImportance, ItemStatus};

/// One item: its fixed description, and how its status and detail follow from a snapshot.
pub struct ItemSpec {
    id: &'static str,
    title: &'static str,
    importance: ItemImportance,
    fix_path: &'static str,
    evaluate: fn(&Snapshot) -> (ItemStatus, String),
}

impl ItemSpec {
    pub fn evaluate(&self, snapshot: &Snapshot) -> ChecklistItem {
        let (status, detail) = (self.evaluate)(snapshot);
        ChecklistItem {
            id: self.id.into(),
            title: self.title.into(),
            importance: self.importance,
            status,
            detail,
            fix_path: self.fix_path.into(),
        }
    }
}

use ItemImportance::{Essential, Recommended};
use ItemStatus::{Broken, Done, Pending};

/// Every item, essential ones first, each group in the order an administrator sets them up.
pub const ITEMS: [ItemSpec; 9] = [
    ItemSpec {
        id: "branding",
        title: "Application title and logo",
        importance: Essential,
        fix_path: "/ui/settings#general-heading",
        evaluate: branding,
    },
    ItemSpec {
        id: "smtp",
        title: "Mail server",
        importance: Essential,
        fix_path: "/ui/settings#smtp-heading",
        evaluate: |s| {
            connection(
                &s.mail,
                "No mail server is set, so approvers get no e-mail.",
            )
        },
    },
    ItemSpec {
        id: "directory",
        title: "Directory (LDAP)",
        importance: Essential,
        fix_path: "/ui/settings#ldap-heading",
        evaluate: |s| {
            connection(
                &s.directory,
                "No directory is set, so managers and group access cannot be looked up.",
            )
        },
    },
    ItemSpec {
        id: "portal_sign_in",
        title: "Portal sign-in (OpenID Connect)",
        importance: Essential,
        fix_path: "/ui/settings#oidc-heading",
        evaluate: |s| {
            connection(
                &s.sign_in,
                "Portal sign-in is off, so employees cannot sign in to order.",
            )
        },
    },
    ItemSpec {
        id: "asset_definitions",
        title: "An asset definition",
        importance: Essential,
        fix_path: "/ui/definitions/new",
        evaluate: definitions,
    },
    ItemSpec {
        id: "pool_assets",
        title: "Instances in the pool",
        importance: Essential,
        fix_path: "/ui/pool",
        evaluate: pool,
    },
    ItemSpec {
        id: "chat_channel",
        title: "A Teams or Slack channel",
        importance: Recommended,
        fix_path: "/ui/settings#teams-heading",
        evaluate: chat,
    },
    ItemSpec {
        id: "siem",
        title: "Audit forwarding to a SIEM",
        importance: Recommended,
        fix_path: "/ui/settings#siem-heading",
        evaluate: |s| {
            connection(
                &s.siem,
                "The audit log stays in ip·Solis only; forward it to your SIEM so it is kept \
                 and watched with your other security events.",
            )
        },
    },
    ItemSpec {
        id: "api_tokens",
        title: "An API token",
        importance: Recommended,
        fix_path: "/ui/tokens",
        evaluate: tokens,
    },
];

fn branding(s: &Snapshot) -> (ItemStatus, String) {
    match (s.title_saved, &s.logo) {
        (true, Some(_)) => (
            Done,
            format!("The title is “{}” and a logo is set.", s.title),
        ),
        (true, None) => (
            Pending,
            format!("The title is “{}”; upload a logo.", s.title),
        ),
        (false, Some(_)) => (Pending, "A logo is set; save the application title.".into()),
        (false, None) => (
            Pending,
            "Set the application title and upload a logo.".into(),
        ),
    }
}

fn connection(connection: &Connection, missing: &str) -> (ItemStatus, String) {
    match connection {
        Connection::Missing => (Pending, missing.into()),
        Connection::Checked(Ok(message)) => (Done, message.clone()),
        Connection::Checked(Err(reason)) => (Broken, reason.clone()),
    }
}

fn definitions(s: &Snapshot) -> (ItemStatus, String) {
    match s.active_definitions {
        0 => (
            Pending,
            "No active asset definition, so employees have nothing to order.".into(),
        ),
        1 => (Done, "1 asset definition can be ordered.".into()),
        count => (Done, format!("{count} asset definitions can be ordered.")),
    }
}

fn pool(s: &Snapshot) -> (ItemStatus, String) {
    let (names, count) = &s.definitions_without_instances;
    if s.active_definitions == 0 {
        return (
            Pending,
            "Add an asset definition first; definitions that assign instances need them in the \
             pool."
                .into(),
        );
    }
    if *count == 0 {
        return (
            Done,
            "Every definition that assigns instances has at least one in the pool; \
             capacity-pooled definitions need none."
                .into(),
        );
    }
    let mut listed = names
        .iter()
        .map(|name| format!("“{name}”"))
        .collect::<Vec<_>>()
        .join(", ");
    let more = *count - names.len() as i64;
    if more > 0 {
        listed.push_str(&format!(" and {more} more"));
    }
    (Pending, format!("No instances in the pool for {listed}."))
}

fn chat(s: &Snapshot) -> (ItemStatus, String) {
    if s.chat_channels.is_empty() {
        return (
            Pending,
            "No channel is on; approval requests go out by e-mail only.".into(),
        );
    }
    (
        Done,
        format!(
            "Approval requests are posted to {}.",
            s.chat_channels.join(" and ")
        ),
    )
}

fn tokens(s: &Snapshot) -> (ItemStatus, String) {
    match s.active_tokens {
        0 => (
            Pending,
            "No active API token, so scripts and integrations cannot call the API.".into(),
        ),
        1 => (Done, "1 active API token.".into()),
        count => (Done, format!("{count} active API tokens.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh() -> Snapshot {
        Snapshot {
            title: shared::branding::DEFAULT_TITLE.into(),
            title_saved: false,
            logo: None,
            mail: Connection::Missing,
            directory: Connection::Missing,
            sign_in: Connection::Missing,
            active_definitions: 0,
            definitions_without_instances: (Vec::new(), 0),
            chat_channels: Vec::new(),
            siem: Connection::Missing,
            active_tokens: 0,
        }
    }

    fn statuses(snapshot: &Snapshot) -> Vec<ItemStatus> {
        ITEMS
            .iter()
            .map(|item| item.evaluate(snapshot).status)
            .collect()
    }

    #[test]
    fn fresh_installation_is_all_pending() {
        assert!(statuses(&fresh()).iter().all(|s| *s == Pending));
    }

    #[test]
    fn failed_check_is_broken_with_its_reason() {
        let snapshot = Snapshot {
            mail: Connection::Checked(Err("connection refused".into())),
            ..fresh()
        };
        let item = ITEMS[1].evaluate(&snapshot);
        assert_eq!(item.status, Broken);
        assert_eq!(item.detail, "connection refused");
    }

    #[test]
    fn pool_lists_the_definitions_without_instances() {
        let snapshot = Snapshot {
            active_definitions: 5,
            definitions_without_instances: (vec!["Jump host".into(), "VDI".into()], 4),
            ..fresh()
        };
        let item = ITEMS[5].evaluate(&snapshot);
        assert_eq!(item.status, Pending);
        assert_eq!(
            item.detail,
            "No instances in the pool for “Jump host”, “VDI” and 2 more."
        );
    }

    #[test]
    fn ids_are_unique() {
        let mut ids: Vec<_> = ITEMS.iter().map(|item| item.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ITEMS.len());
    }
}
