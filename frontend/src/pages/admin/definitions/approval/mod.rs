//! The approval section of the asset definition form: sources, rules with their condition
//! editor, the "who would approve" preview and the replay against past orders.

mod approval_draft;
mod approval_preview;
mod approval_section;
mod condition_draft;
mod condition_node;
mod editor_context;
mod group_editor;
mod leaf_editor;
mod plan_view;
mod replay_panel;
mod replay_row;
mod rule_card;
mod stage_field;

pub use approval_draft::ApprovalDraft;
pub use approval_preview::ApprovalPreview;
pub use approval_section::ApprovalSection;
pub use replay_panel::ReplayPanel;

use leptos::prelude::*;
use shared::FieldError;
use shared::catalog::AssetDefinitionInput;

use super::definition_draft::DefinitionDraft;
use crate::api::ApiError;
use crate::forms::FieldErrors;

/// Reads the form for the preview or the replay, which send the definition unsaved. Only the
/// approval section's errors stop them, because the other fields do not decide who approves.
/// Those errors replace the ones the form shows.
pub fn read_for_preview(
    draft: DefinitionDraft,
    errors: RwSignal<FieldErrors>,
) -> Option<AssetDefinitionInput> {
    let (input, field_errors) = draft.read();
    let approval_errors = field_errors.with_prefix("approval");
    errors.set(approval_errors.clone());
    approval_errors.is_empty().then_some(input)
}

/// Returns the field errors of a failed save, preview or replay with the paths the form uses:
/// without the `definition.` that a simulation's body puts before the definition's fields, and
/// with errors of a malformed condition moved to their node.
pub fn form_errors(failure: &ApiError) -> FieldErrors {
    let errors: Vec<FieldError> = failure
        .field_errors()
        .iter()
        .map(|error| {
            let field = error
                .field
                .strip_prefix("definition.")
                .unwrap_or(&error.field);
            FieldError::new(field, error.message.clone())
        })
        .collect();
    FieldErrors::new(condition_draft::place_node_errors(errors))
}
