//! Access scopes in words, for the user list and the user page.

use std::collections::HashMap;

use shared::admin_users::AccessScope;
use uuid::Uuid;

/// The words for a scope that lists nothing, which covers every definition.
pub const EVERYWHERE: &str = "Every asset definition";

/// Returns a short summary for a table cell, such as "2 definitions, category Finance".
pub fn summary(scope: &AccessScope) -> String {
    if scope.is_everywhere() {
        return EVERYWHERE.to_string();
    }
    let mut parts = Vec::new();
    match scope.definitions.len() {
        0 => {}
        1 => parts.push("1 definition".to_string()),
        count => parts.push(format!("{count} definitions")),
    }
    match scope.categories.as_slice() {
        [] => {}
        [category] => parts.push(format!("category {category}")),
        categories => parts.push(format!("categories {}", categories.join(", "))),
    }
    capitalised(&parts.join(", "))
}

/// Returns the scope as lines of text: the definitions by name, sorted, then the categories.
/// Without `names`, while the definitions are loading, it counts the definitions instead.
pub fn in_words(scope: &AccessScope, names: Option<&HashMap<Uuid, String>>) -> Vec<String> {
    if scope.is_everywhere() {
        return vec![EVERYWHERE.to_string()];
    }
    let mut lines = Vec::new();
    let count = scope.definitions.len();
    if count > 0 {
        let heading = if count == 1 {
            "Asset definition"
        } else {
            "Asset definitions"
        };
        match names {
            Some(names) => {
                let mut listed: Vec<String> = scope
                    .definitions
                    .iter()
                    .map(|id| match names.get(id) {
                        Some(name) => name.clone(),
                        None => format!("unknown definition {id}"),
                    })
                    .collect();
                listed.sort_by_key(|name| name.to_lowercase());
                lines.push(format!("{heading}: {}", listed.join(", ")));
            }
            None => lines.push(format!("{count} {}", heading.to_lowercase())),
        }
    }
    match scope.categories.as_slice() {
        [] => {}
        [category] => lines.push(format!("Category: {category}")),
        categories => lines.push(format!("Categories: {}", categories.join(", "))),
    }
    lines
}

fn capitalised(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(definitions: Vec<Uuid>, categories: &[&str]) -> AccessScope {
        AccessScope {
            definitions,
            categories: categories.iter().map(|each| each.to_string()).collect(),
        }
    }

    #[test]
    fn summary_counts_definitions_and_names_categories() {
        let one = Uuid::from_u128(1);
        assert_eq!(summary(&AccessScope::default()), EVERYWHERE);
        assert_eq!(summary(&scope(vec![one], &[])), "1 definition");
        let both = scope(vec![one, Uuid::from_u128(2)], &["Finance"]);
        assert_eq!(summary(&both), "2 definitions, category Finance");
        let categories = scope(Vec::new(), &["Finance", "HR"]);
        assert_eq!(summary(&categories), "Categories Finance, HR");
    }

    #[test]
    fn words_name_definitions_in_order() {
        let (ledger, payroll, gone) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let names = HashMap::from([
            (ledger, "Ledger".to_string()),
            (payroll, "payroll".to_string()),
        ]);
        let listed = scope(vec![payroll, ledger], &["VDI"]);
        assert_eq!(
            in_words(&listed, Some(&names)),
            ["Asset definitions: Ledger, payroll", "Category: VDI"]
        );
        assert_eq!(
            in_words(&listed, None),
            ["2 asset definitions", "Category: VDI"]
        );
        assert_eq!(
            in_words(&scope(vec![gone], &[]), Some(&names)),
            [format!("Asset definition: unknown definition {gone}")]
        );
        assert_eq!(in_words(&AccessScope::default(), None), [EVERYWHERE]);
    }
}
