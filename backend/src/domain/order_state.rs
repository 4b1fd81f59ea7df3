//! The order state machine: the one table of allowed moves. The database enforces the same
//! table (`order_transitions` with a trigger on `orders`); a test keeps the two equal.

use shared::orders::OrderState::{self, *};

/// Every allowed move between order states.
pub const TRANSITIONS: &[(OrderState, OrderState)] = &[
    (Submitted, PendingApproval),
    (Submitted, Approved),
    (Submitted, Cancelled),
    (PendingApproval, Approved),
    (PendingApproval, Rejected),
    (PendingApproval, Cancelled),
    (Approved, Scheduled),
    (Approved, Provisioning),
    (Approved, Cancelled),
    (Scheduled, Provisioning),
    (Scheduled, Cancelled),
    (Provisioning, Active),
    (Provisioning, Failed),
    (Active, ModificationPending),
    (Active, Deprovisioning),
    (ModificationPending, Active),
    (ModificationPending, Deprovisioning),
    (Deprovisioning, Completed),
    (Deprovisioning, Failed),
    (Failed, Provisioning),
    (Failed, Deprovisioning),
];

pub fn allowed(from: OrderState, to: OrderState) -> bool {
    TRANSITIONS.contains(&(from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_states_have_no_way_out() {
        for from in [Completed, Rejected, Cancelled] {
            for to in OrderState::ALL {
                assert!(!allowed(from, to), "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn main_path_is_allowed_in_order() {
        let path = [
            Submitted,
            PendingApproval,
            Approved,
            Provisioning,
            Active,
            Deprovisioning,
            Completed,
        ];
        for step in path.windows(2) {
            assert!(allowed(step[0], step[1]), "{:?} -> {:?}", step[0], step[1]);
        }
    }

    #[test]
    fn no_state_moves_to_itself_or_back_to_submitted() {
        for state in OrderState::ALL {
            assert!(!allowed(state, state), "{state:?}");
            assert!(!allowed(state, Submitted), "{state:?}");
        }
    }

    #[test]
    fn decisions_only_from_pending_approval() {
        for from in OrderState::ALL {
            let expected = matches!(from, PendingApproval);
            assert_eq!(allowed(from, Rejected), expected, "{from:?} -> Rejected");
        }
    }

    #[test]
    fn migration_table_matches_this_table() {
        let sql = include_str!("../../../migrations/20261204000001_foundation.sql");
        let start = sql.find("insert into order_transitions").unwrap();
        let block = &sql[start..sql[start..].find(';').unwrap() + start];
        let mut in_sql: Vec<(String, String)> = block
            .lines()
            .filter_map(|line| {
                let inner = line.trim().trim_end_matches(',').strip_prefix("('")?;
                let (from, to) = inner.trim_end_matches("')").split_once("', '")?;
                Some((from.to_string(), to.to_string()))
            })
            .collect();
        let mut in_code: Vec<(String, String)> = TRANSITIONS
            .iter()
            .map(|(from, to)| (from.as_str().to_string(), to.as_str().to_string()))
            .collect();
        in_sql.sort();
        in_code.sort();
        assert_eq!(in_sql, in_code);
    }
}
