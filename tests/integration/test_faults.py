"""Every module under the lab's injected faults: a run either completes on retry (the lab shows the fault met) or fails with
an error naming the operation; nothing is recorded as done that is not (a backup set's or key backup's manifest, a recovery
point's snapshots, a protection group, a recovery, a VM's power state); no secret given shows in the output; and where a run
failed, a run without the fault then completes.

    module                            fault (lab: operation)                                expected outcome
    --------------------------------  ----------------------------------------------------  ------------------------------------------------
    azure_recovery_services_vault     arm: put_vault 503 with Retry-After, every time       fails at put_vault, retried first; no vault
                                      arm: put_vault 429 Retry-After once, get_vault drop   completes; both faults fired once
    azure_vm_backup_policy            arm: put_backup_policy 503 with Retry-After, always   fails at put_backup_policy; no policy stored
                                      arm: the policy operation's status read dropped       completes (the read is retried)
    azure_vm_backup_protection        arm: put_protected_item 503 with Retry-After, always  fails at put_protected_item; nothing protected
                                      arm: put_protected_item dropped once                  completes (a PUT is retried): one item
    azure_vm_backup_now               arm: trigger_backup dropped (a POST)                  fails at trigger_backup, not resent; no job
                                      arm: a job longer than wait_timeout                   fails Timeout "goes on"; the job then completes
                                      arm: trigger_backup 429 with Retry-After once         completes; one job, not two
    azure_vm_backup_job_info          arm: get_backup_job dropped once                      completes (the read is retried)
                                      arm: get_backup_job answered 2 s late                 completes
                                      arm: get_backup_job 503 with Retry-After, always      fails at get_backup_job naming the job
    azure_vm_backup_protection_info   arm: backup_status 429 with Retry-After once          completes; the VM reported protected
                                      arm: get_vm 503 with Retry-After, always              fails at get_vm
    azure_vm_power                    arm: powerOff dropped (a POST)                        fails at powerOff_vm, not resent; VM running
                                      arm: the operation's status read dropped once         completes; VM stopped
    blob_snapshot_copy                storage proxy: a disk's snapshot 503 once             completes (retried); one complete point
                                      storage proxy: snapshots dropped, max_retries 0       fails at create_snapshot; no snapshot is left
                                      storage proxy: a disk's snapshot 429 Retry-After      fails at create_snapshot leaving no snapshot
                                                                                            (the Storage SDK retries no 429, as documented)
                                      storage proxy: Put Page From URL dropped mid-copy     fails at put_page_from_url; the copy is not
                                                                                            complete on the destination
                                      Azurite stopped mid-copy, then started again          fails (InternalError); not complete there; rerun
                                      (on a lab of its own: Azurite comes back with new     completes (test_blob_copy_outage.py checks the
                                      keys)                                                 copied bytes of the same outage)
    blob_snapshot_copy_info           storage proxy: list_blobs 503 once                    completes (retried)
                                      storage proxy: list_blobs answered 2 s late           completes
                                      storage proxy: list_blobs dropped, max_retries 0      fails at list_blobs
    sql_backup_set                    sqllab: connection dropped at 50 % of the first       fails at verify_backup; no manifest
                                      RESTORE VERIFYONLY (after the first backup)
                                      sqllab: every backup step slowed                      completes, slowly (no query timeout cuts it)
    rms_backup                        sqllab: connection dropped at 50 % of the RESTORE     fails at restore_database (not at the
                                                                                            MULTI_USER clean-up); the database holds what
                                                                                            it held; the rerun restores the set
    rms_backup_info                   sqllab: rms_backup's verification dropped, and a      lists no set, then the rerun's set only
                                      manifest's temporary file left by a cut write
    orchestrator_smk                  sqllab: the login refused                             fails at connect (18456); no key file, no
                                                                                            manifest
                                      the key file of a run cut before its manifest, left   fails at backup_service_master_key (15240);
                                      on the server                                         no manifest claims the file; a new id completes
    hyperv_protection_group           mabslab (WinRM): the read's Receive late beyond the   completes (the read is retried)
                                      read timeout
                                      mabslab: the apply's Command dropped                  fails at apply_protection_plan; no group
                                      mabslab: the apply's Receive dropped (after it ran)   fails at apply_protection_plan, sent once;
                                                                                            rerun finds the group done
    hyperv_vm_recovery                mabslab: the job poll's shell 503 once                completes (the read is retried)
                                      mabslab: start_recovery's Command dropped             fails at start_recovery; nothing recovered
                                      mabslab: a job longer than wait_timeout               fails at wait_for_recovery; not recovered; the
                                                                                            rerun waits for the same job, starts none

SQL Server faults are armed with EXEC drkit_lab.inject_fault and refuse_logins (sqllab/faults.py); the HTTP services' with
POST /__lab/faults (labframe/faults.py), whose "fired" count shows a fault was met.
"""
import os
import threading
import time
import uuid

import pytest
from azure.core.credentials import AzureNamedKeyCredential
from azure.storage.blob import BlobServiceClient

import labctl
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import quote_identifier
from lab_admin import admin
from lab_keys import encrypted_database
from labframe.inventory import load_vars
from labframe.state import LabState
from mabs_recovery import SQL01, protected_estate, recovery_args
from module_runner import run_module
from vm_disks import create_vm

# orchestrator_smk's key password: no output may hold it.
KEY_PASSWORD = "Fault-Key-%s!" % uuid.uuid4().hex[:10]


class LabFaults:
    """Faults armed in the lab's HTTP services (lab_admin's service names) during one test."""

    def __init__(self, lab):
        self.lab = lab
        self.services = set()

    def arm(self, service, **spec):
        """Arm the fault *spec* in *service*; the armed fault (with its id)."""
        self.services.add(service)
        return admin(self.lab, "POST", "/faults", spec, service=service)

    def fired(self, service, fault):
        """How many requests the armed *fault* has failed, dropped or delayed so far."""
        return next(f["fired"] for f in admin(self.lab, "GET", "/faults", service=service) if f["id"] == fault["id"])

    def clear(self):
        """Disarm every fault of the services armed so far."""
        for service in self.services:
            admin(self.lab, "DELETE", "/faults", service=service)


@pytest.fixture
def faults(lab):
    """A LabFaults; every service it armed a fault in is cleared after the test."""
    armed = LabFaults(lab)
    yield armed
    armed.clear()


@pytest.fixture
def arm_settings(lab):
    """Changes the lab Resource Manager's settings; its defaults (1 s operations, jobs that complete) are put back after the test."""
    def change(**settings):
        admin(lab, "PATCH", "/settings", settings, service="arm")
    yield change
    change(operation_seconds=1, job_outcome="completed")


def assert_failed_at(run, step, *words):
    """*run* failed at *step* and its message says each of *words*."""
    assert run.failed and run["step"] == step, run.result
    assert all(word in run["msg"] for word in words), run["msg"]


def assert_no_secret(run, *secrets):
    """None of *secrets* (passwords, keys given in the run's options) is in what the run printed."""
    assert all(secret not in run.output for secret in secrets)


# Azure Resource Manager (armlab) ---------------------------------------------------------------------------------------------

def arm_state(lab):
    """The lab Resource Manager's whole state: VMs, vaults (policies, protected items), jobs, settings."""
    return admin(lab, "GET", "/state", service="arm")


def vault_key(lab, resource_group, name):
    """The key of a vault in the lab's state: its resource id, lower-cased."""
    return ("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.RecoveryServices/vaults/%s"
            % (lab["drkit_lab_azure"]["subscription_id"], resource_group, name)).lower()


def lab_vault(lab, vault):
    """The lab's record of *vault* ({resource_group, name}), or None when there is no such vault."""
    return arm_state(lab)["vaults"].get(vault_key(lab, vault["resource_group"], vault["name"]))


@pytest.fixture
def bare_vault(lab):
    """A vault made through the lab, with no policy."""
    spec = {"resource_group": "rg-%s" % uuid.uuid4().hex[:6], "name": "rsv-%s" % uuid.uuid4().hex[:8], "location": "westeurope"}
    admin(lab, "PUT", "/vaults", spec, service="arm")
    return spec


def vm_jobs(lab, vm):
    """The lab's backup jobs of *vm*, oldest first."""
    return sorted((job for job in arm_state(lab)["jobs"].values() if job["vm"] == vm["name"]), key=lambda job: job["start"])


def vault_args(azure_args, protected, **options):
    """The options naming the vault of the VM *protected*."""
    return dict(azure_args, vault_name=protected["vault"]["name"], resource_group=protected["vault"]["resource_group"], **options)


def backup_args(azure_args, protected, **options):
    """azure_vm_backup_now's options backing up the VM *protected*."""
    return vault_args(azure_args, protected, vm={"name": protected["name"], "resource_group": protected["resource_group"]}, **options)


def test_azure_recovery_services_vault(lab, azure_args, azure_env, faults):
    vault = {"resource_group": "rg-%s" % uuid.uuid4().hex[:6], "name": "rsv-%s" % uuid.uuid4().hex[:8]}
    args = dict(azure_args, location="westeurope", wait_timeout=30, **vault)
    outage = faults.arm("arm", operation="put_vault", status=503, retry_after=1)
    failed = run_module("azure_recovery_services_vault", args, env=azure_env)
    assert_failed_at(failed, "put_vault", vault["name"], "ServiceUnavailable")
    assert faults.fired("arm", outage) > 1 and lab_vault(lab, vault) is None
    faults.clear()

    throttled = faults.arm("arm", operation="put_vault", status=429, retry_after=1, count=1)
    dropped = faults.arm("arm", operation="get_vault", mode="drop", count=1)
    created = run_module("azure_recovery_services_vault", args, env=azure_env)
    assert not created.failed and created["changed"], created.result
    assert (faults.fired("arm", throttled), faults.fired("arm", dropped)) == (1, 1)
    assert lab_vault(lab, vault)["redundancy"] == "GeoRedundant"
    assert_no_secret(failed, azure_args["secret"])
    assert_no_secret(created, azure_args["secret"])


def test_azure_vm_backup_policy(lab, azure_args, azure_env, faults, bare_vault):
    args = dict(azure_args, name="vm-daily", vault_name=bare_vault["name"], resource_group=bare_vault["resource_group"], wait_timeout=30,
                schedule={"frequency": "daily", "times": ["23:30"]}, retention={"daily": {"count": 30}})
    outage = faults.arm("arm", operation="put_backup_policy", status=503, retry_after=1)
    failed = run_module("azure_vm_backup_policy", args, env=azure_env)
    assert_failed_at(failed, "put_backup_policy", "vm-daily", "ServiceUnavailable")
    assert faults.fired("arm", outage) > 1 and lab_vault(lab, bare_vault)["policies"] == {}
    faults.clear()

    dropped = faults.arm("arm", operation="backup_policy_operation_status", mode="drop", count=1)
    created = run_module("azure_vm_backup_policy", args, env=azure_env)
    assert not created.failed and created["changed"], created.result
    assert faults.fired("arm", dropped) == 1 and list(lab_vault(lab, bare_vault)["policies"]) == ["vm-daily"]
    assert_no_secret(failed, azure_args["secret"])
    assert_no_secret(created, azure_args["secret"])


def test_azure_vm_backup_protection(lab, azure_args, azure_env, azure_vm, backup_vault, faults):
    vm = azure_vm()
    args = dict(azure_args, vault_name=backup_vault["name"], resource_group=backup_vault["resource_group"], policy_name="vm-daily",
                vms=[{"name": vm["name"], "resource_group": vm["resource_group"]}], wait_timeout=30)
    outage = faults.arm("arm", operation="put_protected_item", status=503, retry_after=1)
    failed = run_module("azure_vm_backup_protection", args, env=azure_env)
    assert_failed_at(failed, "put_protected_item", "ServiceUnavailable")
    assert faults.fired("arm", outage) > 1 and lab_vault(lab, backup_vault)["protected_items"] == {}
    faults.clear()

    dropped = faults.arm("arm", operation="put_protected_item", mode="drop", count=1)
    protected = run_module("azure_vm_backup_protection", args, env=azure_env)
    assert not protected.failed and list(protected["protected_items"]) == [vm["id"]], protected.result
    assert faults.fired("arm", dropped) == 1
    assert [item["state"] for item in lab_vault(lab, backup_vault)["protected_items"].values()] == ["Protected"]
    assert_no_secret(failed, azure_args["secret"])
    assert_no_secret(protected, azure_args["secret"])


def test_azure_vm_backup_now(lab, azure_args, azure_env, protected_vm, faults, arm_settings):
    args = backup_args(azure_args, protected_vm, wait=True, wait_timeout=30)
    # A POST is not sent twice: the service may have started the backup before the connection broke.
    dropped = faults.arm("arm", operation="trigger_backup", mode="drop", count=1)
    cut = run_module("azure_vm_backup_now", args, env=azure_env)
    assert_failed_at(cut, "trigger_backup", "ServiceResponseError")
    assert faults.fired("arm", dropped) == 1 and vm_jobs(lab, protected_vm) == [] and "job" not in cut.result

    arm_settings(operation_seconds=3)
    late = run_module("azure_vm_backup_now", dict(args, wait_timeout=1), env=azure_env)
    assert_failed_at(late, "backup_now", "did not end within 1 seconds", "goes on in Azure")
    [job] = vm_jobs(lab, protected_vm)
    info_args = vault_args(azure_args, protected_vm, job_id=job["id"])
    assert run_module("azure_vm_backup_job_info", info_args, env=azure_env)["job"]["outcome"] == "in progress"
    deadline = time.time() + 30
    while not run_module("azure_vm_backup_job_info", info_args, env=azure_env)["job"]["finished"]:
        assert time.time() < deadline, "the backup job never ended"
    assert run_module("azure_vm_backup_job_info", info_args, env=azure_env)["job"]["outcome"] == "completed"

    arm_settings(operation_seconds=1)
    throttled = faults.arm("arm", operation="trigger_backup", status=429, retry_after=1, count=1)
    done = run_module("azure_vm_backup_now", args, env=azure_env)
    assert not done.failed and done["job"]["outcome"] == "completed", done.result
    assert faults.fired("arm", throttled) == 1 and len(vm_jobs(lab, protected_vm)) == 2
    for run in (cut, late, done):
        assert_no_secret(run, azure_args["secret"])


def test_azure_vm_backup_job_info(lab, azure_args, azure_env, protected_vm, faults):
    started = run_module("azure_vm_backup_now", backup_args(azure_args, protected_vm), env=azure_env)
    assert not started.failed, started.result
    args = vault_args(azure_args, protected_vm, job_id=started["job_id"])
    dropped = faults.arm("arm", operation="get_backup_job", mode="drop", count=1)
    read = run_module("azure_vm_backup_job_info", args, env=azure_env)
    assert not read.failed and read["job"]["job_id"] == started["job_id"], read.result
    assert faults.fired("arm", dropped) == 1

    slow = faults.arm("arm", operation="get_backup_job", mode="delay", seconds=2, count=1)
    late = run_module("azure_vm_backup_job_info", args, env=azure_env)
    assert not late.failed and late["job"]["job_id"] == started["job_id"], late.result
    assert faults.fired("arm", slow) == 1

    outage = faults.arm("arm", operation="get_backup_job", status=503, retry_after=1)
    failed = run_module("azure_vm_backup_job_info", args, env=azure_env)
    assert_failed_at(failed, "get_backup_job", started["job_id"], "ServiceUnavailable")
    assert faults.fired("arm", outage) > 1 and "job" not in failed.result
    for run in (read, late, failed):
        assert_no_secret(run, azure_args["secret"])


def test_azure_vm_backup_protection_info(lab, azure_args, azure_env, protected_vm, faults):
    args = dict(azure_args, vms=[{"name": protected_vm["name"], "resource_group": protected_vm["resource_group"]}])
    throttled = faults.arm("arm", operation="backup_status", status=429, retry_after=1, count=1)
    read = run_module("azure_vm_backup_protection_info", args, env=azure_env)
    assert not read.failed, read.result
    assert [(vm["protected"], vm["vault"]) for vm in read["vms"]] == [(True, protected_vm["vault"]["name"])]
    assert faults.fired("arm", throttled) == 1

    outage = faults.arm("arm", operation="get_vm", status=503, retry_after=1)
    failed = run_module("azure_vm_backup_protection_info", args, env=azure_env)
    assert_failed_at(failed, "get_vm", protected_vm["name"], "ServiceUnavailable")
    assert faults.fired("arm", outage) > 1 and "vms" not in failed.result
    assert_no_secret(read, azure_args["secret"])
    assert_no_secret(failed, azure_args["secret"])


def test_azure_vm_power(lab, azure_args, azure_env, azure_vm, faults):
    vm = azure_vm()
    args = dict(azure_args, resource_group=vm["resource_group"], name=vm["name"], state="stopped", wait_timeout=30)
    # A POST is not sent twice: the service may have begun the power-off before the connection broke.
    dropped = faults.arm("arm", operation="vm_power_operation", mode="drop", count=1)
    cut = run_module("azure_vm_power", args, env=azure_env)
    assert_failed_at(cut, "powerOff_vm", "ServiceResponseError")
    assert faults.fired("arm", dropped) == 1 and arm_state(lab)["virtual_machines"][vm["id"].lower()]["power"] == "running"

    dropped_poll = faults.arm("arm", operation="compute_operation", mode="drop", count=1)
    stopped = run_module("azure_vm_power", args, env=azure_env)
    assert not stopped.failed and stopped["power_state"] == "stopped", stopped.result
    assert faults.fired("arm", dropped_poll) == 1 and arm_state(lab)["virtual_machines"][vm["id"].lower()]["power"] == "stopped"
    assert_no_secret(cut, azure_args["secret"])
    assert_no_secret(stopped, azure_args["secret"])


# Blob storage (the storage proxy in front of Azurite) ------------------------------------------------------------------------

def storage(lab, side="primary"):
    """The account's options through the storage proxy, where faults are injected."""
    details = lab["drkit_lab_storage"][side]
    return {"account_url": details["proxy_url"], "account_key": details["account_key"]}


def blob_service(lab, side="primary"):
    """A client of the account straight to Azurite, for what the tests set up and inspect."""
    details = lab["drkit_lab_storage"][side]
    return BlobServiceClient(details["account_url"], connection_verify=lab["drkit_lab_ca_bundle"],
                             credential=AzureNamedKeyCredential(details["account_name"], details["account_key"]))


def disk_args(lab, vm, **options):
    """The options of the blob modules for *vm*'s disks in the primary account, through the proxy."""
    return dict(storage(lab), ca_bundle=lab["drkit_lab_ca_bundle"], vm_name=vm["name"], disks=vm["disks"], **options)


def scribble(blob, size):
    """Eight scattered 2 KiB writes: eight page ranges, each copied with a Put Page From URL of its own."""
    for offset in range(0, size, size // 8):
        blob.upload_page(os.urandom(2048), offset=offset, length=2048)


def snapshots(service, vm):
    """The snapshots of the VM's disks, as (blob, snapshot time) pairs."""
    return sorted((blob.name, blob.snapshot) for blob in service.get_container_client(vm["container"]).list_blobs(include=["snapshots"])
                  if blob.snapshot)


def recovery_points(lab, vm, destination=None):
    """The VM's recovery points as blob_snapshot_copy_info lists them, with their copy status when *destination* is given."""
    options = {"destination": storage(lab, destination)} if destination else {}
    info = run_module("blob_snapshot_copy_info", disk_args(lab, vm, **options))
    assert not info.failed, info.result
    return [(point["id"], point["complete"], point.get("copy_status")) for point in info["recovery_points"]]


@pytest.fixture
def disks_vm(lab):
    """A VM of four small page blobs in the primary account."""
    return create_vm(blob_service(lab), {"os": 256 << 10, 0: 128 << 10, 1: 128 << 10, 2: 128 << 10}, scribble, prefix="fault")


@pytest.mark.parametrize("fault, options, completes", [
    ({"after": 1, "status": 503, "count": 1}, {}, True),
    ({"after": 1, "mode": "drop"}, {"max_retries": 0}, False),
    ({"after": 1, "status": 429, "retry_after": 1, "count": 1}, {}, False),
], ids=["503-once", "dropped-no-retries", "429-retry-after"])
def test_blob_snapshot_copy_snapshot(lab, disks_vm, faults, fault, options, completes):
    service = blob_service(lab)
    armed = faults.arm("storage_proxy", operation="snapshot_blob", **fault)
    run = run_module("blob_snapshot_copy", disk_args(lab, disks_vm, recovery_point_id="rp1", **options))
    assert faults.fired("storage_proxy", armed) >= 1
    assert_no_secret(run, lab["drkit_lab_storage"]["primary"]["account_key"])
    # The Storage SDK retries 408, 5xx and broken connections, not a 429 (Azure Storage throttles with 503), as the storage doc
    # fragment says: a 429 fails the run at once. Either way no partial point may remain.
    if completes:
        assert not run.failed and run["recovery_point"]["complete"], run.result
        assert recovery_points(lab, disks_vm) == [("rp1", True, None)] and len(snapshots(service, disks_vm)) == 4
        return
    assert_failed_at(run, "create_snapshot")
    assert run["error_details"]["removed_partial_snapshots"] >= 1 and "recovery_point" not in run.result
    assert snapshots(service, disks_vm) == [] and recovery_points(lab, disks_vm) == []
    faults.clear()
    rerun = run_module("blob_snapshot_copy", disk_args(lab, disks_vm, recovery_point_id="rp1"))
    assert rerun["changed"] and rerun["recovery_point"]["complete"], rerun.result


def test_blob_snapshot_copy_copy_cut_midway(lab, disks_vm, faults):
    taken = run_module("blob_snapshot_copy", disk_args(lab, disks_vm, recovery_point_id="rp1"))
    assert taken["recovery_point"]["complete"], taken.result
    args = disk_args(lab, disks_vm, state="copied", recovery_point_id="rp1", destination=storage(lab, "secondary"), max_concurrency=2)
    dropped = faults.arm("storage_proxy", operation="put_page_from_url", after=6, mode="drop")
    cut = run_module("blob_snapshot_copy", dict(args, max_retries=0))
    assert_failed_at(cut, "put_page_from_url")
    assert faults.fired("storage_proxy", dropped) >= 1 and "destination_recovery_point" not in cut.result
    assert recovery_points(lab, disks_vm, "secondary")[0][2] in ("none", "partial")
    faults.clear()

    rerun = run_module("blob_snapshot_copy", args)
    assert rerun["changed"] and rerun["destination_recovery_point"]["complete"], rerun.result
    assert recovery_points(lab, disks_vm, "secondary") == [("rp1", True, "complete")]
    for run in (cut, rerun):
        assert_no_secret(run, lab["drkit_lab_storage"]["primary"]["account_key"], lab["drkit_lab_storage"]["secondary"]["account_key"])


@pytest.fixture
def storage_lab(tmp_path):
    """A lab of Azurite and the storage proxy alone, whose Azurite a test may stop: it starts again with new keys, which would
    leave the session's lab stale."""
    state = str(tmp_path / "lab")
    labctl.start(state, ["storage_proxy"])
    try:
        yield state
    finally:
        labctl.stop(state)


def fill(blob, size):
    """Random data in 4 MiB pages: each is copied with a Put Page From URL of its own."""
    for offset in range(0, size, 4 << 20):
        blob.upload_page(os.urandom(4 << 20), offset=offset, length=4 << 20)


def test_blob_snapshot_copy_azurite_restarted_mid_copy(storage_lab):
    lab = load_vars(LabState(storage_lab).inventory_path)
    # Eight pages copied one at a time: the copy is under way when Azurite stops after the second.
    vm = create_vm(blob_service(lab), {"os": 16 << 20, 0: 16 << 20}, fill, prefix="outage")
    assert run_module("blob_snapshot_copy", disk_args(lab, vm, recovery_point_id="rp1"))["recovery_point"]["complete"]
    outcome = {}
    stopper = _stop_azurite_when_copying(lab, storage_lab, outcome)
    stopper.start()
    cut = run_module("blob_snapshot_copy", disk_args(lab, vm, state="copied", recovery_point_id="rp1", destination=storage(lab, "secondary"),
                                                     max_concurrency=1, max_retries=0))
    stopper.join(60)
    assert outcome.get("stopped") and cut.failed, "the copy ended before Azurite was stopped: %s" % cut.result
    # The proxy answers 500 InternalError for the Azurite it cannot reach.
    assert cut["error_code"] == "InternalError" and "[InternalError]" in cut["msg"], cut.result
    assert cut["step"] in ("put_page_from_url", "create_page_blob", "create_snapshot", "clear_pages"), cut.result
    assert_no_secret(cut, *(details["account_key"] for details in lab["drkit_lab_storage"].values() if isinstance(details, dict)))

    labctl.start(storage_lab, ["storage_proxy"])
    lab = load_vars(LabState(storage_lab).inventory_path)
    assert recovery_points(lab, vm, "secondary")[0][2] in ("none", "partial")
    rerun = run_module("blob_snapshot_copy", disk_args(lab, vm, state="copied", recovery_point_id="rp1", destination=storage(lab, "secondary")))
    assert rerun["changed"] and rerun["destination_recovery_point"]["complete"], rerun.result
    assert recovery_points(lab, vm, "secondary") == [("rp1", True, "complete")]


def _stop_azurite_when_copying(lab, state, outcome):
    """A thread that stops Azurite once the proxy has served two Put Page From URL; outcome["stopped"] tells it did."""
    def watch():
        deadline = time.time() + 60
        while admin(lab, "GET", "/counters")["requests"].get("put_page_from_url", 0) < 2:
            if time.time() > deadline:
                return
            time.sleep(0.02)
        labctl.stop(state, ["azurite"])
        outcome["stopped"] = True
    return threading.Thread(target=watch)


@pytest.mark.parametrize("fault, options, completes", [
    ({"status": 503, "count": 1}, {}, True),
    ({"mode": "delay", "seconds": 2, "count": 1}, {}, True),
    ({"mode": "drop"}, {"max_retries": 0}, False),
], ids=["503-once", "slow-answer", "dropped-no-retries"])
def test_blob_snapshot_copy_info(lab, disks_vm, faults, fault, options, completes):
    assert run_module("blob_snapshot_copy", disk_args(lab, disks_vm, recovery_point_id="rp1"))["recovery_point"]["complete"]
    armed = faults.arm("storage_proxy", operation="list_blobs", **fault)
    info = run_module("blob_snapshot_copy_info", disk_args(lab, disks_vm, **options))
    assert faults.fired("storage_proxy", armed) >= 1
    assert_no_secret(info, lab["drkit_lab_storage"]["primary"]["account_key"])
    if completes:
        assert not info.failed and [(p["id"], p["complete"]) for p in info["recovery_points"]] == [("rp1", True)], info.result
    else:
        assert_failed_at(info, "list_blobs")
        assert "recovery_points" not in info.result


# SQL Server (sqllab) ---------------------------------------------------------------------------------------------------------

def inject_sql_fault(sql_client, operation, at_percent, mode, seconds=None):
    """Arm a fault of the lab's SQL Server: at *at_percent* of the next backup, restore or verify, drop the connection or slow
    each later progress step by *seconds*."""
    if seconds is None:
        sql_client.execute("fault", "EXEC drkit_lab.inject_fault @operation = ?, @at_percent = ?, @mode = ?", (operation, at_percent, mode))
    else:
        sql_client.execute("fault", "EXEC drkit_lab.inject_fault @operation = ?, @at_percent = ?, @mode = ?, @seconds = ?",
                           (operation, at_percent, mode, seconds))


def new_databases(sql_client, *prefixes):
    """New databases, one per prefix, whose names hold a quote, a bracket, a semicolon and a comment."""
    names = ["%s_%s']; --" % (prefix, uuid.uuid4().hex[:8]) for prefix in prefixes]
    for name in names:
        sql_client.execute("create", "CREATE DATABASE %s" % quote_identifier(name, "database"))
    return names


def digest(sql_client, name):
    """SHA-256 of the database's pages."""
    return sql_client.execute("digest", "EXEC drkit_lab.database_digest @database = ?", (name,)).rows[0]["digest"]


def lab_file(lab_state_dir, windows_path):
    """Where the lab's SQL Server keeps the file it knows by *windows_path*."""
    return os.path.join(lab_state_dir, "sql_server", "volumes", *windows_path.replace(":", "").split("\\"))


def manifests(directory):
    """The manifests (sets and key backups) the directory holds: what makes a backup exist."""
    return sorted(name for name in os.listdir(directory) if name.endswith(".json") and not name.startswith(".")) if os.path.isdir(directory) else []


def test_sql_backup_set_verification_dropped(lab, sql_client, tmp_path):
    databases = new_databases(sql_client, "Set", "Extra")
    args = dict(lab["drkit_lab_sql"], databases=databases, backup_directory="C:\\Backups", manifest_directory=str(tmp_path),
                backup_set_id="set-%s" % uuid.uuid4().hex[:8])
    # The first backup is written whole; the connection breaks while it is being checked.
    inject_sql_fault(sql_client, "verify", 50, "drop")
    cut = run_module("sql_backup_set", args)
    assert_failed_at(cut, "verify_backup")
    assert manifests(tmp_path) == [] and "backup_set" not in cut.result

    taken = run_module("sql_backup_set", args)
    assert not taken.failed and taken["backup_set"]["complete"], taken.result
    assert all(database["verified"] for database in taken["backup_set"]["databases"])
    assert manifests(tmp_path) == ["%s.json" % args["backup_set_id"]]
    assert_no_secret(cut, lab["drkit_lab_sql"]["login_password"])


def test_sql_backup_set_slow_backups(lab, sql_client, tmp_path):
    databases = new_databases(sql_client, "Slow", "Slower")
    args = dict(lab["drkit_lab_sql"], databases=databases, backup_directory="C:\\Backups", manifest_directory=str(tmp_path),
                backup_set_id="set-%s" % uuid.uuid4().hex[:8])
    # Every progress step of every backup (ten per backup at STATS = 10, and its end) waits 0.1 s.
    inject_sql_fault(sql_client, "backup", 0, "slow", 0.1)
    started = time.time()
    taken = run_module("sql_backup_set", args)
    assert time.time() - started >= 2 * 11 * 0.1
    assert not taken.failed and taken["backup_set"]["complete"], taken.result
    assert manifests(tmp_path) == ["%s.json" % args["backup_set_id"]]


def rms_args(lab, config, manifest_directory, **options):
    """rms_backup's options for the configuration database *config*, sets kept in *manifest_directory*."""
    return dict(lab["drkit_lab_sql"], config_database=config, backup_directory="C:\\Backups", manifest_directory=str(manifest_directory),
                rms_version="10.0.14393.0", **options)


def test_rms_backup_restore_dropped(lab, sql_client, tmp_path):
    [config] = new_databases(sql_client, "DRMS_Config_fault")
    before = digest(sql_client, config)
    taken = run_module("rms_backup", rms_args(lab, config, tmp_path, backup_set_id="set-%s" % uuid.uuid4().hex[:8]))
    assert not taken.failed, taken.result
    sql_client.execute("write", "EXEC drkit_lab.write_pages @database = ?, @pages = ?", (config, 3))
    changed = digest(sql_client, config)

    inject_sql_fault(sql_client, "restore", 50, "drop")
    cut = run_module("rms_backup", rms_args(lab, config, tmp_path, state="restored"))
    # The restore's error, not that of putting the database back to MULTI_USER on the same broken connection.
    assert_failed_at(cut, "restore_database")
    assert "multi_user_not_set_back" in cut["error_details"] and digest(sql_client, config) == changed

    restored = run_module("rms_backup", rms_args(lab, config, tmp_path, state="restored"))
    assert not restored.failed and restored["changed"], restored.result
    assert digest(sql_client, config) == before
    access = sql_client.execute("access", "SELECT name, state_desc, recovery_model_desc, user_access_desc, create_date FROM sys.databases "
                                          "WHERE name = ?", (config,)).rows
    assert [row["user_access_desc"] for row in access] == ["MULTI_USER"]
    assert_no_secret(cut, lab["drkit_lab_sql"]["login_password"])


def test_rms_backup_info_after_a_cut_backup(lab, sql_client, tmp_path):
    [config] = new_databases(sql_client, "DRMS_Config_info")
    set_id = "set-%s" % uuid.uuid4().hex[:8]
    inject_sql_fault(sql_client, "verify", 50, "drop")
    assert_failed_at(run_module("rms_backup", rms_args(lab, config, tmp_path, backup_set_id=set_id)), "verify_backup")
    # What a manifest write cut before its rename leaves: a temporary file, never a set.
    (tmp_path / ".manifest-cut.partial").write_text('{"format": "drkit.microsoft.backup_set/1", "kind": "rms"')
    listed = run_module("rms_backup_info", {"manifest_directory": str(tmp_path)})
    assert not listed.failed and listed["backup_sets"] == [], listed.result

    assert not run_module("rms_backup", rms_args(lab, config, tmp_path, backup_set_id=set_id)).failed
    listed = run_module("rms_backup_info", {"manifest_directory": str(tmp_path)})
    assert [(s["backup_set_id"], [d["verified"] for d in s["databases"]]) for s in listed["backup_sets"]] == [(set_id, [True])]


def smk_args(lab, manifest_directory, **options):
    """orchestrator_smk's options, key files in the lab's C:\\Backups and manifests in *manifest_directory*."""
    values = dict(lab["drkit_lab_sql"], backup_directory="C:\\Backups", manifest_directory=str(manifest_directory), key_password=KEY_PASSWORD)
    values.update(options)
    return values


def test_orchestrator_smk_login_refused(lab, lab_state_dir, sql_client, tmp_path):
    backup_id = "smk-%s" % uuid.uuid4().hex[:8]
    sql_client.execute("refuse", "EXEC drkit_lab.refuse_logins @count = 1")
    refused = run_module("orchestrator_smk", smk_args(lab, tmp_path, backup_id=backup_id, force=True))
    assert refused.failed and (refused["step"], refused["error_code"]) == ("connect", 18456), refused.result
    assert manifests(tmp_path) == [] and not os.path.exists(lab_file(lab_state_dir, "C:\\Backups\\%s.smk" % backup_id))
    assert_no_secret(refused, KEY_PASSWORD, lab["drkit_lab_sql"]["login_password"])

    taken = run_module("orchestrator_smk", smk_args(lab, tmp_path, backup_id=backup_id, force=True))
    assert not taken.failed and taken["backup"]["complete"], taken.result
    assert manifests(tmp_path) == ["%s.json" % backup_id] and os.path.exists(lab_file(lab_state_dir, "C:\\Backups\\%s.smk" % backup_id))


def test_orchestrator_smk_key_file_left_by_a_cut_run(lab, lab_state_dir, sql_client, tmp_path):
    database = encrypted_database(sql_client)
    backup_id = "smk-%s" % uuid.uuid4().hex[:8]
    # A run cut after SQL Server wrote the key file and before its manifest: the file is there, no manifest claims it.
    assert not run_module("orchestrator_smk", smk_args(lab, tmp_path / "elsewhere", backup_id=backup_id, force=True)).failed
    refused = run_module("orchestrator_smk", smk_args(lab, tmp_path / "sets", backup_id=backup_id, force=True))
    assert refused.failed and (refused["step"], refused["error_code"]) == ("backup_service_master_key", 15240), refused.result
    assert backup_id in refused["msg"] and manifests(tmp_path / "sets") == [] and "backup" not in refused.result
    assert_no_secret(refused, KEY_PASSWORD, lab["drkit_lab_sql"]["login_password"])

    again = "smk-%s" % uuid.uuid4().hex[:8]
    taken = run_module("orchestrator_smk", smk_args(lab, tmp_path / "sets", backup_id=again, force=True))
    assert not taken.failed and taken["backup"]["backup_set_id"] == again, taken.result
    assert manifests(tmp_path / "sets") == ["%s.json" % again] and os.path.exists(lab_file(lab_state_dir, "C:\\Backups\\%s.smk" % again))
    compared = run_module("orchestrator_smk", smk_args(lab, tmp_path / "sets", state="compared", database=database, key_password=None))
    assert (compared["backup"]["backup_set_id"], compared["matches"], compared["data_opens"]) == (again, True, True)


# MABS over WinRM (mabslab) ---------------------------------------------------------------------------------------------------

SQL01_MEMBER = {"host": "HV01.contoso.com", "vm": "SQL01"}


def scripts_run(lab):
    """The collection's scripts the MABS servers ran, oldest first."""
    return [entry["script"] for entry in admin(lab, "GET", "/requests", service="mabs") if entry["operation"] == "script"]


def mabs_state(lab):
    """The lab's MABS estate: servers with their groups, VMs, jobs."""
    return admin(lab, "GET", "/estate", service="mabs")


def mabs_secrets(lab):
    """The passwords the MABS modules are given."""
    return lab["drkit_lab_mabs"]["hyperv_host_password"], lab["drkit_lab_mabs"]["servers"]["MABS01.contoso.com"]["winrm_password"]


@pytest.mark.parametrize("fault, options, outcome", [
    ({"operation": "receive", "mode": "delay", "seconds": 4, "count": 1}, {"winrm_operation_timeout_sec": 1, "winrm_read_timeout_sec": 2},
     "retried"),
    ({"operation": "command", "after": 1, "mode": "drop", "count": 1}, {}, "not_run"),
    ({"operation": "receive", "after": 1, "mode": "drop", "count": 1}, {}, "answer_lost"),
], ids=["read-late-beyond-read-timeout", "apply-command-dropped", "apply-answer-dropped"])
def test_hyperv_protection_group(lab, mabs_estate, mabs_args, faults, fault, options, outcome):
    mabs_estate()
    args = mabs_args(name="SQL servers", members=[SQL01_MEMBER], prerequisites={"churn_rate_percent_per_hour": 5, "backup_window_hours": 2},
                     **options)
    armed = faults.arm("mabs", **fault)
    run = run_module("hyperv_protection_group", args)
    assert faults.fired("mabs", armed) == 1
    assert_no_secret(run, *mabs_secrets(lab))
    groups = mabs_state(lab)["servers"]["mabs01.contoso.com"]["groups"]
    if outcome == "retried":
        assert not run.failed and run["changed"], run.result
        assert scripts_run(lab) == ["mabs/read_protection_state", "mabs/read_protection_state", "mabs/apply_protection_plan"]
        assert [group["name"] for group in groups.values()] == ["SQL servers"]
        return
    # A script that changes things is sent once, whatever became of it.
    assert_failed_at(run, "apply_protection_plan", "ConnectionError")
    assert scripts_run(lab) == ["mabs/read_protection_state"] + (["mabs/apply_protection_plan"] if outcome == "answer_lost" else [])
    assert len(groups) == (1 if outcome == "answer_lost" else 0)
    rerun = run_module("hyperv_protection_group", args)
    assert not rerun.failed and rerun["changed"] is (outcome == "not_run"), rerun.result
    assert [group["name"] for group in mabs_state(lab)["servers"]["mabs01.contoso.com"]["groups"].values()] == ["SQL servers"]


def recovery_jobs(lab):
    """The ids of the MABS server's recovery jobs."""
    return sorted(job_id for job_id, job in mabs_state(lab)["jobs"].items() if job["type"] == "Recovery")


def test_hyperv_vm_recovery_poll_refused_once(lab, mabs_estate, mabs_args, faults):
    mabs_estate(protected_estate(job_seconds=2))
    # Shells: the state read, the start, then the job's polls; the first poll's is refused.
    refused = faults.arm("mabs", operation="create_shell", after=2, status=503, count=1)
    done = run_module("hyperv_vm_recovery", recovery_args(mabs_args))
    assert not done.failed and done["job"]["status"] == "Succeeded", done.result
    assert faults.fired("mabs", refused) == 1 and len(recovery_jobs(lab)) == 1 and "restored_from" in mabs_state(lab)["vms"][SQL01]
    assert_no_secret(done, *mabs_secrets(lab))


def test_hyperv_vm_recovery_start_dropped(lab, mabs_estate, mabs_args, faults):
    mabs_estate(protected_estate())
    dropped = faults.arm("mabs", operation="command", after=1, mode="drop", count=1)
    cut = run_module("hyperv_vm_recovery", recovery_args(mabs_args))
    assert_failed_at(cut, "start_recovery", "ConnectionError")
    assert faults.fired("mabs", dropped) == 1 and recovery_jobs(lab) == [] and "restored_from" not in mabs_state(lab)["vms"][SQL01]
    assert_no_secret(cut, *mabs_secrets(lab))
    done = run_module("hyperv_vm_recovery", recovery_args(mabs_args))
    assert not done.failed and done["job"]["status"] == "Succeeded", done.result
    assert "restored_from" in mabs_state(lab)["vms"][SQL01]


def test_hyperv_vm_recovery_job_outlasts_wait_timeout(lab, mabs_estate, mabs_args):
    mabs_estate(protected_estate(job_seconds=6))
    late = run_module("hyperv_vm_recovery", recovery_args(mabs_args, wait_timeout=2))
    assert_failed_at(late, "wait_for_recovery", "still runs after 2 s")
    assert "restored_from" not in mabs_state(lab)["vms"][SQL01]
    [job_id] = recovery_jobs(lab)
    done = run_module("hyperv_vm_recovery", recovery_args(mabs_args))
    assert not done.failed and not done["changed"] and done["job"]["status"] == "Succeeded", done.result
    assert late["error_details"]["job"]["job_id"] == done["job"]["job_id"] == job_id and recovery_jobs(lab) == [job_id]
    assert "restored_from" in mabs_state(lab)["vms"][SQL01]
