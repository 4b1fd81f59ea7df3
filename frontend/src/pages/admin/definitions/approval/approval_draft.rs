//! The approval section's fields as signals, and the reading of them into an
//! [`ApprovalPolicy`].

use leptos::prelude::*;
use shared::FieldError;
use shared::approvals::{
    ApprovalPolicy, ApprovalRule, ComplianceSource, ManagerSource, OwnerSource, RuleField,
    rule_fields,
};
use shared::catalog::AttributeDefinition;

use super::condition_draft::{Junction, NodeDraft, NodeFactory};
use crate::forms::{FieldErrors, non_blank, parse_number, split_lines};

/// One rule as the form edits it.
#[derive(Debug, Clone, Copy)]
pub struct RuleDraft {
    /// Identifies the rule while rules are removed. It is never sent to the API.
    pub uid: u64,
    pub name: RwSignal<String>,
    /// One approver per line.
    pub approvers: RwSignal<String>,
    pub quorum: RwSignal<String>,
    pub stage: RwSignal<u8>,
    /// The top node of the rule's condition.
    pub root: RwSignal<NodeDraft>,
}

/// The approval section's fields. A source that is switched off keeps its values, so turning
/// it on again brings them back.
#[derive(Debug, Clone, Copy)]
pub struct ApprovalDraft {
    pub manager: RwSignal<bool>,
    pub manager_stage: RwSignal<u8>,
    pub owners: RwSignal<bool>,
    pub owner_list: RwSignal<String>,
    pub owner_quorum: RwSignal<String>,
    pub owner_stage: RwSignal<u8>,
    pub compliance: RwSignal<bool>,
    pub compliance_stage: RwSignal<u8>,
    pub pii_owner: RwSignal<String>,
    pub phi_owner: RwSignal<String>,
    pub pci_owner: RwSignal<String>,
    pub rules: RwSignal<Vec<RuleDraft>>,
    pub factory: NodeFactory,
}

impl ApprovalDraft {
    pub fn new(policy: ApprovalPolicy) -> Self {
        let factory = NodeFactory::new();
        let owners = policy.owners.clone().unwrap_or(OwnerSource {
            approvers: Vec::new(),
            quorum: 1,
            stage: 1,
        });
        let compliance = policy.compliance.clone().unwrap_or(ComplianceSource {
            stage: 1,
            ..ComplianceSource::default()
        });
        let rules = policy
            .rules
            .iter()
            .map(|rule| Self::rule_draft(factory, rule))
            .collect();

        Self {
            manager: RwSignal::new(policy.manager.is_some()),
            manager_stage: RwSignal::new(policy.manager.map_or(1, |manager| manager.stage)),
            owners: RwSignal::new(policy.owners.is_some()),
            owner_list: RwSignal::new(owners.approvers.join("\n")),
            owner_quorum: RwSignal::new(owners.quorum.to_string()),
            owner_stage: RwSignal::new(owners.stage),
            compliance: RwSignal::new(policy.compliance.is_some()),
            compliance_stage: RwSignal::new(compliance.stage),
            pii_owner: RwSignal::new(compliance.pii.unwrap_or_default()),
            phi_owner: RwSignal::new(compliance.phi.unwrap_or_default()),
            pci_owner: RwSignal::new(compliance.pci.unwrap_or_default()),
            rules: RwSignal::new(rules),
            factory,
        }
    }

    fn rule_draft(factory: NodeFactory, rule: &ApprovalRule) -> RuleDraft {
        let uid = factory.uid();
        let root = factory.tree_of(&rule.when);
        factory.within(|| RuleDraft {
            uid,
            name: RwSignal::new(rule.name.clone()),
            approvers: RwSignal::new(rule.approvers.join("\n")),
            quorum: RwSignal::new(rule.quorum.to_string()),
            stage: RwSignal::new(rule.stage),
            root: RwSignal::new(root),
        })
    }

    /// Adds a rule whose condition is an AND group with one condition on `field`.
    pub fn add_rule(self, field: RuleField) {
        let factory = self.factory;
        let leaf = factory.leaf(&field);
        let root = factory.group(Junction::And, vec![leaf]);
        let uid = factory.uid();
        let rule = factory.within(|| RuleDraft {
            uid,
            name: RwSignal::new(String::new()),
            approvers: RwSignal::new(String::new()),
            quorum: RwSignal::new("1".to_string()),
            stage: RwSignal::new(1),
            root: RwSignal::new(root),
        });
        self.rules.update(|rules| rules.push(rule));
    }

    /// Reads the section into a policy. Quorums that are not numbers get a field error and
    /// their path in `unparsed`, and the condition trees add their structural errors. The
    /// shared rule check of the whole definition covers the rest.
    pub fn read(
        self,
        attributes: &[AttributeDefinition],
        errors: &mut FieldErrors,
        unparsed: &mut Vec<String>,
    ) -> ApprovalPolicy {
        let mut quorum = |text: RwSignal<String>, field: String, errors: &mut FieldErrors| {
            let value = parse_number::<u32>(&text.get_untracked(), &field, errors);
            if value.is_none() {
                unparsed.push(field);
            }
            value.unwrap_or(1)
        };

        let manager = self.manager.get_untracked().then(|| ManagerSource {
            stage: self.manager_stage.get_untracked(),
        });
        let owners = self.owners.get_untracked().then(|| OwnerSource {
            approvers: split_lines(&self.owner_list.get_untracked()),
            quorum: quorum(
                self.owner_quorum,
                "approval.owners.quorum".to_string(),
                errors,
            ),
            stage: self.owner_stage.get_untracked(),
        });
        let compliance = self.compliance.get_untracked().then(|| ComplianceSource {
            stage: self.compliance_stage.get_untracked(),
            pii: non_blank(&self.pii_owner.get_untracked()),
            phi: non_blank(&self.phi_owner.get_untracked()),
            pci: non_blank(&self.pci_owner.get_untracked()),
        });

        let fields = rule_fields(attributes);
        let mut tree_errors: Vec<FieldError> = Vec::new();
        let rules = self
            .rules
            .get_untracked()
            .into_iter()
            .enumerate()
            .map(|(index, rule)| {
                let path = format!("approval.rules[{index}]");
                ApprovalRule {
                    name: rule.name.get_untracked().trim().to_string(),
                    when: rule.root.get_untracked().read(
                        &format!("{path}.when"),
                        &fields,
                        &mut tree_errors,
                    ),
                    approvers: split_lines(&rule.approvers.get_untracked()),
                    quorum: quorum(rule.quorum, format!("{path}.quorum"), errors),
                    stage: rule.stage.get_untracked(),
                }
            })
            .collect();
        for error in tree_errors {
            errors.push(&error.field, error.message);
        }

        ApprovalPolicy {
            manager,
            owners,
            compliance,
            rules,
        }
    }
}
