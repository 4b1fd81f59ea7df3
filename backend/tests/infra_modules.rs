//! The XenServer, vSphere and SCCM runbook modules, run directly against fake servers that
//! speak each API. The tests cover the change and its read-back, an idempotent re-run, and the
//! mapping of failures to retries and permanent failures. They also check that no password or
//! session token appears in what a step leaves.

mod common;

use common::sccm::{self, FakeSccm, Literal, parse_filter};
use common::vsphere::{self, FakeVsphere};
use common::xapi::{self, FakeXapi};
use common::{Options, TestApp};
use ipsolis::runbooks::modules::{self, Journal, StepError, StepInput, StepOutput};
use serde_json::{Value, json};
use std::time::Duration;

/// What one step left: its result and its journal lines.
struct Ran {
    result: Result<StepOutput, StepError>,
    journal: Vec<String>,
}

impl Ran {
    #[track_caller]
    fn ok(&self) -> &StepOutput {
        match &self.result {
            Ok(output) => output,
            Err(error) => panic!("the step failed: {error:?}\njournal: {:#?}", self.journal),
        }
    }

    #[track_caller]
    fn retry(&self) -> String {
        match &self.result {
            Err(StepError::Retry(message)) => message.clone(),
            other => panic!("expected a retry, got {other:?}"),
        }
    }

    #[track_caller]
    fn fail(&self) -> String {
        match &self.result {
            Err(StepError::Fail(message)) => message.clone(),
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    /// Everything a step leaves where people can read it.
    fn texts(&self) -> Vec<String> {
        let mut texts = self.journal.clone();
        match &self.result {
            Ok(output) => {
                texts.push(output.output.to_string());
                texts.push(output.readback.to_string());
            }
            Err(error) => texts.push(error.to_string()),
        }
        texts
    }
}

async fn run_with_timeout(app: &TestApp, module: &str, params: Value, timeout: Duration) -> Ran {
    let params = params.as_object().expect("params are an object").clone();
    let journal = Journal::default();
    let input = StepInput {
        state: &app.state,
        params: &params,
        timeout,
        order: None,
        journal: &journal,
        secrets: &[],
    };
    let result = modules::run(module, &input).await;
    let journal = journal
        .take()
        .into_iter()
        .map(|line| line.message)
        .collect();
    Ran { result, journal }
}

async fn run(app: &TestApp, module: &str, params: Value) -> Ran {
    run_with_timeout(app, module, params, Duration::from_secs(10)).await
}

/// Adds `extra` to the connection parameters of `url`.
fn params(url: &str, username: &str, password: &str, extra: Value) -> Value {
    let mut params = json!({ "url": url, "username": username, "password": password });
    for (key, value) in extra.as_object().unwrap() {
        params[key] = value.clone();
    }
    params
}

fn xen(fake: &FakeXapi, extra: Value) -> Value {
    params(&fake.url, xapi::USERNAME, xapi::PASSWORD, extra)
}

fn vc(fake: &FakeVsphere, extra: Value) -> Value {
    params(&fake.url, vsphere::USERNAME, vsphere::PASSWORD, extra)
}

fn cm(fake: &FakeSccm, extra: Value) -> Value {
    params(&fake.url, sccm::USERNAME, sccm::PASSWORD, extra)
}

#[track_caller]
fn assert_nothing_leaks(ran: &[&Ran], secrets: &[String]) {
    for text in ran.iter().flat_map(|r| r.texts()) {
        for secret in secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{secret:?} leaks in {text:?}"
            );
        }
    }
}

async fn app() -> TestApp {
    TestApp::start_with(Options::quiet()).await
}

// XenServer / XCP-ng

#[tokio::test]
async fn xen_clone_provisions_once() {
    let app = app().await;
    let fake = FakeXapi::start().await;
    fake.add_template("win11-gold");
    let disks_before = fake.vdi_count();
    let step = json!({ "template": "win11-gold", "name": "vdi-alice" });

    let first = run(&app, "xen.clone", xen(&fake, step.clone())).await;
    let output = &first.ok().output;
    let vm = fake.named("vdi-alice").pop().expect("the clone exists");
    assert_eq!(output["vm"], vm.uuid);
    assert_eq!(output["uuid"], vm.uuid);
    assert_eq!(output["changed"], true);
    assert!(!vm.is_a_template, "the clone is provisioned into a VM");
    assert_eq!(first.ok().readback["is_a_template"], false);
    assert_eq!(first.ok().readback["name_label"], "vdi-alice");
    assert_eq!(fake.vdi_count(), disks_before + 1);
    assert_eq!(fake.open_sessions(), 0);

    let second = run(&app, "xen.clone", xen(&fake, step)).await;
    assert_eq!(second.ok().output["vm"], vm.uuid);
    assert_eq!(second.ok().output["changed"], false);
    assert_eq!(fake.calls("VM.clone"), 1);
    assert_eq!(fake.calls("VM.provision"), 1);
    assert_eq!(fake.named("vdi-alice").len(), 1);
    assert_eq!(fake.open_sessions(), 0);
}

#[tokio::test]
async fn xen_clone_finishes_an_unprovisioned_clone() {
    let app = app().await;
    let fake = FakeXapi::start().await;
    fake.add_template("win11-gold");
    // A clone an earlier try made but did not provision is still a template.
    let half_made = fake.add_template("vdi-bob");

    let ran = run(
        &app,
        "xen.clone",
        xen(
            &fake,
            json!({ "template": "win11-gold", "name": "vdi-bob" }),
        ),
    )
    .await;
    assert_eq!(ran.ok().output["vm"], half_made);
    assert_eq!(ran.ok().output["changed"], true);
    assert_eq!(fake.calls("VM.clone"), 0);
    assert!(!fake.vm(&half_made).unwrap().is_a_template);
}

#[tokio::test]
async fn xen_clone_rejects_a_missing_template() {
    let app = app().await;
    let fake = FakeXapi::start().await;
    let ran = run(
        &app,
        "xen.clone",
        xen(&fake, json!({ "template": "nope", "name": "vdi-x" })),
    )
    .await;
    let message = ran.fail();
    assert!(message.contains("no template named nope"), "{message}");
    assert_eq!(
        fake.open_sessions(),
        0,
        "the session is closed after a failure"
    );
}

#[tokio::test]
async fn xen_power_steps_are_idempotent() {
    let app = app().await;
    let fake = FakeXapi::start().await;
    let uuid = fake.add_vm("vdi-carol", "Halted");

    let started = run(&app, "xen.start", xen(&fake, json!({ "vm": "vdi-carol" }))).await;
    assert_eq!(started.ok().output["power_state"], "Running");
    assert_eq!(started.ok().output["changed"], true);
    assert_eq!(started.ok().readback["uuid"], uuid);
    assert_eq!(fake.vm(&uuid).unwrap().power_state, "Running");

    let again = run(&app, "xen.start", xen(&fake, json!({ "vm": uuid }))).await;
    assert_eq!(again.ok().output["changed"], false);
    assert_eq!(again.ok().output["power_state"], "Running");
    assert_eq!(fake.calls("VM.start"), 1);

    let stopped = run(
        &app,
        "xen.shutdown",
        xen(&fake, json!({ "vm": "vdi-carol" })),
    )
    .await;
    assert_eq!(stopped.ok().output["power_state"], "Halted");
    assert_eq!(stopped.ok().output["changed"], true);
    assert_eq!(fake.calls("VM.clean_shutdown"), 1);

    let again = run(
        &app,
        "xen.shutdown",
        xen(&fake, json!({ "vm": "vdi-carol" })),
    )
    .await;
    assert_eq!(again.ok().output["changed"], false);
    assert_eq!(fake.calls("VM.clean_shutdown"), 1);
    assert_eq!(fake.open_sessions(), 0);
}

#[tokio::test]
async fn xen_power_steps_handle_suspended_vms() {
    let app = app().await;
    let fake = FakeXapi::start().await;
    let resumed = fake.add_vm("vdi-resume", "Suspended");
    let halted = fake.add_vm("vdi-halt", "Suspended");

    let ran = run(&app, "xen.start", xen(&fake, json!({ "vm": resumed }))).await;
    assert_eq!(ran.ok().output["power_state"], "Running");
    assert_eq!(fake.calls("VM.resume"), 1);

    let ran = run(&app, "xen.shutdown", xen(&fake, json!({ "vm": halted }))).await;
    assert_eq!(ran.ok().output["power_state"], "Halted");
    assert_eq!(fake.calls("VM.hard_shutdown"), 1);
    assert_eq!(fake.calls("VM.clean_shutdown"), 0);
}

#[tokio::test]
async fn xen_revert_uses_the_newest_snapshot() {
    let app = app().await;
    let fake = FakeXapi::start().await;
    let vm = fake.add_vm("vdi-dave", "Running");
    fake.add_snapshot(&vm, "clean", "20240101T08:00:00Z");
    let newest = fake.add_snapshot(&vm, "clean", "20240301T08:00:00Z");
    fake.add_snapshot(&vm, "before-update", "20240401T08:00:00Z");
    let step = json!({ "vm": "vdi-dave", "snapshot": "clean" });

    let ran = run(&app, "xen.revert", xen(&fake, step.clone())).await;
    assert_eq!(ran.ok().output["power_state"], "Halted");
    assert_eq!(ran.ok().output["snapshot"], "clean");
    assert_eq!(ran.ok().readback["parent_snapshot"], newest);
    assert_eq!(
        fake.calls("VM.hard_shutdown"),
        1,
        "a running VM is stopped first"
    );
    let newest_ref = fake.vm(&newest).unwrap().reference;
    assert_eq!(fake.vm(&vm).unwrap().parent, newest_ref);

    let again = run(&app, "xen.revert", xen(&fake, step)).await;
    assert_eq!(again.ok().output, ran.ok().output);
    assert_eq!(
        fake.calls("VM.hard_shutdown"),
        1,
        "a halted VM is not stopped again"
    );
}

#[tokio::test]
async fn xen_revert_names_the_snapshots_it_has() {
    let app = app().await;
    let fake = FakeXapi::start().await;
    let vm = fake.add_vm("vdi-erin", "Halted");
    fake.add_snapshot(&vm, "before-update", "20240401T08:00:00Z");

    let ran = run(
        &app,
        "xen.revert",
        xen(&fake, json!({ "vm": vm, "snapshot": "clean" })),
    )
    .await;
    let message = ran.fail();
    assert!(message.contains("no snapshot named clean"), "{message}");
    assert!(message.contains("before-update"), "{message}");
    assert_eq!(fake.calls("VM.revert"), 0);
}

#[tokio::test]
async fn xen_destroy_removes_the_vm_and_its_disks() {
    let app = app().await;
    let fake = FakeXapi::start().await;
    let keep = fake.add_vm("vdi-keep", "Running");
    let uuid = fake.add_vm("vdi-frank", "Running");
    fake.add_snapshot(&uuid, "clean", "20240101T08:00:00Z");
    let disks_before = fake.vdi_count();

    let ran = run(
        &app,
        "xen.destroy",
        xen(&fake, json!({ "vm": "vdi-frank" })),
    )
    .await;
    assert_eq!(ran.ok().output["changed"], true);
    assert_eq!(ran.ok().output["disks_destroyed"], 1);
    assert_eq!(ran.ok().readback["exists"], false);
    assert!(fake.vm(&uuid).is_none());
    assert_eq!(fake.vdi_count(), disks_before - 1);
    assert!(fake.vm(&keep).is_some());
    assert_eq!(fake.named("clean").len(), 1, "snapshots are kept");
    assert!(ran.journal.iter().any(|l| l.contains("kept 1 snapshot")));

    let again = run(
        &app,
        "xen.destroy",
        xen(&fake, json!({ "vm": "vdi-frank" })),
    )
    .await;
    assert_eq!(again.ok().output["changed"], false);
    assert_eq!(fake.calls("VM.destroy"), 1);
    assert_eq!(fake.open_sessions(), 0);
}

#[tokio::test]
async fn xen_steps_refuse_templates_and_ambiguous_names() {
    let app = app().await;
    let fake = FakeXapi::start().await;
    let template = fake.add_template("win11-gold");
    fake.add_vm("twin", "Halted");
    fake.add_vm("twin", "Halted");

    let ran = run(&app, "xen.destroy", xen(&fake, json!({ "vm": template }))).await;
    assert!(ran.fail().contains("is a template or a snapshot"));
    let ran = run(&app, "xen.start", xen(&fake, json!({ "vm": "twin" }))).await;
    assert!(ran.fail().contains("2 VMs are named twin"));
    assert_eq!(fake.changes(), 0);
}

#[tokio::test]
async fn xen_failures_map_to_retry_or_fail() {
    let app = app().await;
    let fake = FakeXapi::start().await;
    fake.add_vm("vdi-gina", "Halted");
    let target = format!("XenServer at {}", fake.url);

    let mut wrong = xen(&fake, json!({ "vm": "vdi-gina" }));
    wrong["password"] = json!("not-the-password");
    let ran = run(&app, "xen.start", wrong).await;
    let message = ran.fail();
    assert!(message.contains(&target), "{message}");
    assert!(
        message.contains("check the username and password"),
        "{message}"
    );
    assert!(!message.contains("not-the-password"), "{message}");

    fake.fail_next(1, 503);
    let ran = run(&app, "xen.start", xen(&fake, json!({ "vm": "vdi-gina" }))).await;
    let message = ran.retry();
    assert!(message.contains("HTTP 503"), "{message}");
    assert!(message.contains(&target), "{message}");

    let ran = run(&app, "xen.start", xen(&fake, json!({ "vm": "nobody" }))).await;
    assert!(ran.fail().contains("no VM named nobody"));

    let mut plain = xen(&fake, json!({ "vm": "vdi-gina" }));
    plain["url"] = json!("http://xen.example.com");
    let ran = run(&app, "xen.start", plain).await;
    assert!(ran.fail().contains("clear text"));
    assert_eq!(fake.named("vdi-gina")[0].power_state, "Halted");
}

#[tokio::test]
async fn xen_steps_respect_the_timeout() {
    let app = app().await;
    let fake = FakeXapi::start().await;
    fake.add_vm("vdi-slow", "Halted");
    fake.stall_next(Duration::from_secs(3));

    let ran = run_with_timeout(
        &app,
        "xen.start",
        xen(&fake, json!({ "vm": "vdi-slow" })),
        Duration::from_secs(1),
    )
    .await;
    let message = ran.retry();
    assert!(message.contains("did not answer within 1 s"), "{message}");
}

#[tokio::test]
async fn xen_secrets_stay_out_of_everything() {
    let app = app().await;
    let fake = FakeXapi::start().await;
    fake.add_template("win11-gold");
    let clone = run(
        &app,
        "xen.clone",
        xen(
            &fake,
            json!({ "template": "win11-gold", "name": "vdi-hal" }),
        ),
    )
    .await;
    clone.ok();
    let start = run(&app, "xen.start", xen(&fake, json!({ "vm": "vdi-hal" }))).await;
    start.ok();

    // XAPI names the session in SESSION_INVALID, which is worth a retry with a new one.
    fake.expire_session_on("VM.get_power_state");
    let expired = run(&app, "xen.shutdown", xen(&fake, json!({ "vm": "vdi-hal" }))).await;
    let message = expired.retry();
    assert!(message.contains("SESSION_INVALID"), "{message}");
    assert!(message.contains("(session)"), "{message}");

    let mut secrets = fake.issued_sessions();
    assert!(secrets.len() >= 3);
    secrets.push(xapi::PASSWORD.to_string());
    assert_nothing_leaks(&[&clone, &start, &expired], &secrets);
}

// vSphere

#[tokio::test]
async fn vsphere_clone_places_and_reuses() {
    let app = app().await;
    let fake = FakeVsphere::start().await;
    let source = fake.add_vm("win11-gold", "POWERED_OFF");
    let step = json!({ "template": "win11-gold", "name": "vdi-ivy", "folder": "group-v7" });

    let first = run(&app, "vsphere.clone", vc(&fake, step.clone())).await;
    let id = first.ok().output["vm"].as_str().unwrap().to_string();
    assert_ne!(id, source);
    assert_eq!(first.ok().output["changed"], true);
    assert_eq!(first.ok().readback["name"], "vdi-ivy");
    assert_eq!(first.ok().readback["power_state"], "POWERED_OFF");
    assert_eq!(fake.vm(&id).unwrap().folder, "group-v7");
    assert_eq!(fake.open_sessions(), 0);

    let second = run(&app, "vsphere.clone", vc(&fake, step)).await;
    assert_eq!(second.ok().output["vm"], id);
    assert_eq!(second.ok().output["changed"], false);
    assert_eq!(fake.calls("POST /api/vcenter/vm?action=clone"), 1);
    assert_eq!(fake.named("vdi-ivy").len(), 1);
}

#[tokio::test]
async fn vsphere_clone_explains_invisible_templates() {
    let app = app().await;
    let fake = FakeVsphere::start().await;
    fake.add_template("win11-gold");

    let ran = run(
        &app,
        "vsphere.clone",
        vc(
            &fake,
            json!({ "template": "win11-gold", "name": "vdi-jay" }),
        ),
    )
    .await;
    let message = ran.fail();
    assert!(message.contains("convert it to a VM"), "{message}");
    assert_eq!(fake.calls("POST /api/vcenter/vm?action=clone"), 0);
}

#[tokio::test]
async fn vsphere_power_steps_are_idempotent() {
    let app = app().await;
    let fake = FakeVsphere::start().await;
    let id = fake.add_vm("vdi-kim", "POWERED_OFF");

    let on = run(
        &app,
        "vsphere.power_on",
        vc(&fake, json!({ "vm": "vdi-kim" })),
    )
    .await;
    assert_eq!(on.ok().output["power_state"], "POWERED_ON");
    assert_eq!(on.ok().output["changed"], true);
    assert_eq!(on.ok().readback["vm"], id);
    assert_eq!(fake.vm(&id).unwrap().power_state, "POWERED_ON");

    let again = run(&app, "vsphere.power_on", vc(&fake, json!({ "vm": id }))).await;
    assert_eq!(again.ok().output["changed"], false);
    assert_eq!(
        fake.calls("POST /api/vcenter/vm/{vm}/power?action=start"),
        1
    );

    let off = run(
        &app,
        "vsphere.power_off",
        vc(&fake, json!({ "vm": "vdi-kim" })),
    )
    .await;
    assert_eq!(off.ok().output["power_state"], "POWERED_OFF");
    assert_eq!(off.ok().output["changed"], true);
    let again = run(
        &app,
        "vsphere.power_off",
        vc(&fake, json!({ "vm": "vdi-kim" })),
    )
    .await;
    assert_eq!(again.ok().output["changed"], false);
    assert_eq!(fake.calls("POST /api/vcenter/vm/{vm}/power?action=stop"), 1);
    assert_eq!(fake.open_sessions(), 0);
}

#[tokio::test]
async fn vsphere_delete_powers_off_first() {
    let app = app().await;
    let fake = FakeVsphere::start().await;
    let id = fake.add_vm("vdi-lee", "POWERED_ON");

    let ran = run(
        &app,
        "vsphere.delete",
        vc(&fake, json!({ "vm": "vdi-lee" })),
    )
    .await;
    assert_eq!(ran.ok().output["changed"], true);
    assert_eq!(ran.ok().readback["exists"], false);
    assert!(fake.vm(&id).is_none());
    assert_eq!(fake.calls("POST /api/vcenter/vm/{vm}/power?action=stop"), 1);

    let again = run(
        &app,
        "vsphere.delete",
        vc(&fake, json!({ "vm": "vdi-lee" })),
    )
    .await;
    assert_eq!(again.ok().output["changed"], false);
    assert_eq!(fake.calls("DELETE /api/vcenter/vm/{vm}"), 1);
}

#[tokio::test]
async fn vsphere_failures_map_to_retry_or_fail() {
    let app = app().await;
    let fake = FakeVsphere::start().await;
    fake.add_vm("vdi-max", "POWERED_OFF");
    fake.add_vm("twin", "POWERED_OFF");
    fake.add_vm("twin", "POWERED_OFF");
    let target = format!("vSphere at {}", fake.url);

    let mut wrong = vc(&fake, json!({ "vm": "vdi-max" }));
    wrong["password"] = json!("not-the-password");
    let ran = run(&app, "vsphere.power_on", wrong).await;
    let message = ran.fail();
    assert!(message.contains(&target), "{message}");
    assert!(
        message.contains("check the username and password"),
        "{message}"
    );

    fake.fail_next(1, 503);
    let ran = run(
        &app,
        "vsphere.power_on",
        vc(&fake, json!({ "vm": "vdi-max" })),
    )
    .await;
    assert!(ran.retry().contains("HTTP 503"));

    // The step fails inside its session, which is deleted all the same.
    let ran = run(&app, "vsphere.power_on", vc(&fake, json!({ "vm": "twin" }))).await;
    assert!(ran.fail().contains("2 VMs are named twin"));

    let ran = run(
        &app,
        "vsphere.delete",
        vc(&fake, json!({ "vm": "vm-999999" })),
    )
    .await;
    assert_eq!(ran.ok().output["changed"], false);
    assert_eq!(fake.changes(), 0);
    assert_eq!(fake.open_sessions(), 0);
}

#[tokio::test]
async fn vsphere_secrets_stay_out_of_everything() {
    let app = app().await;
    let fake = FakeVsphere::start().await;
    fake.add_vm("win11-gold", "POWERED_OFF");
    let clone = run(
        &app,
        "vsphere.clone",
        vc(
            &fake,
            json!({ "template": "win11-gold", "name": "vdi-ned" }),
        ),
    )
    .await;
    clone.ok();
    let on = run(
        &app,
        "vsphere.power_on",
        vc(&fake, json!({ "vm": "vdi-ned" })),
    )
    .await;
    on.ok();
    let missing = run(&app, "vsphere.power_on", vc(&fake, json!({ "vm": "vm-1" }))).await;
    missing.fail();

    let mut secrets = fake.issued_sessions();
    assert_eq!(secrets.len(), 3);
    secrets.push(vsphere::PASSWORD.to_string());
    assert_nothing_leaks(&[&clone, &on, &missing], &secrets);
}

// SCCM

#[tokio::test]
async fn sccm_register_imports_once() {
    let app = app().await;
    let fake = FakeSccm::start().await;
    let step = json!({ "name": "PC01", "mac": "00-15-5d-01-02-03" });

    let first = run(&app, "sccm.register", cm(&fake, step.clone())).await;
    let id = first.ok().output["resource_id"].as_u64().unwrap() as u32;
    assert_eq!(first.ok().output["changed"], true);
    assert_eq!(first.ok().readback["name"], "PC01");
    assert_eq!(
        first.ok().readback["mac_addresses"],
        json!(["00:15:5D:01:02:03"])
    );
    assert_eq!(
        fake.device(id).unwrap().mac_addresses,
        ["00:15:5D:01:02:03"]
    );

    let second = run(&app, "sccm.register", cm(&fake, step)).await;
    assert_eq!(second.ok().output["resource_id"], id);
    assert_eq!(second.ok().output["changed"], false);
    assert_eq!(fake.calls("POST ImportMachineEntry"), 1);
}

#[tokio::test]
async fn sccm_register_refuses_a_mac_of_another_device() {
    let app = app().await;
    let fake = FakeSccm::start().await;
    let other = fake.add_device("OTHER01", &["00:15:5D:0A:0B:0C"]);

    let ran = run(
        &app,
        "sccm.register",
        cm(&fake, json!({ "name": "PC02", "mac": "00:15:5d:0a:0b:0c" })),
    )
    .await;
    let message = ran.fail();
    assert!(
        message.contains("already belongs to the device OTHER01"),
        "{message}"
    );
    assert!(message.contains(&other.to_string()), "{message}");
    assert!(fake.named("PC02").is_empty());
}

#[tokio::test]
async fn sccm_names_with_quotes_are_escaped() {
    let app = app().await;
    let fake = FakeSccm::start().await;
    let id = fake.add_device("O'NEIL-PC", &["00:15:5D:00:00:01"]);
    let victim = fake.add_device("PC01", &["00:15:5D:00:00:02"]);

    let ran = run(
        &app,
        "sccm.register",
        cm(
            &fake,
            json!({ "name": "O'NEIL-PC", "mac": "00:15:5D:00:00:01" }),
        ),
    )
    .await;
    assert_eq!(ran.ok().output["resource_id"], id);
    assert_eq!(ran.ok().output["changed"], false);

    // Unescaped, this name would widen the filter to `Name eq 'a' or Name eq ''`.
    let ran = run(
        &app,
        "sccm.remove",
        cm(&fake, json!({ "name": "a' or Name eq '" })),
    )
    .await;
    assert_eq!(ran.ok().output["changed"], false);
    assert!(fake.device(victim).is_some());
    assert!(fake.device(id).is_some());
}

#[tokio::test]
async fn sccm_collection_rule_is_added_once() {
    let app = app().await;
    let fake = FakeSccm::start().await;
    fake.add_collection("PS100012", "VDI desktops");
    let id = fake.add_device("PC03", &["00:15:5D:00:00:03"]);
    let step = json!({ "collection_id": "PS100012", "resource_id": id.to_string() });

    let first = run(&app, "sccm.add_to_collection", cm(&fake, step.clone())).await;
    assert_eq!(first.ok().output["changed"], true);
    assert_eq!(first.ok().readback["direct_rule"], true);
    assert_eq!(first.ok().readback["member"], true);
    let collection = fake.collection("PS100012").unwrap();
    assert_eq!(collection.rules, [(id, "PC03".to_string())]);

    let second = run(&app, "sccm.add_to_collection", cm(&fake, step)).await;
    assert_eq!(second.ok().output["changed"], false);
    assert_eq!(fake.calls("POST AddMembershipRule"), 1);

    let missing = json!({ "collection_id": "PS199999", "resource_id": id.to_string() });
    let ran = run(&app, "sccm.add_to_collection", cm(&fake, missing)).await;
    assert!(ran.fail().contains("no collection PS199999"));
    let bad = json!({ "collection_id": "PS1'0012", "resource_id": id.to_string() });
    let ran = run(&app, "sccm.add_to_collection", cm(&fake, bad)).await;
    assert!(ran.fail().contains("is not a collection ID"));
}

#[tokio::test]
async fn sccm_remove_deletes_every_record_of_the_name() {
    let app = app().await;
    let fake = FakeSccm::start().await;
    fake.add_collection("PS100012", "VDI desktops");
    let discovered = fake.add_device("PC04", &[]);
    let imported = fake.add_device("PC04", &["00:15:5D:00:00:04"]);
    let step = json!({ "collection_id": "PS100012", "resource_id": imported.to_string() });
    run(&app, "sccm.add_to_collection", cm(&fake, step))
        .await
        .ok();

    let ran = run(&app, "sccm.remove", cm(&fake, json!({ "name": "PC04" }))).await;
    assert_eq!(ran.ok().output["changed"], true);
    assert_eq!(
        ran.ok().output["resource_ids"],
        json!([discovered, imported])
    );
    assert!(fake.named("PC04").is_empty());
    assert!(fake.collection("PS100012").unwrap().rules.is_empty());

    let again = run(&app, "sccm.remove", cm(&fake, json!({ "name": "PC04" }))).await;
    assert_eq!(again.ok().output["changed"], false);
    assert_eq!(fake.calls("DELETE SMS_R_System"), 2);
}

#[tokio::test]
async fn sccm_failures_map_to_retry_or_fail() {
    let app = app().await;
    let fake = FakeSccm::start().await;
    let target = format!("SCCM AdminService at {}", fake.url);
    let step = json!({ "name": "PC05", "mac": "00:15:5D:00:00:05" });

    let mut wrong = cm(&fake, step.clone());
    wrong["password"] = json!("not-the-password");
    let ran = run(&app, "sccm.register", wrong).await;
    let message = ran.fail();
    assert!(message.contains(&target), "{message}");
    assert!(
        message.contains("check the username and password"),
        "{message}"
    );

    fake.fail_next(1, 503);
    assert!(
        run(&app, "sccm.register", cm(&fake, step.clone()))
            .await
            .retry()
            .contains("HTTP 503")
    );
    fake.fail_next(1, 429);
    assert!(
        run(&app, "sccm.register", cm(&fake, step.clone()))
            .await
            .retry()
            .contains("HTTP 429")
    );

    let bad_mac = cm(&fake, json!({ "name": "PC05", "mac": "00:15:5D" }));
    assert!(
        run(&app, "sccm.register", bad_mac)
            .await
            .fail()
            .contains("is not a MAC address")
    );
    let long_name = cm(
        &fake,
        json!({ "name": "A-NAME-LONGER-THAN-15", "mac": "00:15:5D:00:00:05" }),
    );
    assert!(
        run(&app, "sccm.register", long_name)
            .await
            .fail()
            .contains("NetBIOS")
    );

    fake.require_windows_authentication();
    let message = run(&app, "sccm.register", cm(&fake, step)).await.fail();
    assert!(message.contains("Negotiate"), "{message}");
    assert!(message.contains("enable Basic authentication"), "{message}");
    assert_eq!(fake.changes(), 0);
}

#[tokio::test]
async fn sccm_password_stays_out_of_everything() {
    let app = app().await;
    let fake = FakeSccm::start().await;
    let registered = run(
        &app,
        "sccm.register",
        cm(&fake, json!({ "name": "PC06", "mac": "00:15:5D:00:00:06" })),
    )
    .await;
    registered.ok();
    fake.fail_next(1, 500);
    let failed = run(&app, "sccm.remove", cm(&fake, json!({ "name": "PC06" }))).await;
    failed.retry();
    assert_nothing_leaks(&[&registered, &failed], &[sccm::PASSWORD.to_string()]);
}

#[test]
fn fake_sccm_parses_filters_like_odata() {
    assert_eq!(
        parse_filter("Name eq 'O''Brien'"),
        Some(vec![("Name".into(), Literal::Text("O'Brien".into()))])
    );
    assert_eq!(
        parse_filter("CollectionID eq 'PS100012' and ResourceID eq 5"),
        Some(vec![
            ("CollectionID".into(), Literal::Text("PS100012".into())),
            ("ResourceID".into(), Literal::Number(5)),
        ])
    );
    assert_eq!(parse_filter("Name eq 'x' or Name eq 'y'"), None);
    assert_eq!(parse_filter("Name eq 'unclosed"), None);
}
