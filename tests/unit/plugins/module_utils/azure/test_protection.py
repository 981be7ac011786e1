"""Protection of Azure VMs: the checks and the plan for many VMs. Pure functions, no Azure."""
import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.azure import protection
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter

VAULT = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/rsv", "location": "westeurope"}
PARAMS = {"state": "protected", "vault_name": "rsv", "policy_name": "vm-daily", "disks": None, "max_concurrency": 4,
          "vms": [{"name": "app01", "resource_group": "rg-app"}]}


def entry(name="app01", location="West Europe", current=None, status=None, discovered=True):
    return {"vm": {"id": "/subscriptions/s/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/" + name, "name": name,
                   "location": location},
            "container": "c", "item": "i", "current": current, "status": status or {"protectionStatus": "NotProtected"},
            "discovered": discovered}


def protected(policy="vm-daily", state="Protected"):
    return {"properties": {"policyId": VAULT["id"] + "/backupPolicies/" + policy, "protectionState": state}}


def test_undiscovered_vms_are_discovered_once_then_protected_and_awaited():
    plan = protection.plan_protection(PARAMS, VAULT, {"protectedItemsCount": 0}, [entry(discovered=False), entry("app02", discovered=False)])
    assert [a.type.name for a in plan.actions] == ["discover_vms", "protect_vm", "protect_vm", "wait_for_protection"]


def test_a_vm_with_the_policy_is_left_alone_and_another_policy_is_a_change():
    assert protection.plan_protection(PARAMS, VAULT, {"protectedItemsCount": 1}, [entry(current=protected())]).actions == []
    changed = protection.plan_protection(PARAMS, VAULT, {"protectedItemsCount": 1}, [entry(current=protected("vm-weekly"))])
    assert [a.type.name for a in changed.actions] == ["change_protection", "wait_for_protection"]
    assert changed.actions[0].detail["was"]["policy"] == "vm-weekly"


@pytest.mark.parametrize("vm, policy, rule", [
    (entry(location="northeurope"), {"protectedItemsCount": 0}, "own region"),
    (entry(status={"protectionStatus": "Protected", "vaultId": "/x/vaults/other"}), {"protectedItemsCount": 0}, "one vault only"),
    (entry(), {"protectedItemsCount": 1000}, "limit of 1000"),
])
def test_what_the_procedure_forbids_is_refused(vm, policy, rule):
    with pytest.raises(InvalidParameter) as refused:
        protection.plan_protection(PARAMS, VAULT, policy, [vm])
    assert rule in str(refused.value)


def test_stopping_keeps_points_and_removing_deletes_them():
    stop = protection.plan_protection(dict(PARAMS, state="stopped"), VAULT, None, [entry(current=protected())])
    assert [(a.type.name, a.type.destructive) for a in stop.actions] == [("stop_protection", False), ("wait_for_protection", False)]
    gone = protection.plan_protection(dict(PARAMS, state="absent"), VAULT, None, [entry(current=protected())])
    assert [(a.type.name, a.type.destructive, a.type.reversible) for a in gone.actions] == [("delete_protection", True, False)]
    assert protection.plan_protection(dict(PARAMS, state="absent"), VAULT, None, [entry()]).actions == []


@pytest.mark.parametrize("change, parameter", [({"vms": []}, "vms"), ({"vms": [{"name": "a"}]}, "vms[0]"),
                                               ({"vms": [{"name": "a", "resource_group": "r"}, {"name": "A", "resource_group": "R"}]}, "vms[1]"),
                                               ({"policy_name": None}, "policy_name"), ({"max_concurrency": 51}, "max_concurrency"),
                                               ({"disks": {"include": [64]}}, "disks"), ({"disks": {}}, None)])
def test_requests_are_checked_before_any_call(change, parameter):
    params = dict(PARAMS, **change)
    if parameter is None:
        protection.validate_request(params)
        return
    with pytest.raises(InvalidParameter) as refused:
        protection.validate_request(params)
    assert refused.value.parameter == parameter


def test_disks_map_to_the_service_s_exclusion_list():
    assert protection.disk_exclusion({"include": [1, 0, 1]}) == {"diskLunList": [0, 1], "isInclusionList": True}
    assert protection.disk_exclusion({"exclude": [3]}) == {"diskLunList": [3], "isInclusionList": False}


def test_a_vm_s_own_disks_take_precedence():
    params = dict(PARAMS, disks={"exclude": [1]})
    plan = protection.plan_protection(params, VAULT, {"protectedItemsCount": 0}, [dict(entry(), disks={"include": [0]}), entry("app02")])
    assert [a.detail["disks"] for a in plan.actions if a.type.name == "protect_vm"] == [
        {"diskLunList": [0], "isInclusionList": True}, {"diskLunList": [1], "isInclusionList": False}]
    with pytest.raises(InvalidParameter) as refused:
        protection.validate_request(dict(PARAMS, vms=[{"name": "a", "resource_group": "r", "disks": {"include": [70]}}]))
    assert refused.value.parameter == "vms[0].disks"
