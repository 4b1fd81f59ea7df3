//! Parts shared by the modules for remote management APIs (XenServer, vSphere, SCCM): the
//! connection parameters, the mapping of client errors to step errors, and a session that is
//! closed however the step's work ends.

use super::{StepError, StepInput, StepOutput};
use crate::integrations::remote::{RemoteError, RemoteSession};
use crate::runbooks::template;
use serde_json::{Value, json};

/// The `url`, `username` and `password` parameters every remote module takes.
pub struct Connection {
    pub url: String,
    pub username: String,
    pub password: String,
}

impl Connection {
    pub fn read(input: &StepInput<'_>) -> Result<Connection, StepError> {
        // A password is taken as written: spaces at either end may be part of it.
        let password = match input.params.get("password") {
            Some(Value::String(password)) if !password.is_empty() => password.clone(),
            _ => return Err(StepError::fail("the parameter password is empty")),
        };
        Ok(Connection {
            url: input.text("url")?,
            username: input.text("username")?,
            password,
        })
    }

    /// Replaces the password in `error`, should a target ever echo it. The engine masks
    /// values from `secrets` too, but a password may be a plain parameter.
    pub fn mask(&self, error: StepError) -> StepError {
        let secrets = [self.password.clone()];
        match error {
            StepError::Retry(message) => StepError::Retry(template::mask(&message, &secrets)),
            StepError::Fail(message) => StepError::Fail(template::mask(&message, &secrets)),
        }
    }
}

/// Maps a client error to a step error. A target that is down, busy or throttling is tried
/// again, while a wrong URL, wrong credentials or a rejected request fail the step.
pub fn step_error(error: RemoteError) -> StepError {
    if error.is_retryable() {
        StepError::retry(error)
    } else {
        StepError::fail(error)
    }
}

/// Builds the result of a power step from the power state it read back: a retry unless the VM
/// reached `wanted`, else the output `{power_state, changed}` with `readback`.
pub fn power_result(
    vm: &str,
    after: &str,
    wanted: &str,
    changed: bool,
    readback: Value,
) -> Result<StepOutput, StepError> {
    if after != wanted {
        return Err(StepError::retry(format!(
            "{vm} reads back as {after} instead of {wanted}"
        )));
    }
    Ok(StepOutput::new(
        json!({ "power_state": after, "changed": changed }),
        readback,
    ))
}

/// Logs in, runs `work` in the session and logs out, also when `work` failed. A failed
/// logout is journaled and does not change the step's result.
///
/// NOTE: When the engine stops a step at its timeout, this future is dropped before the
/// logout, so the session ends only when the target expires it.
pub async fn in_session<S: RemoteSession, T>(
    input: &StepInput<'_>,
    connection: &Connection,
    login: impl Future<Output = Result<S, RemoteError>>,
    work: impl AsyncFnOnce(&S) -> Result<T, StepError>,
) -> Result<T, StepError> {
    let session = login
        .await
        .map_err(|error| connection.mask(step_error(error)))?;
    let result = work(&session).await;
    if let Err(error) = session.close().await {
        let message = connection.mask(StepError::retry(error));
        input.journal.warn(format!("logging out failed: {message}"));
    }
    result.map_err(|error| connection.mask(error))
}
