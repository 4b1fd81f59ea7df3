//! The Maintenance area: `/ui/backups` (database backups, their schedule and restores) and
//! `/ui/health` (the detailed health of every component).

mod alert_form;
mod backup_row;
mod backups_page;
mod health_page;
mod restore_form;
mod runs_table;
mod schedule_form;

pub use backups_page::BackupsPage;
pub use health_page::HealthPage;

/// Formats a size in bytes with a binary unit, such as `1.5 MiB`.
pub fn size_text(bytes: i64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Returns who made a backup in words: "Schedule", or the admin's name from their actor.
pub fn made_by_text(made_by: &str) -> String {
    match made_by {
        "schedule" | "system:backup.schedule" => "Schedule".to_string(),
        other => match other.strip_prefix("admin:session:") {
            Some(rest) => rest.split(':').next().unwrap_or(rest).to_string(),
            None => other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{made_by_text, size_text};

    #[test]
    fn size_text_picks_a_unit() {
        assert_eq!(size_text(512), "512 B");
        assert_eq!(size_text(1536), "1.5 KiB");
        assert_eq!(size_text(3 * 1024 * 1024), "3.0 MiB");
    }

    #[test]
    fn made_by_text_names_the_admin() {
        assert_eq!(made_by_text("schedule"), "Schedule");
        assert_eq!(made_by_text("admin:session:jdoe:admin"), "jdoe");
        assert_eq!(made_by_text("token:nightly"), "token:nightly");
    }
}
