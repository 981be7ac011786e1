"""drkit.microsoft.azure_vm_backup_policy through azure-mgmt-recoveryservicesbackup against the lab's Resource Manager."""
import uuid

import pytest

from lab_admin import admin
from module_runner import run_module

DAILY = {"schedule": {"frequency": "daily", "times": ["23:30"]}, "time_zone": "W. Europe Standard Time",
         "retention": {"daily": {"count": 30}, "monthly": {"count": 12, "days_of_month": [1, "Last"]}}}


@pytest.fixture
def vault(lab):
    spec = {"resource_group": "rg-backup-%s" % uuid.uuid4().hex[:6], "name": "rsv-%s" % uuid.uuid4().hex[:8], "location": "westeurope"}
    admin(lab, "PUT", "/vaults", spec, service="arm")
    return spec


def policy_args(azure_args, vault, name="vm-daily", **options):
    values = dict(azure_args, name=name, vault_name=vault["name"], resource_group=vault["resource_group"], wait_timeout=60)
    values.update(DAILY)
    values.update(options)
    return values


def policy_writes(lab, vault):
    return [entry for entry in admin(lab, "GET", "/requests", service="arm")
            if entry["operation"] == "put_backup_policy" and vault["name"] in entry["path"]]


def stored(lab, vault, name):
    key = ("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.RecoveryServices/vaults/%s"
           % (lab["drkit_lab_azure"]["subscription_id"], vault["resource_group"], vault["name"])).lower()
    return admin(lab, "GET", "/state", service="arm")["vaults"][key]["policies"].get(name)


def test_a_policy_is_previewed_created_and_a_second_run_sends_nothing(lab, azure_args, azure_env, vault):
    preview = run_module("azure_vm_backup_policy", policy_args(azure_args, vault), check=True, diff=True, env=azure_env)
    assert not preview.failed, preview.result
    assert preview["changed"] is True and [a["action"] for a in preview["plan"]] == ["create_backup_policy"]
    assert preview["diff"]["after"]["schedulePolicy"]["scheduleRunTimes"] == ["23:30"]
    assert stored(lab, vault, "vm-daily") is None and policy_writes(lab, vault) == []

    created = run_module("azure_vm_backup_policy", policy_args(azure_args, vault), env=azure_env)
    assert not created.failed, created.result
    assert created["changed"] is True and created["policy"]["timeZone"] == "W. Europe Standard Time"
    assert stored(lab, vault, "vm-daily")["instantRpRetentionRangeInDays"] == 2
    assert len(policy_writes(lab, vault)) == 1

    again = run_module("azure_vm_backup_policy", policy_args(azure_args, vault), env=azure_env)
    assert (again["changed"], again["plan"]) == (False, []) and len(policy_writes(lab, vault)) == 1


def test_a_changed_schedule_time_is_an_update_with_its_diff(lab, azure_args, azure_env, vault):
    run_module("azure_vm_backup_policy", policy_args(azure_args, vault), env=azure_env)
    later = dict(DAILY["schedule"], times=["01:00"])
    updated = run_module("azure_vm_backup_policy", policy_args(azure_args, vault, schedule=later), diff=True, env=azure_env)
    assert updated["changed"] is True and updated["plan"][0]["action"] == "update_backup_policy"
    assert "schedulePolicy" in updated["plan"][0]["detail"]["fields"]
    assert (updated["diff"]["before"]["schedulePolicy"]["scheduleRunTimes"], updated["diff"]["after"]["schedulePolicy"]["scheduleRunTimes"]) \
        == (["23:30"], ["01:00"])
    assert stored(lab, vault, "vm-daily")["schedulePolicy"]["scheduleRunTimes"] == ["2026-01-01T01:00:00Z"]


def test_an_enhanced_hourly_policy_and_no_way_back_to_standard(lab, azure_args, azure_env, vault):
    hourly = {"frequency": "hourly", "interval": 4, "window_start": "08:00", "window_hours": 12}
    created = run_module("azure_vm_backup_policy", policy_args(azure_args, vault, name="vm-hourly", policy_type="enhanced", schedule=hourly,
                                                               instant_restore_days=14, retention={"daily": {"count": 14}}), env=azure_env)
    assert not created.failed, created.result
    assert created["policy"]["policyType"] == "V2" and created["policy"]["instantRpRetentionRangeInDays"] == 14
    refused = run_module("azure_vm_backup_policy", policy_args(azure_args, vault, name="vm-hourly"), env=azure_env)
    assert refused.failed and "policy_type" in refused["msg"] and "enhanced" in refused["msg"]
    assert len(policy_writes(lab, vault)) == 1


def test_bad_input_is_refused_before_any_call(lab, azure_args, azure_env, vault):
    admin(lab, "DELETE", "/requests", service="arm")
    refused = run_module("azure_vm_backup_policy", policy_args(azure_args, vault, retention={"daily": {"count": 6}}), env=azure_env)
    assert refused.failed and "retention.daily.count" in refused["msg"] and "7 to 9999" in refused["msg"]
    assert admin(lab, "GET", "/requests", service="arm") == []


def test_throttling_and_a_server_error_are_survived_and_the_secret_never_shows(lab, azure_args, azure_env, vault):
    admin(lab, "POST", "/faults", {"operation": "put_backup_policy", "status": 429, "retry_after": 1, "count": 1}, service="arm")
    admin(lab, "POST", "/faults", {"operation": "get_backup_policy", "status": 500, "count": 1}, service="arm")
    try:
        created = run_module("azure_vm_backup_policy", policy_args(azure_args, vault), env=azure_env)
    finally:
        admin(lab, "DELETE", "/faults", service="arm")
    assert not created.failed, created.result
    assert created["changed"] is True and stored(lab, vault, "vm-daily") is not None
    assert azure_args["secret"] not in created.output


def test_a_missing_vault_is_an_error_naming_it(azure_args, azure_env, vault):
    missing = run_module("azure_vm_backup_policy", policy_args(azure_args, dict(vault, name="rsv-nowhere")), env=azure_env)
    assert missing.failed and missing["error_code"] == "ResourceNotFound" and "rsv-nowhere" in missing["msg"]
