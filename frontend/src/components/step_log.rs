use leptos::prelude::*;
use shared::runbooks::{LogLevel, LogLine};

use crate::format::local_date_time;

fn level_label(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Info => "Info",
        LogLevel::Warn => "Warning",
        LogLevel::Error => "Error",
    }
}

/// Renders the log lines of one run step, oldest first: level, time and message.
#[component]
pub fn StepLog(lines: Vec<LogLine>) -> impl IntoView {
    let items = lines
        .into_iter()
        .map(|line| {
            let class = match line.level {
                LogLevel::Info => "log-line",
                LogLevel::Warn => "log-line log-warn",
                LogLevel::Error => "log-line log-error",
            };
            view! {
                <li class=class>
                    <span class="log-level">{level_label(line.level)}</span>
                    <time datetime=line.at.to_rfc3339()>{local_date_time(line.at)}</time>
                    <span class="log-message">{line.message}</span>
                </li>
            }
        })
        .collect_view();

    view! { <ol class="step-log">{items}</ol> }
}
