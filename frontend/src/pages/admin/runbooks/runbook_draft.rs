//! The runbook editor's fields as signals, and the reading of them into the request body that
//! saving and the dry run send.

use leptos::prelude::*;
use shared::runbooks::{ModuleSpec, RunbookInput, Step, runbook_problems};

use super::step_draft::{StepDraft, unused_key};
use crate::forms::FieldErrors;

/// The runbook editor's fields.
#[derive(Debug, Clone, Copy)]
pub struct RunbookDraft {
    pub name: RwSignal<String>,
    pub description: RwSignal<String>,
    pub schedule: RwSignal<String>,
    pub notes: RwSignal<String>,
    pub steps: RwSignal<Vec<StepDraft>>,
    next_uid: StoredValue<u64>,
    /// Steps added later belong to the form, not to the click that added them.
    owner: StoredValue<Option<Owner>>,
}

impl RunbookDraft {
    pub fn new(initial: RunbookInput) -> Self {
        let count = initial.steps.len() as u64;
        let steps = initial
            .steps
            .into_iter()
            .enumerate()
            .map(|(uid, step)| StepDraft::new(uid as u64, step))
            .collect();
        Self {
            name: RwSignal::new(initial.name),
            description: RwSignal::new(initial.description),
            schedule: RwSignal::new(initial.schedule.unwrap_or_default()),
            notes: RwSignal::new(initial.notes),
            steps: RwSignal::new(steps),
            next_uid: StoredValue::new(count),
            owner: StoredValue::new(Owner::current()),
        }
    }

    /// Appends a step of `module` with the module's defaults and a key no other step has, and
    /// returns its draft.
    pub fn add_step(self, module: &'static ModuleSpec) -> StepDraft {
        let used_keys: Vec<String> = self
            .steps
            .with_untracked(|steps| steps.iter().map(|s| s.key.get_untracked()).collect());
        let step = Step::new(&unused_key(module, &used_keys), module);
        let uid = self.next_uid.get_value();
        self.next_uid.set_value(uid + 1);
        let draft = match self.owner.get_value() {
            Some(owner) => owner.with(|| StepDraft::new(uid, step)),
            None => StepDraft::new(uid, step),
        };
        self.steps.update(|steps| steps.push(draft));
        draft
    }

    /// Moves the step `uid` to `to`, counted from 0, and returns its new position, or `None`
    /// when there is no such step.
    pub fn move_step(self, uid: u64, to: usize) -> Option<usize> {
        let mut moved_to = None;
        self.steps.update(|steps| {
            let Some(from) = steps.iter().position(|step| step.uid == uid) else {
                return;
            };
            let to = to.min(steps.len() - 1);
            let step = steps.remove(from);
            steps.insert(to, step);
            moved_to = Some(to);
        });
        moved_to
    }

    pub fn remove_step(self, uid: u64) {
        self.steps
            .update(|steps| steps.retain(|step| step.uid != uid));
    }

    /// Reads the fields into the request body, with the errors of the shared checks (the ones
    /// the API runs, except the cron expression, which the server parses) and of numbers that
    /// do not parse.
    pub fn read(self) -> (RunbookInput, FieldErrors) {
        let mut errors = FieldErrors::default();
        let steps: Vec<Step> = self.steps.with_untracked(|steps| {
            steps
                .iter()
                .enumerate()
                .map(|(index, step)| step.read(index, &mut errors))
                .collect()
        });
        // A number that did not parse is sent as 0, whose range error would only repeat it.
        let unparsed: Vec<String> = errors.fields();
        let schedule = self.schedule.get_untracked().trim().to_string();
        let input = RunbookInput {
            name: self.name.get_untracked().trim().to_string(),
            description: self.description.get_untracked().trim().to_string(),
            steps,
            schedule: (!schedule.is_empty()).then_some(schedule),
            notes: self.notes.get_untracked(),
            base_version: None,
        };
        for problem in runbook_problems(&input) {
            if !unparsed.contains(&problem.field) {
                errors.push(&problem.field, problem.message);
            }
        }
        (input, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(id: &str) -> &'static ModuleSpec {
        shared::runbooks::module(id).unwrap()
    }

    fn keys(input: &RunbookInput) -> Vec<&str> {
        input.steps.iter().map(|step| step.key.as_str()).collect()
    }

    #[test]
    fn added_steps_move_and_read_back() {
        let draft = RunbookDraft::new(RunbookInput {
            name: "Onboarding".into(),
            ..RunbookInput::default()
        });
        draft.add_step(module("mail.send"));
        let member = draft.add_step(module("ldap.add_member"));
        let again = draft.add_step(module("ldap.add_member"));
        assert_eq!(again.key.get_untracked(), "add_member_2");

        assert_eq!(draft.move_step(member.uid, 0), Some(0));
        assert_eq!(draft.move_step(again.uid, 99), Some(2));
        let (input, _) = draft.read();
        assert_eq!(keys(&input), ["add_member", "send", "add_member_2"]);

        draft.remove_step(member.uid);
        let (input, _) = draft.read();
        assert_eq!(keys(&input), ["send", "add_member_2"]);
        assert_eq!(draft.move_step(member.uid, 0), None);
    }

    #[test]
    fn reading_reports_each_bad_field_once() {
        let draft = RunbookDraft::new(RunbookInput::default());
        let step = draft.add_step(module("ldap.add_member"));
        step.timeout_seconds.set("soon".into());
        draft.schedule.set("  ".into());

        let (input, errors) = draft.read();
        assert_eq!(input.schedule, None);
        assert_eq!(
            errors.exact_messages("steps[0].timeout_seconds"),
            ["must be a whole number"]
        );
        assert_eq!(
            errors.exact_messages("steps[0].params.group_dn"),
            ["is required"]
        );
        assert_eq!(errors.exact_messages("name").len(), 1);
        let step_errors = errors.under("steps[0].");
        assert_eq!(step_errors.exact_messages("params.member_dn").len(), 0);
    }
}
