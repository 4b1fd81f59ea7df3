//! Runbooks: ordered steps of built-in modules and scripts that provision and reclaim assets,
//! or run on their own by hand or on a schedule. The module table here is the one both the API
//! (to check a runbook) and the SPA (to draw each step's form) read.

use crate::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

pub const STEPS_MAX: usize = 50;
pub const KEY_MAX: usize = 40;
pub const PARAM_MAX: usize = 20_000;
pub const TIMEOUT_MAX_SECONDS: u32 = 86_400;
pub const ATTEMPTS_MAX: u32 = 10;
pub const BACKOFF_MAX_SECONDS: u32 = 3_600;
pub const SCRIPT_MAX: usize = 200_000;
pub const NOTES_MAX: usize = 20_000;
/// The shortest secret, in characters, that masking can find: shorter values would mask
/// ordinary words.
pub const SECRET_MIN: usize = 4;
/// The maximum length of a variable's or secret's value, in bytes.
pub const VARIABLE_VALUE_MAX: usize = 8192;

/// How often a failing step is tried, and how long to wait between tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Tries in all, 1 to 10; 1 means no retry.
    pub max_attempts: u32,
    /// The wait before the second try; it doubles for every further one.
    pub backoff_seconds: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            backoff_seconds: 30,
        }
    }
}

/// One step of a runbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Names the step's output for later steps: `{{ steps.<key>.vm }}`. Lower-case letters,
    /// digits and `_`, starting with a letter, unique in the runbook.
    pub key: String,
    /// The step's name in the journal and the portal.
    pub name: String,
    /// The built-in module, such as `ldap.add_member`; see [`MODULES`].
    pub module: String,
    /// The module's parameters. Strings are templates over `order`, `requester`, `asset`,
    /// `vars`, `secrets` and `steps`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub params: Map<String, Value>,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u32,
    #[serde(default)]
    pub retry: RetryPolicy,
}

fn yes() -> bool {
    true
}

fn default_timeout() -> u32 {
    300
}

impl Step {
    pub fn new(key: &str, module: &ModuleSpec) -> Step {
        let params = module
            .params
            .iter()
            .filter(|p| !p.default.is_empty())
            .map(|p| (p.name.to_string(), Value::String(p.default.to_string())))
            .collect();
        Step {
            key: key.to_string(),
            name: module.label.to_string(),
            module: module.id.to_string(),
            params,
            enabled: true,
            timeout_seconds: default_timeout(),
            retry: RetryPolicy::default(),
        }
    }
}

/// The body of a create or update of a runbook.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RunbookInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub steps: Vec<Step>,
    /// A six-field cron expression (seconds first, UTC) for runs on a schedule; none runs
    /// only by hand or from an asset definition.
    #[serde(default)]
    pub schedule: Option<String>,
    /// Free notes for the people who run it, in Markdown.
    #[serde(default)]
    pub notes: String,
    /// On an update, the version the edit started from. The save is rejected with 409 when
    /// the runbook was saved since, so a concurrent change is not overwritten unseen. Left
    /// out, the save replaces whatever version is current.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_version: Option<i32>,
}

/// A runbook as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Runbook {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub steps: Vec<Step>,
    pub schedule: Option<String>,
    pub notes: String,
    /// Counts saves; a run records the version it ran.
    pub version: i32,
    /// Asset definitions that use this runbook, by name.
    pub used_by: Vec<String>,
    pub next_run_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Runbook {
    pub fn to_input(&self) -> RunbookInput {
        RunbookInput {
            name: self.name.clone(),
            description: self.description.clone(),
            steps: self.steps.clone(),
            schedule: self.schedule.clone(),
            notes: self.notes.clone(),
            base_version: None,
        }
    }
}

/// A runbook in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunbookSummary {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub step_count: i32,
    pub schedule: Option<String>,
    pub used_by: Vec<String>,
    pub last_run_state: Option<RunState>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// The reason a run was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunPurpose {
    /// Provisioning an approved order.
    Provision,
    /// Reclaiming an order's access when it ends.
    Deprovision,
    /// Reinstalling a pool instance returned with the reinstall policy.
    Reinstall,
    /// Started by an admin.
    Manual,
    /// Started by the runbook's schedule.
    Schedule,
}

impl RunPurpose {
    pub const ALL: [RunPurpose; 5] = [
        RunPurpose::Provision,
        RunPurpose::Deprovision,
        RunPurpose::Reinstall,
        RunPurpose::Manual,
        RunPurpose::Schedule,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RunPurpose::Provision => "provision",
            RunPurpose::Deprovision => "deprovision",
            RunPurpose::Reinstall => "reinstall",
            RunPurpose::Manual => "manual",
            RunPurpose::Schedule => "schedule",
        }
    }

    pub fn parse(value: &str) -> Option<RunPurpose> {
        RunPurpose::ALL.into_iter().find(|p| p.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            RunPurpose::Provision => "Provision",
            RunPurpose::Deprovision => "Deprovision",
            RunPurpose::Reinstall => "Reinstall",
            RunPurpose::Manual => "By hand",
            RunPurpose::Schedule => "Schedule",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl RunState {
    pub const ALL: [RunState; 5] = [
        RunState::Queued,
        RunState::Running,
        RunState::Succeeded,
        RunState::Failed,
        RunState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Queued => "queued",
            RunState::Running => "running",
            RunState::Succeeded => "succeeded",
            RunState::Failed => "failed",
            RunState::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<RunState> {
        RunState::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            RunState::Queued => "Queued",
            RunState::Running => "Running",
            RunState::Succeeded => "Succeeded",
            RunState::Failed => "Failed",
            RunState::Cancelled => "Cancelled",
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(
            self,
            RunState::Succeeded | RunState::Failed | RunState::Cancelled
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Pending,
    Running,
    Succeeded,
    Failed,
    Skipped,
}

impl StepState {
    pub const ALL: [StepState; 5] = [
        StepState::Pending,
        StepState::Running,
        StepState::Succeeded,
        StepState::Failed,
        StepState::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StepState::Pending => "pending",
            StepState::Running => "running",
            StepState::Succeeded => "succeeded",
            StepState::Failed => "failed",
            StepState::Skipped => "skipped",
        }
    }

    pub fn parse(value: &str) -> Option<StepState> {
        StepState::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            StepState::Pending => "Pending",
            StepState::Running => "Running",
            StepState::Succeeded => "Succeeded",
            StepState::Failed => "Failed",
            StepState::Skipped => "Skipped",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    Info,
    Warn,
    Error,
}

/// One line of a step's log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogLine {
    pub at: DateTime<Utc>,
    pub level: LogLevel,
    pub message: String,
}

/// A step of a run, as its journal records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunStep {
    pub position: i32,
    pub key: String,
    pub name: String,
    pub module: String,
    pub state: StepState,
    pub attempts: i32,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The step's output, with secrets masked; later steps read it as `steps.<key>`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub output: Value,
    /// The values the module read back from the target after its change, proving the change.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub readback: Value,
    pub log: Vec<LogLine>,
    pub error: Option<String>,
}

/// One run of a runbook and its journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunbookRun {
    pub id: Uuid,
    pub runbook_id: Option<Uuid>,
    pub runbook_name: String,
    pub runbook_version: i32,
    pub purpose: RunPurpose,
    pub state: RunState,
    pub order_id: Option<Uuid>,
    pub asset_id: Option<Uuid>,
    /// The starter: an admin, an order's job or the schedule.
    pub started_by: String,
    pub note: String,
    pub error: Option<String>,
    pub cancel_requested: bool,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub steps: Vec<RunStep>,
}

/// A run in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunSummary {
    pub id: Uuid,
    pub runbook_id: Option<Uuid>,
    pub runbook_name: String,
    pub purpose: RunPurpose,
    pub state: RunState,
    pub order_id: Option<Uuid>,
    pub started_by: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Starting a runbook by hand.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewRun {
    /// The reason for the run, kept with it.
    #[serde(default)]
    pub note: String,
    /// An order whose requester, attributes and instance the templates may read.
    #[serde(default)]
    pub order_id: Option<Uuid>,
    /// A pool instance the templates may read as `asset`.
    #[serde(default)]
    pub asset_id: Option<Uuid>,
}

/// A note added to a finished or running run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RunNote {
    pub note: String,
}

/// The subject of a dry run: a saved runbook, or the steps in the editor, for an order or an
/// instance.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DryRunRequest {
    #[serde(default)]
    pub runbook_id: Option<Uuid>,
    /// Unsaved steps; used instead of the saved runbook's.
    #[serde(default)]
    pub steps: Option<Vec<Step>>,
    #[serde(default)]
    pub order_id: Option<Uuid>,
    #[serde(default)]
    pub asset_id: Option<Uuid>,
}

/// One step of a dry run with every parameter resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlannedStep {
    pub key: String,
    pub name: String,
    pub module: String,
    pub enabled: bool,
    /// Parameters after templating; secrets show as `********`, and the outputs of earlier
    /// steps as `<steps.KEY.FIELD>`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub params: Map<String, Value>,
    /// Problems that would stop the step, such as a template naming an unknown variable.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DryRun {
    pub steps: Vec<PlannedStep>,
    /// True when no step has a problem.
    pub ready: bool,
}

/// A global variable or secret every step's templates can read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunbookVariable {
    pub name: String,
    pub secret: bool,
    /// The value; never returned for a secret.
    pub value: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// Sets a variable. A secret is stored encrypted and cannot be read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VariableInput {
    pub value: String,
    #[serde(default)]
    pub secret: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScriptLanguage {
    Powershell,
    Bash,
    Python,
}

impl ScriptLanguage {
    pub const ALL: [ScriptLanguage; 3] = [
        ScriptLanguage::Powershell,
        ScriptLanguage::Bash,
        ScriptLanguage::Python,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ScriptLanguage::Powershell => "powershell",
            ScriptLanguage::Bash => "bash",
            ScriptLanguage::Python => "python",
        }
    }

    pub fn parse(value: &str) -> Option<ScriptLanguage> {
        ScriptLanguage::ALL
            .into_iter()
            .find(|l| l.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            ScriptLanguage::Powershell => "PowerShell 7",
            ScriptLanguage::Bash => "bash",
            ScriptLanguage::Python => "Python 3",
        }
    }
}

/// A script as the API returns it: its current version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Script {
    pub id: Uuid,
    pub name: String,
    pub language: ScriptLanguage,
    pub description: String,
    pub body: String,
    pub version: i32,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

/// Creates a script, or saves a new version of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScriptInput {
    pub name: String,
    pub language: ScriptLanguage,
    #[serde(default)]
    pub description: String,
    pub body: String,
}

/// An earlier version of a script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScriptVersion {
    pub version: i32,
    pub body: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// How much of a provisioning run the portal shows the requester.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PortalSteps {
    /// Nothing beyond the order's state.
    #[default]
    Off,
    /// Step names with their state and timing.
    Steps,
    /// Step names, state, timing and log lines, for debugging.
    StepsWithLogs,
}

impl PortalSteps {
    pub const ALL: [PortalSteps; 3] = [
        PortalSteps::Off,
        PortalSteps::Steps,
        PortalSteps::StepsWithLogs,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PortalSteps::Off => "off",
            PortalSteps::Steps => "steps",
            PortalSteps::StepsWithLogs => "steps_with_logs",
        }
    }

    pub fn parse(value: &str) -> Option<PortalSteps> {
        PortalSteps::ALL.into_iter().find(|v| v.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            PortalSteps::Off => "Off",
            PortalSteps::Steps => "Step names, state and timing",
            PortalSteps::StepsWithLogs => "Steps with logs",
        }
    }
}

// ---- the module table -------------------------------------------------------------------------

/// The kind of value a module parameter takes, for the editor's input and for checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    Text,
    /// Several lines, such as an e-mail body.
    Multiline,
    /// A whole number, written as a number or a template.
    Number,
    /// `true` or `false`, or a template.
    Flag,
    /// A JSON object, such as HTTP headers or script arguments.
    Json,
    /// The name of a stored script.
    Script,
    /// One of a fixed list of words.
    Choice(&'static [&'static str]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ParamSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: ParamKind,
    pub required: bool,
    /// The template a new step starts with; empty for none.
    pub default: &'static str,
    pub help: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ModuleSpec {
    pub id: &'static str,
    pub label: &'static str,
    /// The family in the editor's module picker.
    pub group: &'static str,
    pub description: &'static str,
    pub params: &'static [ParamSpec],
    /// The fields of the step's output, readable as `steps.<key>.<field>`.
    pub outputs: &'static [&'static str],
}

const fn p(
    name: &'static str,
    label: &'static str,
    kind: ParamKind,
    required: bool,
    default: &'static str,
    help: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        label,
        kind,
        required,
        default,
        help,
    }
}

use ParamKind::*;

const XEN_CONNECTION: [ParamSpec; 3] = [
    p(
        "url",
        "Pool master URL",
        Text,
        true,
        "{{ vars.xen_url }}",
        "The XAPI endpoint, such as https://xen01.example.com",
    ),
    p(
        "username",
        "User",
        Text,
        true,
        "{{ vars.xen_username }}",
        "",
    ),
    p(
        "password",
        "Password",
        Text,
        true,
        "{{ secrets.xen_password }}",
        "Use a secret, not a plain value",
    ),
];

const VSPHERE_CONNECTION: [ParamSpec; 3] = [
    p(
        "url",
        "vCenter URL",
        Text,
        true,
        "{{ vars.vsphere_url }}",
        "Such as https://vcenter.example.com",
    ),
    p(
        "username",
        "User",
        Text,
        true,
        "{{ vars.vsphere_username }}",
        "",
    ),
    p(
        "password",
        "Password",
        Text,
        true,
        "{{ secrets.vsphere_password }}",
        "Use a secret, not a plain value",
    ),
];

const SCCM_CONNECTION: [ParamSpec; 3] = [
    p(
        "url",
        "AdminService URL",
        Text,
        true,
        "{{ vars.sccm_url }}",
        "Such as https://sccm.example.com/AdminService; it must accept Basic authentication \
         over HTTPS",
    ),
    p(
        "username",
        "User",
        Text,
        true,
        "{{ vars.sccm_username }}",
        "",
    ),
    p(
        "password",
        "Password",
        Text,
        true,
        "{{ secrets.sccm_password }}",
        "Use a secret, not a plain value",
    ),
];

const fn with<const N: usize, const M: usize, const T: usize>(
    connection: [ParamSpec; N],
    own: [ParamSpec; M],
) -> [ParamSpec; T] {
    let mut all = [connection[0]; T];
    let mut i = 0;
    while i < N {
        all[i] = connection[i];
        i += 1;
    }
    let mut j = 0;
    while j < M {
        all[N + j] = own[j];
        j += 1;
    }
    all
}

const XEN_VM: ParamSpec = p(
    "vm",
    "VM",
    Text,
    true,
    "{{ asset.name }}",
    "The VM's name label or UUID",
);
const VSPHERE_VM: ParamSpec = p(
    "vm",
    "VM",
    Text,
    true,
    "{{ asset.name }}",
    "The VM's name or its identifier (vm-123)",
);

const XEN_CLONE: [ParamSpec; 5] = with(
    XEN_CONNECTION,
    [
        p(
            "template",
            "Template",
            Text,
            true,
            "",
            "The name label of the template to clone",
        ),
        p(
            "name",
            "New VM name",
            Text,
            true,
            "vdi-{{ requester.username }}",
            "",
        ),
    ],
);
const XEN_ONE_VM: [ParamSpec; 4] = with(XEN_CONNECTION, [XEN_VM]);
const XEN_REVERT: [ParamSpec; 5] = with(
    XEN_CONNECTION,
    [
        XEN_VM,
        p(
            "snapshot",
            "Snapshot",
            Text,
            true,
            "clean",
            "The name label of the VM's snapshot to revert to",
        ),
    ],
);
const VSPHERE_CLONE: [ParamSpec; 6] = with(
    VSPHERE_CONNECTION,
    [
        p(
            "template",
            "Template",
            Text,
            true,
            "",
            "The name or identifier (vm-123) of the VM to clone; the API cannot see VMs marked \
             as templates",
        ),
        p(
            "name",
            "New VM name",
            Text,
            true,
            "vdi-{{ requester.username }}",
            "",
        ),
        p(
            "folder",
            "Folder",
            Text,
            false,
            "",
            "The folder identifier (group-v3); the template's folder when empty",
        ),
    ],
);
const VSPHERE_ONE_VM: [ParamSpec; 4] = with(VSPHERE_CONNECTION, [VSPHERE_VM]);
const SCCM_REGISTER: [ParamSpec; 5] = with(
    SCCM_CONNECTION,
    [
        p("name", "Device name", Text, true, "{{ asset.name }}", ""),
        p(
            "mac",
            "MAC address",
            Text,
            true,
            "{{ asset.metadata.mac }}",
            "Such as 00:15:5D:01:02:03",
        ),
    ],
);
const SCCM_COLLECTION: [ParamSpec; 5] = with(
    SCCM_CONNECTION,
    [
        p(
            "collection_id",
            "Collection ID",
            Text,
            true,
            "",
            "Such as PS100012",
        ),
        p(
            "resource_id",
            "Resource ID",
            Text,
            true,
            "",
            "The device's ResourceID, often {{ steps.register.resource_id }}",
        ),
    ],
);
const SCCM_REMOVE: [ParamSpec; 4] = with(
    SCCM_CONNECTION,
    [p("name", "Device name", Text, true, "{{ asset.name }}", "")],
);

/// Every built-in module, in the order the editor lists them.
pub const MODULES: &[ModuleSpec] = &[
    ModuleSpec {
        id: "ldap.add_member",
        label: "Add group member",
        group: "Active Directory",
        description: "Adds a person or computer to a group, then reads the group back.",
        params: &[
            p("group_dn", "Group DN", Text, true, "", ""),
            p(
                "member_dn",
                "Member DN",
                Text,
                true,
                "{{ requester.dn }}",
                "",
            ),
        ],
        outputs: &["changed"],
    },
    ModuleSpec {
        id: "ldap.remove_member",
        label: "Remove group member",
        group: "Active Directory",
        description: "Removes a member from a group, unless another live order of the same \
                      person still covers it, then reads the group back.",
        params: &[
            p("group_dn", "Group DN", Text, true, "", ""),
            p(
                "member_dn",
                "Member DN",
                Text,
                true,
                "{{ requester.dn }}",
                "",
            ),
        ],
        outputs: &["changed"],
    },
    ModuleSpec {
        id: "ldap.create_computer",
        label: "Create computer object",
        group: "Active Directory",
        description: "Creates a computer object in an OU, or keeps the one already there.",
        params: &[
            p("name", "Computer name", Text, true, "{{ asset.name }}", ""),
            p("ou_dn", "OU DN", Text, true, "{{ vars.computers_ou }}", ""),
            p("description", "Description", Text, false, "", ""),
        ],
        outputs: &["dn", "changed"],
    },
    ModuleSpec {
        id: "ldap.delete_computer",
        label: "Delete computer object",
        group: "Active Directory",
        description: "Deletes a computer object; one already gone counts as done.",
        params: &[p("dn", "Computer DN", Text, true, "", "")],
        outputs: &["changed"],
    },
    ModuleSpec {
        id: "ldap.set_attribute",
        label: "Set attribute",
        group: "Active Directory",
        description: "Replaces one attribute of an entry; an empty value clears it.",
        params: &[
            p("dn", "Entry DN", Text, true, "", ""),
            p(
                "attribute",
                "Attribute",
                Text,
                true,
                "",
                "Such as description",
            ),
            p("value", "Value", Text, false, "", ""),
        ],
        outputs: &["changed"],
    },
    ModuleSpec {
        id: "ldap.clear_group",
        label: "Clear group members",
        group: "Active Directory",
        description: "Removes every member of a group.",
        params: &[p("group_dn", "Group DN", Text, true, "", "")],
        outputs: &["removed"],
    },
    ModuleSpec {
        id: "xen.clone",
        label: "Clone VM from template",
        group: "XenServer / XCP-ng",
        description: "Clones a template into a new VM, or finds the VM a previous try made.",
        params: &XEN_CLONE,
        outputs: &["vm", "uuid"],
    },
    ModuleSpec {
        id: "xen.start",
        label: "Start VM",
        group: "XenServer / XCP-ng",
        description: "Starts a VM and reads back that it runs.",
        params: &XEN_ONE_VM,
        outputs: &["power_state"],
    },
    ModuleSpec {
        id: "xen.shutdown",
        label: "Shut down VM",
        group: "XenServer / XCP-ng",
        description: "Shuts a VM down cleanly and reads back that it is halted.",
        params: &XEN_ONE_VM,
        outputs: &["power_state"],
    },
    ModuleSpec {
        id: "xen.revert",
        label: "Revert to snapshot",
        group: "XenServer / XCP-ng",
        description: "Reverts a VM to one of its snapshots.",
        params: &XEN_REVERT,
        outputs: &["power_state"],
    },
    ModuleSpec {
        id: "xen.destroy",
        label: "Destroy VM",
        group: "XenServer / XCP-ng",
        description: "Shuts down and destroys a VM; one already gone counts as done.",
        params: &XEN_ONE_VM,
        outputs: &["changed"],
    },
    ModuleSpec {
        id: "vsphere.clone",
        label: "Clone VM",
        group: "vSphere",
        description: "Clones a template VM, or finds the VM a previous try made.",
        params: &VSPHERE_CLONE,
        outputs: &["vm"],
    },
    ModuleSpec {
        id: "vsphere.power_on",
        label: "Power on VM",
        group: "vSphere",
        description: "Powers a VM on and reads back its power state.",
        params: &VSPHERE_ONE_VM,
        outputs: &["power_state"],
    },
    ModuleSpec {
        id: "vsphere.power_off",
        label: "Power off VM",
        group: "vSphere",
        description: "Powers a VM off and reads back its power state.",
        params: &VSPHERE_ONE_VM,
        outputs: &["power_state"],
    },
    ModuleSpec {
        id: "vsphere.delete",
        label: "Delete VM",
        group: "vSphere",
        description: "Powers off and deletes a VM; one already gone counts as done.",
        params: &VSPHERE_ONE_VM,
        outputs: &["changed"],
    },
    ModuleSpec {
        id: "sccm.register",
        label: "Register device",
        group: "SCCM",
        description: "Imports a device by name and MAC address, or finds it.",
        params: &SCCM_REGISTER,
        outputs: &["resource_id"],
    },
    ModuleSpec {
        id: "sccm.add_to_collection",
        label: "Add to collection",
        group: "SCCM",
        description: "Adds a direct membership rule for a device to a collection.",
        params: &SCCM_COLLECTION,
        outputs: &["changed"],
    },
    ModuleSpec {
        id: "sccm.remove",
        label: "Remove device",
        group: "SCCM",
        description: "Deletes a device by name; one already gone counts as done.",
        params: &SCCM_REMOVE,
        outputs: &["changed"],
    },
    ModuleSpec {
        id: "http.request",
        label: "HTTP request",
        group: "General",
        description: "Sends an HTTP request and fails on an unexpected status.",
        params: &[
            p(
                "method",
                "Method",
                Choice(&["GET", "POST", "PUT", "PATCH", "DELETE"]),
                true,
                "GET",
                "",
            ),
            p("url", "URL", Text, true, "", ""),
            p(
                "headers",
                "Headers",
                Json,
                false,
                "",
                "A JSON object of header names and values",
            ),
            p("body", "Body", Multiline, false, "", ""),
            p(
                "expect_status",
                "Expected status",
                Text,
                false,
                "2xx",
                "A status such as 201, or a class such as 2xx",
            ),
        ],
        outputs: &["status", "body", "json"],
    },
    ModuleSpec {
        id: "mail.send",
        label: "Send e-mail",
        group: "General",
        description: "Sends an e-mail through the configured SMTP server.",
        params: &[
            p("to", "To", Text, true, "{{ requester.email }}", ""),
            p("subject", "Subject", Text, true, "", ""),
            p("body", "Body", Multiline, true, "", ""),
        ],
        outputs: &[],
    },
    ModuleSpec {
        id: "wait.until",
        label: "Wait until",
        group: "General",
        description: "Polls a URL until it responds as expected, or the step's timeout ends.",
        params: &[
            p("url", "URL", Text, true, "", ""),
            p("expect_status", "Expected status", Text, false, "2xx", ""),
            p(
                "contains",
                "Body contains",
                Text,
                false,
                "",
                "Text the answer must contain",
            ),
            p(
                "interval_seconds",
                "Poll every (seconds)",
                Number,
                false,
                "10",
                "",
            ),
        ],
        outputs: &["status", "waited_seconds"],
    },
    ModuleSpec {
        id: "script",
        label: "Run script",
        group: "Scripts",
        description: "Runs a stored script with its parameters as JSON; a JSON object the \
                      script writes to $IPSOLIS_RESULT becomes the step's output.",
        params: &[
            p("script", "Script", Script, true, "", ""),
            p(
                "args",
                "Arguments",
                Json,
                false,
                "{}",
                "A JSON object passed to the script",
            ),
        ],
        outputs: &[],
    },
];

/// Returns the module with this id.
pub fn module(id: &str) -> Option<&'static ModuleSpec> {
    MODULES.iter().find(|m| m.id == id)
}

/// Returns the families of modules, in the order they first appear.
pub fn module_groups() -> Vec<&'static str> {
    let mut groups: Vec<&'static str> = Vec::new();
    for module in MODULES {
        if !groups.contains(&module.group) {
            groups.push(module.group);
        }
    }
    groups
}

// ---- checks -----------------------------------------------------------------------------------

/// Checks a step key: a lower-case letter, then letters, digits or `_`, 1 to 40 characters.
pub fn key_problem(key: &str) -> Option<String> {
    let mut chars = key.chars();
    let starts_well = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    if !starts_well
        || key.len() > KEY_MAX
        || !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Some(format!(
            "must be 1 to {KEY_MAX} of a-z, 0-9 and _, starting with a letter"
        ));
    }
    None
}

/// Checks the steps of a runbook; field paths start at `steps`.
pub fn steps_problems(steps: &[Step]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if steps.len() > STEPS_MAX {
        errors.push(FieldError::new(
            "steps",
            format!("must have at most {STEPS_MAX} steps"),
        ));
        return errors;
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let at = |field: &str| format!("steps[{i}].{field}");
        if let Some(message) = key_problem(&step.key) {
            errors.push(FieldError::new(at("key"), message));
        } else if seen.contains(&step.key.as_str()) {
            errors.push(FieldError::new(
                at("key"),
                format!("{} is already the key of an earlier step", step.key),
            ));
        }
        seen.push(&step.key);
        name_problem(&mut errors, &at("name"), &step.name);
        if !(1..=TIMEOUT_MAX_SECONDS).contains(&step.timeout_seconds) {
            errors.push(FieldError::new(
                at("timeout_seconds"),
                format!("must be between 1 and {TIMEOUT_MAX_SECONDS} seconds"),
            ));
        }
        if !(1..=ATTEMPTS_MAX).contains(&step.retry.max_attempts) {
            errors.push(FieldError::new(
                at("retry.max_attempts"),
                format!("must be between 1 and {ATTEMPTS_MAX}"),
            ));
        }
        if !(1..=BACKOFF_MAX_SECONDS).contains(&step.retry.backoff_seconds) {
            errors.push(FieldError::new(
                at("retry.backoff_seconds"),
                format!("must be between 1 and {BACKOFF_MAX_SECONDS} seconds"),
            ));
        }
        let Some(spec) = module(&step.module) else {
            errors.push(FieldError::new(
                at("module"),
                format!(
                    "{:?} is not a module; use one of {}",
                    step.module,
                    MODULES.iter().map(|m| m.id).collect::<Vec<_>>().join(", ")
                ),
            ));
            continue;
        };
        for name in step.params.keys() {
            if !spec.params.iter().any(|p| p.name == name) {
                errors.push(FieldError::new(
                    at(&format!("params.{name}")),
                    format!(
                        "is not a parameter of {}; it takes {}",
                        spec.id,
                        spec.params
                            .iter()
                            .map(|p| p.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        for param in spec.params {
            let value = step.params.get(param.name);
            let blank = match value {
                None | Some(Value::Null) => true,
                Some(Value::String(text)) => text.trim().is_empty(),
                _ => false,
            };
            let path = at(&format!("params.{}", param.name));
            if blank {
                if param.required {
                    errors.push(FieldError::new(path, "is required"));
                }
                continue;
            }
            if let Some(message) = value.and_then(|v| param_problem(param.kind, v)) {
                errors.push(FieldError::new(path, message));
            }
        }
    }
    errors
}

fn is_template(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

fn param_problem(kind: ParamKind, value: &Value) -> Option<String> {
    if value.to_string().len() > PARAM_MAX {
        return Some(format!("must be at most {PARAM_MAX} characters long"));
    }
    match (kind, value) {
        (Json, Value::Object(_)) => None,
        (Json, Value::String(text)) if is_template(text) => None,
        (Json, Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(_)) => None,
            _ => Some("must be a JSON object, such as {\"name\": \"value\"}".into()),
        },
        (Json, _) => Some("must be a JSON object".into()),
        (Number, Value::Number(n)) if n.is_u64() => None,
        (Number, Value::String(text))
            if is_template(text) || text.trim().parse::<u64>().is_ok() =>
        {
            None
        }
        (Number, _) => Some("must be a whole number".into()),
        (Flag, Value::Bool(_)) => None,
        (Flag, Value::String(text)) if is_template(text) || text == "true" || text == "false" => {
            None
        }
        (Flag, _) => Some("must be true or false".into()),
        (Choice(words), Value::String(text)) if words.contains(&text.as_str()) => None,
        (Choice(words), _) => Some(format!("must be one of {}", words.join(", "))),
        (Text | Multiline | Script, Value::String(_)) => None,
        (Text | Multiline | Script, _) => Some("must be text".into()),
    }
}

/// Adds an error unless `value`, trimmed, is 1 to `NAME_MAX` characters long, without
/// invisible characters.
fn name_problem(errors: &mut Vec<FieldError>, field: &str, value: &str) {
    let length = value.trim().chars().count();
    if !(1..=crate::validation::NAME_MAX).contains(&length) {
        errors.push(FieldError::new(
            field,
            format!(
                "must be 1 to {} characters long",
                crate::validation::NAME_MAX
            ),
        ));
    } else if let Some(message) = crate::validation::hidden_character(value, false) {
        errors.push(FieldError::new(field, message));
    }
}

/// Adds an error when `value` is longer than `max` characters.
fn length_problem(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters long"),
        ));
    }
}

/// Checks a runbook; the cron expression is checked by the server, which owns the parser.
pub fn runbook_problems(input: &RunbookInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    name_problem(&mut errors, "name", &input.name);
    length_problem(
        &mut errors,
        "description",
        &input.description,
        crate::validation::DESCRIPTION_MAX,
    );
    length_problem(&mut errors, "notes", &input.notes, NOTES_MAX);
    errors.extend(steps_problems(&input.steps));
    errors
}

/// Checks a variable's name: like a step key, so templates can read `vars.<name>`.
pub fn variable_name_problem(name: &str) -> Option<String> {
    key_problem(name)
}

/// Checks a script.
pub fn script_problems(input: &ScriptInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    name_problem(&mut errors, "name", &input.name);
    if input.body.trim().is_empty() {
        errors.push(FieldError::new("body", "is required"));
    }
    if input.body.len() > SCRIPT_MAX {
        errors.push(FieldError::new(
            "body",
            format!("must be at most {SCRIPT_MAX} bytes long"),
        ));
    }
    length_problem(
        &mut errors,
        "description",
        &input.description,
        crate::validation::DESCRIPTION_MAX,
    );
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn step(module: &str, params: Value) -> Step {
        Step {
            key: "one".into(),
            name: "One".into(),
            module: module.into(),
            params: params.as_object().cloned().unwrap_or_default(),
            enabled: true,
            timeout_seconds: 60,
            retry: RetryPolicy::default(),
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn module_ids_are_unique_and_defaults_are_complete() {
        for (i, module) in MODULES.iter().enumerate() {
            assert!(
                MODULES[..i].iter().all(|m| m.id != module.id),
                "{}",
                module.id
            );
            let fresh = Step::new("a", module);
            let problems = steps_problems(&[fresh]);
            // A new step lacks only the required values without a default.
            for problem in problems {
                let name = problem.field.trim_start_matches("steps[0].params.");
                let spec = module.params.iter().find(|p| p.name == name).unwrap();
                assert!(
                    spec.required && spec.default.is_empty(),
                    "{}",
                    problem.field
                );
            }
        }
    }

    #[test]
    fn problems_name_the_field() {
        let bad = step("ldap.add_member", json!({"group_dn": "", "colour": "red"}));
        assert_eq!(
            fields(&steps_problems(&[bad])),
            vec![
                "steps[0].params.colour",
                "steps[0].params.group_dn",
                "steps[0].params.member_dn"
            ]
        );
        let unknown = step("ftp.upload", json!({}));
        assert_eq!(fields(&steps_problems(&[unknown])), vec!["steps[0].module"]);
        let headers = step(
            "http.request",
            json!({"method": "GET", "url": "http://x", "headers": "[1]"}),
        );
        assert_eq!(
            fields(&steps_problems(&[headers])),
            vec!["steps[0].params.headers"]
        );
    }

    #[test]
    fn keys_must_be_unique_identifiers() {
        let mut second = step("mail.send", json!({"to": "a", "subject": "b", "body": "c"}));
        let first = second.clone();
        assert!(
            steps_problems(&[first.clone(), second.clone()])[0]
                .message
                .contains("already")
        );
        second.key = "Two".into();
        assert_eq!(
            fields(&steps_problems(&[first, second])),
            vec!["steps[1].key"]
        );
    }
}
