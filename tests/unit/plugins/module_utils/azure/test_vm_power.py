"""The power planner and the VM shape mapping: pure functions, no Azure."""
import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.azure.compute import power_state, vm_summary
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.vm_power import plan_power

VM_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/db01"


def vm_with(*codes):
    return {"id": VM_ID, "name": "db01", "location": "westeurope",
            "properties": {"storageProfile": {"osDisk": {"vhd": {"uri": "https://a/vhds/os.vhd"}}},
                           "instanceView": {"statuses": [{"code": code} for code in codes]}}}


@pytest.mark.parametrize("current, desired, action", [
    ("running", "stopped", "stop_vm"), ("running", "deallocated", "deallocate_vm"), ("stopped", "running", "start_vm"),
    ("deallocated", "running", "start_vm"), ("stopped", "deallocated", "deallocate_vm"), ("stopping", "stopped", "stop_vm"),
])
def test_one_action_reaches_the_desired_state(current, desired, action):
    plan = plan_power(VM_ID, "db01", current, desired)
    result = plan.result(diff=True)
    assert [(a["action"], a["target"], a["effect"], a["detail"]) for a in result["plan"]] == [
        (action, VM_ID, "restart", {"power_state_before": current, "power_state_after": desired})]
    assert result["changed"] is True
    assert result["diff"] == {"before": {"power_state": current}, "after": {"power_state": desired}}


@pytest.mark.parametrize("state", ["running", "stopped", "deallocated"])
def test_a_vm_already_there_needs_nothing(state):
    result = plan_power(VM_ID, "db01", state, state).result()
    assert (result["changed"], result["plan"], result["notices"]) == (False, [], [])


def test_stopping_and_deallocating_tell_what_the_operator_loses():
    assert "db01 is shut down" in plan_power(VM_ID, "db01", "running", "stopped").notices[0]
    deallocation = plan_power(VM_ID, "db01", "running", "deallocated").notices[0]
    assert "temporary disk is emptied" in deallocation and "public IP" in deallocation
    assert plan_power(VM_ID, "db01", "stopped", "running").notices == []


def test_the_power_state_comes_from_the_instance_view():
    assert power_state(vm_with("ProvisioningState/succeeded", "PowerState/deallocating")) == "deallocating"
    assert power_state(vm_with("ProvisioningState/updating")) is None
    assert power_state({"id": VM_ID}) is None


def test_the_summary_keeps_the_storage_profile_as_arm_shapes_it():
    summary = vm_summary(vm_with("PowerState/running"))
    assert summary == {"id": VM_ID, "name": "db01", "location": "westeurope", "power_state": "running",
                       "storage_profile": {"osDisk": {"vhd": {"uri": "https://a/vhds/os.vhd"}}}}
