"""The lab's Resource Manager and Entra ID themselves: the documented errors the modules rely on,
long-running operations, preemption and faults (tests/lab/services/arm.py)."""
import base64
import json
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from types import SimpleNamespace

import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential

from lab_admin import admin
from tokens import LAB_TENANT_ID, LabTokenCredential

API = "api-version=2024-07-01"


def arm(lab, method, path, token="management", query=API):
    """The answer (status, headers, JSON body) to a raw request to the lab's Resource Manager."""
    headers = {}
    if token == "management":
        headers["Authorization"] = "Bearer " + LabTokenCredential().get_token("https://management.core.windows.net//.default").token
    elif token:
        headers["Authorization"] = "Bearer " + token
    url = "%s%s%s" % (lab["drkit_lab_azure"]["cloud_environment"], path, "?" + query if query else "")
    request = urllib.request.Request(url, method=method, headers=headers, data=b"" if method == "POST" else None)
    context = ssl.create_default_context(cafile=lab["drkit_lab_ca_bundle"])
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as answer:
            text = answer.read()
            return SimpleNamespace(status=answer.status, headers=answer.headers, body=json.loads(text) if text else None)
    except urllib.error.HTTPError as error:
        text = error.read()
        return SimpleNamespace(status=error.code, headers=error.headers, body=json.loads(text) if text else None)


def vm_path(lab, vm):
    return "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/virtualMachines/%s" % (
        lab["drkit_lab_azure"]["subscription_id"], vm["resource_group"], vm["name"])


def credential(lab, tenant=None, client_id=None, secret=None):
    azure = lab["drkit_lab_azure"]
    return ClientSecretCredential(tenant or azure["tenant"], client_id or azure["client_id"], secret or azure["secret"],
                                  authority=azure["cloud_environment"], disable_instance_discovery=True,
                                  connection_verify=lab["drkit_lab_ca_bundle"])


def test_the_service_principal_gets_tokens_for_the_scope_it_asks(lab):
    token = credential(lab).get_token("https://storage.azure.com/.default")
    claims = json.loads(base64.urlsafe_b64decode(token.token.split(".")[1] + "=="))
    assert claims["aud"] == "https://storage.azure.com"
    assert claims["iss"] == "https://sts.windows.net/%s/" % LAB_TENANT_ID
    assert token.expires_on > time.time() + 600


@pytest.mark.parametrize("wrong, aadsts", [({"secret": "not-the-secret"}, "AADSTS7000215"),
                                           ({"client_id": "00000000-0000-0000-0000-000000000001"}, "AADSTS700016")])
def test_entra_refuses_a_wrong_secret_or_application(lab, wrong, aadsts):
    with pytest.raises(ClientAuthenticationError) as refused:
        credential(lab, **wrong).get_token("https://management.core.windows.net//.default")
    assert aadsts in str(refused.value)


@pytest.mark.parametrize("token, code", [(None, "AuthenticationFailed"), ("not.a-token", "InvalidAuthenticationToken")])
def test_resource_manager_refuses_a_request_without_a_valid_token(lab, azure_vm, token, code):
    answer = arm(lab, "GET", vm_path(lab, azure_vm()), token=token)
    assert (answer.status, answer.body["error"]["code"]) == (401, code)


def test_resource_manager_refuses_a_token_for_another_audience(lab, azure_vm):
    storage_token = LabTokenCredential().get_token("https://storage.azure.com/.default").token
    answer = arm(lab, "GET", vm_path(lab, azure_vm()), token=storage_token)
    assert (answer.status, answer.body["error"]["code"]) == (401, "InvalidAuthenticationTokenAudience")
    assert "https://storage.azure.com" in answer.body["error"]["message"]


def test_an_api_version_is_required(lab, azure_vm):
    answer = arm(lab, "GET", vm_path(lab, azure_vm()), query=None)
    assert (answer.status, answer.body["error"]["code"]) == (400, "MissingApiVersionParameter")


def test_missing_resource_group_and_vm_have_arm_s_codes(lab, azure_vm):
    vm = azure_vm()
    answer = arm(lab, "GET", vm_path(lab, dict(vm, resource_group="rg-none")))
    assert (answer.status, answer.body["error"]["code"]) == (404, "ResourceGroupNotFound")
    answer = arm(lab, "GET", vm_path(lab, dict(vm, name="vm-none")))
    assert (answer.status, answer.body["error"]["code"]) == (404, "ResourceNotFound")
    expected = "The Resource 'Microsoft.Compute/virtualMachines/vm-none' under resource group '%s'" % vm["resource_group"]
    assert answer.body["error"]["message"].startswith(expected)


def test_a_power_operation_is_long_running_and_a_later_one_preempts_it(lab, azure_vm):
    vm = azure_vm()
    admin(lab, "PATCH", "/settings", {"operation_seconds": 30}, service="arm")
    try:
        accepted = arm(lab, "POST", vm_path(lab, vm) + "/powerOff")
        assert accepted.status == 202 and int(accepted.headers["Retry-After"]) >= 1
        status_url = urllib.parse.urlsplit(accepted.headers["Azure-AsyncOperation"])
        monitor_url = urllib.parse.urlsplit(accepted.headers["Location"])
        assert arm(lab, "GET", status_url.path, query=status_url.query).body["status"] == "InProgress"
        assert arm(lab, "GET", monitor_url.path, query=monitor_url.query).status == 202
        view = arm(lab, "GET", vm_path(lab, vm) + "/instanceView").body
        assert view["statuses"][1]["code"] == "PowerState/stopping"

        arm(lab, "POST", vm_path(lab, vm) + "/start")
        preempted = arm(lab, "GET", status_url.path, query=status_url.query).body
        assert preempted["status"] == "Canceled" and preempted["error"]["code"] == "OperationPreempted"
    finally:
        admin(lab, "PATCH", "/settings", {"operation_seconds": 1}, service="arm")


def test_asking_for_the_current_power_state_ends_at_once(lab, azure_vm):
    vm = azure_vm(power_state="stopped")
    accepted = arm(lab, "POST", vm_path(lab, vm) + "/powerOff")
    assert accepted.status == 202
    status_url = urllib.parse.urlsplit(accepted.headers["Azure-AsyncOperation"])
    assert arm(lab, "GET", status_url.path, query=status_url.query).body["status"] == "Succeeded"


def test_an_injected_fault_answers_before_the_request_has_any_effect(lab, azure_vm):
    vm = azure_vm()
    admin(lab, "POST", "/faults", {"operation": "vm_power_operation", "status": 503, "retry_after": 7, "count": 1}, service="arm")
    try:
        refused = arm(lab, "POST", vm_path(lab, vm) + "/powerOff")
    finally:
        admin(lab, "DELETE", "/faults", service="arm")
    assert (refused.status, refused.headers["Retry-After"], refused.body["error"]["code"]) == (503, "7", "ServiceUnavailable")
    assert arm(lab, "GET", vm_path(lab, vm) + "/instanceView").body["statuses"][1]["code"] == "PowerState/running"


def test_the_request_log_keeps_no_client_secret(lab):
    credential(lab).get_token("https://management.core.windows.net//.default")
    assert lab["drkit_lab_azure"]["secret"] not in json.dumps(admin(lab, "GET", "/requests", service="arm"))
