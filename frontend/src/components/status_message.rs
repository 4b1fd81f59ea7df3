use leptos::prelude::*;

/// The style of a status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusTone {
    /// Work in progress, such as a connection test still waiting for its response.
    Neutral,
    Success,
    Failure,
}

/// The outcome of a save or a connection test.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub tone: StatusTone,
    pub message: String,
}

impl Status {
    pub fn neutral(message: impl Into<String>) -> Self {
        Self {
            tone: StatusTone::Neutral,
            message: message.into(),
        }
    }

    pub fn success(message: impl Into<String>) -> Self {
        Self {
            tone: StatusTone::Success,
            message: message.into(),
        }
    }

    pub fn failure(message: impl Into<String>) -> Self {
        Self {
            tone: StatusTone::Failure,
            message: message.into(),
        }
    }

    /// Builds the status for the result of a "test connection" button.
    pub fn from_test(ok: bool, message: String) -> Self {
        let tone = if ok {
            StatusTone::Success
        } else {
            StatusTone::Failure
        };
        Self { tone, message }
    }
}

/// Renders a status line that screen readers announce through `role="status"`.
#[component]
pub fn StatusMessage(#[prop(into)] status: Signal<Option<Status>>) -> impl IntoView {
    move || {
        status.get().map(|status| {
            let class = match status.tone {
                StatusTone::Neutral => "status-message",
                StatusTone::Success => "status-message success",
                StatusTone::Failure => "status-message failure",
            };
            view! {
                <p class=class role="status">
                    {status.message}
                </p>
            }
        })
    }
}
