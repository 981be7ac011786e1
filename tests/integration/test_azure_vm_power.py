"""drkit.microsoft.azure_vm_power against the lab's Resource Manager, logging in through the lab's Entra ID."""
import pytest

from lab_admin import admin
from module_runner import run_module


def power_args(azure_args, vm, state, **extra):
    return dict(azure_args, resource_group=vm["resource_group"], name=vm["name"], state=state, **extra)


def lab_vm(lab, vm):
    return admin(lab, "GET", "/state", service="arm")["virtual_machines"][vm["id"].lower()]


def power_requests(lab, vm):
    return [entry for entry in admin(lab, "GET", "/requests", service="arm")
            if entry["operation"] == "vm_power_operation" and vm["name"] in entry["path"]]


def test_stops_a_vm_and_starts_it_again_and_a_second_run_changes_nothing(lab, azure_args, azure_env, azure_vm):
    vm = azure_vm()
    stopped = run_module("azure_vm_power", power_args(azure_args, vm, "stopped"), env=azure_env)
    assert not stopped.failed, stopped.result
    assert stopped["changed"] is True
    assert (stopped["previous_power_state"], stopped["power_state"]) == ("running", "stopped")
    assert [(a["action"], a["target"], a["effect"]) for a in stopped["plan"]] == [("stop_vm", vm["id"], "restart")]
    assert "unavailable until it is started again" in stopped["notices"][0]
    assert stopped["vm"]["storage_profile"] == vm["storage_profile"]
    assert lab_vm(lab, vm)["power"] == "stopped"
    # The guest OS is shut down first: powerOff is sent with skipShutdown=false.
    assert [entry["query"].get("skipShutdown") for entry in power_requests(lab, vm)] == ["false"]

    again = run_module("azure_vm_power", power_args(azure_args, vm, "stopped"), env=azure_env)
    assert (again["changed"], again["plan"], again["power_state"]) == (False, [], "stopped")
    assert len(power_requests(lab, vm)) == 1

    started = run_module("azure_vm_power", power_args(azure_args, vm, "running"), env=azure_env)
    assert (started["changed"], started["previous_power_state"], started["power_state"]) == (True, "stopped", "running")
    assert lab_vm(lab, vm)["power"] == "running"


def test_check_mode_changes_nothing_and_sends_no_operation(lab, azure_args, azure_env, azure_vm):
    vm = azure_vm()
    before = admin(lab, "GET", "/state", service="arm")
    preview = run_module("azure_vm_power", power_args(azure_args, vm, "deallocated"), check=True, diff=True, env=azure_env)
    assert preview["changed"] is True
    assert [a["action"] for a in preview["plan"]] == ["deallocate_vm"]
    assert preview["diff"] == {"before": {"power_state": "running"}, "after": {"power_state": "deallocated"}}
    assert "temporary disk is emptied" in preview["notices"][0]
    assert preview["power_state"] == "running"
    assert admin(lab, "GET", "/state", service="arm") == before
    assert power_requests(lab, vm) == []


def test_throttling_is_retried_after_the_delay_the_service_asks(lab, azure_args, azure_env, azure_vm):
    vm = azure_vm()
    admin(lab, "POST", "/faults", {"operation": "vm_power_operation", "status": 429, "retry_after": 1, "count": 2}, service="arm")
    try:
        stopped = run_module("azure_vm_power", power_args(azure_args, vm, "stopped"), env=azure_env)
    finally:
        admin(lab, "DELETE", "/faults", service="arm")
    assert not stopped.failed, stopped.result
    assert stopped["power_state"] == "stopped"
    assert len(power_requests(lab, vm)) == 3


def test_a_conflict_is_not_retried(lab, azure_args, azure_env, azure_vm):
    vm = azure_vm()
    admin(lab, "POST", "/faults", {"operation": "vm_power_operation", "status": 409, "code": "OperationNotAllowed",
                                   "message": "Operation 'powerOff' is not allowed."}, service="arm")
    try:
        refused = run_module("azure_vm_power", power_args(azure_args, vm, "stopped"), env=azure_env)
    finally:
        admin(lab, "DELETE", "/faults", service="arm")
    assert refused.failed
    assert (refused["step"], refused["error_code"]) == ("powerOff_vm", "OperationNotAllowed")
    assert len(power_requests(lab, vm)) == 1
    assert lab_vm(lab, vm)["power"] == "running"


def test_without_wait_it_returns_while_the_vm_is_stopping(lab, azure_args, azure_env, azure_vm):
    vm = azure_vm()
    admin(lab, "PATCH", "/settings", {"operation_seconds": 30}, service="arm")
    try:
        stopping = run_module("azure_vm_power", power_args(azure_args, vm, "stopped", wait=False), env=azure_env)
    finally:
        admin(lab, "PATCH", "/settings", {"operation_seconds": 1}, service="arm")
    assert stopping["changed"] is True
    assert stopping["power_state"] == "stopping"


def test_an_operation_outlasting_wait_timeout_fails_and_says_it_goes_on(lab, azure_args, azure_env, azure_vm):
    vm = azure_vm()
    admin(lab, "PATCH", "/settings", {"operation_seconds": 30}, service="arm")
    try:
        late = run_module("azure_vm_power", power_args(azure_args, vm, "stopped", wait_timeout=2), env=azure_env)
    finally:
        admin(lab, "PATCH", "/settings", {"operation_seconds": 1}, service="arm")
    assert late.failed
    assert (late["step"], late["error_code"]) == ("stop_vm", "Timeout")
    assert "goes on in Azure" in late["msg"]
    assert lab_vm(lab, vm)["power"] == "stopping"


def test_a_missing_vm_fails_naming_the_step_and_arm_code(lab, azure_args, azure_env, azure_vm):
    vm = dict(azure_vm(), name="no-such-vm")
    missing = run_module("azure_vm_power", power_args(azure_args, vm, "stopped"), env=azure_env)
    assert missing.failed
    assert (missing["step"], missing["error_code"]) == ("get_vm", "ResourceNotFound")
    assert "no-such-vm" in missing["msg"]
    assert azure_args["secret"] not in missing.output


def test_a_wrong_client_secret_fails_with_entra_s_error_and_never_shows_a_secret(lab, azure_args, azure_env, azure_vm):
    vm = azure_vm()
    wrong = "Wr0ng-" + azure_args["secret"][::-1]
    refused = run_module("azure_vm_power", power_args(dict(azure_args, secret=wrong), vm, "stopped"), env=azure_env)
    assert refused.failed
    assert refused["step"] == "get_vm" and "AADSTS7000215" in refused["msg"]
    assert wrong not in refused.output and azure_args["secret"] not in refused.output
    assert lab_vm(lab, vm)["power"] == "running"


@pytest.mark.parametrize("wait_timeout", [0, -5])
def test_a_bad_wait_timeout_is_refused_before_any_request(lab, azure_args, azure_env, azure_vm, wait_timeout):
    vm = azure_vm()
    admin(lab, "DELETE", "/requests", service="arm")
    refused = run_module("azure_vm_power", power_args(azure_args, vm, "stopped", wait_timeout=wait_timeout), env=azure_env)
    assert refused.failed
    assert refused["step"] == "validate_parameters" and "wait_timeout" in refused["msg"]
    assert admin(lab, "GET", "/requests", service="arm") == []
