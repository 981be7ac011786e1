"""drkit.microsoft.azure_vm_backup_protection through azure-mgmt-recoveryservicesbackup against the lab's Resource Manager."""
import uuid

from lab_admin import admin
from module_runner import run_module


def protect_args(azure_args, vault, vms, **options):
    values = dict(azure_args, vault_name=vault["name"], resource_group=vault["resource_group"], policy_name="vm-daily", wait_timeout=60,
                  vms=[{"name": vm["name"], "resource_group": vm["resource_group"]} for vm in vms])
    values.update(options)
    return values


def item_writes(lab, vault):
    return [e for e in admin(lab, "GET", "/requests", service="arm")
            if e["operation"] in ("put_protected_item", "delete_protected_item") and vault["name"] in e["path"]]


def lab_items(lab, vault):
    key = ("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.RecoveryServices/vaults/%s"
           % (lab["drkit_lab_azure"]["subscription_id"], vault["resource_group"], vault["name"])).lower()
    return admin(lab, "GET", "/state", service="arm")["vaults"][key]["protected_items"]


def test_many_vms_are_discovered_and_protected_once_and_a_second_run_writes_nothing(lab, azure_args, azure_env, azure_vm, backup_vault):
    vms = [azure_vm(), azure_vm(), azure_vm()]
    preview = run_module("azure_vm_backup_protection", protect_args(azure_args, backup_vault, vms), check=True, diff=True, env=azure_env)
    assert not preview.failed, preview.result
    assert [a["action"] for a in preview["plan"]] == ["discover_vms", "protect_vm", "protect_vm", "protect_vm", "wait_for_protection"]
    assert preview["diff"]["after"][vms[0]["name"]]["policy"] == "vm-daily" and item_writes(lab, backup_vault) == []

    done = run_module("azure_vm_backup_protection", protect_args(azure_args, backup_vault, vms, max_concurrency=2, disks={"exclude": [2]}),
                      env=azure_env)
    assert not done.failed, done.result
    assert sorted(done["protected_items"]) == sorted(vm["id"] for vm in vms)
    assert all(item["state"] == "Protected" and item["disk_exclusion"] == {"diskLunList": [2], "isInclusionList": False}
               for item in lab_items(lab, backup_vault).values())
    assert len(item_writes(lab, backup_vault)) == 3

    again = run_module("azure_vm_backup_protection", protect_args(azure_args, backup_vault, vms, disks={"exclude": [2]}), env=azure_env)
    assert (again["changed"], again["plan"]) == (False, []) and len(item_writes(lab, backup_vault)) == 3


def test_a_vm_of_another_region_or_of_another_vault_is_refused_before_any_write(lab, azure_args, azure_env, azure_vm, backup_vault):
    faraway = azure_vm(location="northeurope")
    refused = run_module("azure_vm_backup_protection", protect_args(azure_args, backup_vault, [faraway]), env=azure_env)
    assert refused.failed and "northeurope" in refused["msg"] and "own region" in refused["msg"]

    vm = azure_vm()
    run_module("azure_vm_backup_protection", protect_args(azure_args, backup_vault, [vm]), env=azure_env)
    other = {"resource_group": backup_vault["resource_group"], "name": "rsv-%s" % uuid.uuid4().hex[:8], "location": "westeurope"}
    admin(lab, "PUT", "/vaults", other, service="arm")
    run_module("azure_vm_backup_policy", dict(azure_args, name="vm-daily", vault_name=other["name"], resource_group=other["resource_group"],
                                              schedule={"frequency": "daily", "times": ["23:30"]}, retention={"daily": {"count": 30}},
                                              wait_timeout=60), env=azure_env)
    elsewhere = run_module("azure_vm_backup_protection", protect_args(azure_args, other, [vm]), env=azure_env)
    assert elsewhere.failed and "already protected by vault" in elsewhere["msg"] and item_writes(lab, other) == []


def test_protection_is_stopped_keeping_the_points_then_removed(lab, azure_args, azure_env, azure_vm, backup_vault):
    vm = azure_vm()
    run_module("azure_vm_backup_protection", protect_args(azure_args, backup_vault, [vm]), env=azure_env)
    stopped = run_module("azure_vm_backup_protection", protect_args(azure_args, backup_vault, [vm], state="stopped", policy_name=None), env=azure_env)
    assert not stopped.failed, stopped.result
    assert [a["action"] for a in stopped["plan"]] == ["stop_protection", "wait_for_protection"]
    assert [item["state"] for item in lab_items(lab, backup_vault).values()] == ["ProtectionStopped"]
    removed = run_module("azure_vm_backup_protection", protect_args(azure_args, backup_vault, [vm], state="absent", policy_name=None), env=azure_env)
    assert [a["action"] for a in removed["plan"]] == ["delete_protection"] and removed["plan"][0]["destructive"] is True
    assert any("are deleted" in notice for notice in removed["notices"])


def test_throttling_is_survived(lab, azure_args, azure_env, azure_vm, backup_vault):
    vm = azure_vm()
    admin(lab, "POST", "/faults", {"operation": "put_protected_item", "status": 429, "retry_after": 1, "count": 1}, service="arm")
    try:
        done = run_module("azure_vm_backup_protection", protect_args(azure_args, backup_vault, [vm]), env=azure_env)
    finally:
        admin(lab, "DELETE", "/faults", service="arm")
    assert not done.failed, done.result
    assert list(done["protected_items"]) == [vm["id"]] and azure_args["secret"] not in done.output


def test_bad_requests_are_refused_before_any_call(lab, azure_args, azure_env, backup_vault):
    admin(lab, "DELETE", "/requests", service="arm")
    for options, parameter in (({"vms": []}, "vms"), ({"policy_name": None}, "policy_name"), ({"max_concurrency": 0}, "max_concurrency"),
                               ({"disks": {"include": [1], "exclude": [2]}}, "disks")):
        values = dict(protect_args(azure_args, backup_vault, [{"name": "vm1", "resource_group": "rg1"}]), **options)
        refused = run_module("azure_vm_backup_protection", values, env=azure_env)
        assert refused.failed and parameter in refused["msg"]
    assert admin(lab, "GET", "/requests", service="arm") == []
