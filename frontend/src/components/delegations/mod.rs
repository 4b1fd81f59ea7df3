//! Out-of-office windows, which admins manage for anyone and portal users for themselves.

mod delegation_form;
mod delegation_list;
mod delegation_panel;
mod delegation_row;

pub use delegation_panel::DelegationPanel;
