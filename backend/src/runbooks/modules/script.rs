//! Script steps: a stored PowerShell 7, bash or Python script run as a child process. The
//! runner works the same for every interpreter. The script gets its arguments as JSON on
//! standard input and in the file `$IPSOLIS_PARAMS`. A JSON object it writes to the file
//! `$IPSOLIS_RESULT` becomes the step's output. When the step's timeout runs out, the script
//! is killed with its children. It starts with an empty environment, so nothing of the server's
//! configuration reaches it.

use super::{StepError, StepInput, StepOutput};
use crate::store;
use serde_json::{Value, json};
use shared::runbooks::ScriptLanguage;
use std::process::Stdio;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

/// The most of each output stream the journal keeps.
const OUTPUT_KEPT: usize = 64 * 1024;
const LINES_KEPT: usize = 200;
/// The largest `$IPSOLIS_RESULT` a step accepts.
const RESULT_MAX: u64 = 1024 * 1024;
/// How long the output of a script that exited is still read, for children it left running.
const DRAIN: std::time::Duration = std::time::Duration::from_secs(2);

pub async fn run(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let name = input.text("script")?;
    let args = input.object("args")?;
    let script = store::scripts::find_by_name(&input.state.db, &name)
        .await
        .map_err(|e| StepError::retry(format!("the database failed: {e}")))?
        .ok_or_else(|| StepError::fail(format!("there is no script named {name:?}")))?;
    let language = script.language();
    if !input.state.config.script_languages.contains(&language) {
        return Err(StepError::fail(format!(
            "{} scripts are not allowed on this installation; IPSOLIS_SCRIPT_LANGUAGES lists \
             the languages it allows",
            language.label()
        )));
    }
    input.journal.info(format!(
        "running {} version {} ({})",
        script.name,
        script.version,
        language.label()
    ));

    let dir = std::env::temp_dir().join(format!("ipsolis-script-{}", uuid::Uuid::now_v7()));
    let outcome = run_in(input, &dir, language, &script.body, &Value::Object(args)).await;
    let _ = tokio::fs::remove_dir_all(&dir).await;
    outcome
}

async fn run_in(
    input: &StepInput<'_>,
    dir: &std::path::Path,
    language: ScriptLanguage,
    body: &str,
    args: &Value,
) -> Result<StepOutput, StepError> {
    let io = |e: std::io::Error| StepError::retry(format!("preparing the script failed: {e}"));
    create_private_dir(dir).await.map_err(io)?;
    let extension = match language {
        ScriptLanguage::Powershell => "ps1",
        ScriptLanguage::Bash => "sh",
        ScriptLanguage::Python => "py",
    };
    let path = dir.join(format!("script.{extension}"));
    let params_path = dir.join("params.json");
    let result_path = dir.join("result.json");
    tokio::fs::write(&path, body).await.map_err(io)?;
    let params = serde_json::to_vec(args).unwrap_or_default();
    tokio::fs::write(&params_path, &params).await.map_err(io)?;

    let mut command = match language {
        ScriptLanguage::Powershell => {
            let mut c = Command::new(&input.state.config.pwsh);
            c.args(["-NoLogo", "-NoProfile", "-NonInteractive", "-File"]);
            c
        }
        ScriptLanguage::Bash => Command::new("bash"),
        ScriptLanguage::Python => {
            let mut c = Command::new("python3");
            c.arg("-I");
            c
        }
    };
    command
        .arg(&path)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", dir)
        .env("TMPDIR", dir)
        .env("LANG", "C.UTF-8")
        .env("IPSOLIS_PARAMS", &params_path)
        .env("IPSOLIS_RESULT", &result_path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .process_group(0);
    let mut child = command.spawn().map_err(|e| {
        StepError::fail(format!(
            "the {} interpreter cannot start: {e}",
            language.label()
        ))
    })?;
    let pid = child.id();
    // Whatever ends the step (its end, its timeout, a cancel) stops the script's children.
    let _group = GroupKill(pid);
    if let Some(mut stdin) = child.stdin.take() {
        // A script that does not read its input closes the pipe; that is its choice.
        let _ = stdin.write_all(&params).await;
    }
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let mut read_out = tokio::spawn(async move {
        let mut buffer = Vec::new();
        let _ = (&mut stdout)
            .take(OUTPUT_KEPT as u64)
            .read_to_end(&mut buffer)
            .await;
        // Drain the rest so the script never blocks on a full pipe.
        let _ = tokio::io::copy(&mut stdout, &mut tokio::io::sink()).await;
        buffer
    });
    let mut read_err = tokio::spawn(async move {
        let mut buffer = Vec::new();
        let _ = (&mut stderr)
            .take(OUTPUT_KEPT as u64)
            .read_to_end(&mut buffer)
            .await;
        let _ = tokio::io::copy(&mut stderr, &mut tokio::io::sink()).await;
        buffer
    });
    let Ok(status) = tokio::time::timeout(input.timeout, child.wait()).await else {
        let _ = child.kill().await;
        return Err(StepError::retry(format!(
            "the script ran longer than the step's timeout of {} s and was stopped",
            input.timeout.as_secs()
        )));
    };
    // A child the script left in the background may keep the pipes open: its output is read
    // for a short while, then the whole process group is stopped.
    let drained = tokio::time::timeout(DRAIN, async {
        let out = (&mut read_out).await.unwrap_or_default();
        let err = (&mut read_err).await.unwrap_or_default();
        (out, err)
    })
    .await;
    let (out, err) = match drained {
        Ok(both) => both,
        Err(_) => {
            kill_group(pid);
            input
                .journal
                .warn("the script left processes running in the background; they were stopped");
            let out = read_out.await.unwrap_or_default();
            let err = read_err.await.unwrap_or_default();
            (out, err)
        }
    };
    let status = status.map_err(|e| StepError::retry(format!("waiting for the script: {e}")))?;
    let out = String::from_utf8_lossy(&out);
    let err = String::from_utf8_lossy(&err);
    for line in out.lines().take(LINES_KEPT) {
        input.journal.info(line.to_string());
    }
    for line in err.lines().take(LINES_KEPT) {
        input.journal.warn(line.to_string());
    }
    let code = status.code();
    if !status.success() {
        let last = err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(StepError::retry(match code {
            Some(code) => format!("the script exited with code {code}: {last}"),
            None => "the script was killed by a signal".to_string(),
        }));
    }
    let result_size = tokio::fs::metadata(&result_path)
        .await
        .map(|m| m.len())
        .unwrap_or(0);
    if result_size > RESULT_MAX {
        return Err(StepError::fail(format!(
            "the script wrote {result_size} bytes to $IPSOLIS_RESULT; at most {RESULT_MAX} are kept"
        )));
    }
    let output = match tokio::fs::read(&result_path).await {
        Err(_) => json!({}),
        Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Value::Object(map),
            _ => {
                return Err(StepError::fail(
                    "the script wrote something other than a JSON object to $IPSOLIS_RESULT",
                ));
            }
        },
    };
    Ok(StepOutput::new(output, json!({ "exit_code": code })))
}

#[cfg(unix)]
async fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    tokio::fs::create_dir_all(dir).await?;
    tokio::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).await
}

/// Stops the script's process group, children included, when dropped.
struct GroupKill(Option<u32>);

impl Drop for GroupKill {
    fn drop(&mut self) {
        kill_group(self.0);
    }
}

fn kill_group(pid: Option<u32>) {
    if let Some(pid) = pid {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
