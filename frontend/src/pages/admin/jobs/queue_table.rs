use leptos::prelude::*;
use shared::jobs::QueueSummary;

/// Formats a waiting time in seconds as whole seconds, minutes, or hours and minutes.
pub fn wait_time(seconds: i64) -> String {
    match seconds {
        ..60 => format!("{} s", seconds.max(0)),
        60..3600 => format!("{} min", seconds / 60),
        _ => format!("{} h {} min", seconds / 3600, seconds % 3600 / 60),
    }
}

/// Renders one row per queue: the jobs waiting, scheduled, running and dead, those that
/// succeeded in the last 24 hours, and how long the longest-waiting job has waited.
#[component]
pub fn QueueTable(#[prop(into)] queues: Signal<Vec<QueueSummary>>) -> impl IntoView {
    let rows = move || {
        queues
            .get()
            .into_iter()
            .map(|queue| {
                let oldest = queue
                    .oldest_queued_age_seconds
                    .map_or_else(|| "–".to_string(), wait_time);
                view! {
                    <tr>
                        <th scope="row">{queue.queue}</th>
                        <td>{queue.queued}</td>
                        <td>{queue.scheduled}</td>
                        <td>{queue.running}</td>
                        <td>{queue.dead}</td>
                        <td>{queue.succeeded_last_day}</td>
                        <td>{oldest}</td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <table class="table" aria-label="Queue depths">
            <thead>
                <tr>
                    <th scope="col">"Queue"</th>
                    <th scope="col">"Due"</th>
                    <th scope="col">"Scheduled"</th>
                    <th scope="col">"Running"</th>
                    <th scope="col">"Dead"</th>
                    <th scope="col">"Succeeded (24 h)"</th>
                    <th scope="col">"Longest wait"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::wait_time;

    #[test]
    fn wait_time_picks_a_unit() {
        assert_eq!(wait_time(0), "0 s");
        assert_eq!(wait_time(59), "59 s");
        assert_eq!(wait_time(60), "1 min");
        assert_eq!(wait_time(3599), "59 min");
        assert_eq!(wait_time(3600 + 5 * 60 + 7), "1 h 5 min");
    }
}
