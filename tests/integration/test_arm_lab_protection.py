"""The lab's Azure Backup protection of VMs through azure-mgmt-recoveryservicesbackup: discovery, backup status, enabling,
stopping and deleting protection, with Azure Backup's refusals."""
import time
import uuid

import pytest

from lab_admin import admin
from module_runner import run_module


@pytest.fixture
def backup_client(lab, azure_args, azure_env, monkeypatch):
    # pylint: disable=import-outside-toplevel
    from ansible_collections.drkit.microsoft.plugins.module_utils.azure import backup
    from ansible_collections.drkit.microsoft.plugins.module_utils.azure.auth import azure_credential, resolve_azure_auth
    for name, value in azure_env.items():
        monkeypatch.setenv(name, value)
    settings = resolve_azure_auth(dict(azure_args))
    return backup.backup_client(settings, azure_credential(settings))


def names(vm):
    suffix = "iaasvmcontainerv2;%s;%s" % (vm["resource_group"].lower(), vm["name"].lower())
    return "IaasVMContainer;" + suffix, "VM;" + suffix


def refresh(client, vault):
    headers = {}
    client.protection_containers.refresh(vault["name"], vault["resource_group"], "Azure",
                                         cls=lambda response, _d, _h: headers.update(response.http_response.headers))
    operation_id = headers["Location"].split("/operationResults/")[1].split("?")[0]
    for _attempt in range(50):
        result = {}
        client.protection_container_refresh_operation_results.get(vault["name"], vault["resource_group"], "Azure", operation_id,
                                                                  cls=lambda response, _d, _h: result.update(status=response.http_response.status_code))
        if result["status"] == 204:
            return
        time.sleep(0.2)
    raise AssertionError("the discovery did not end")


def protect(client, vault, vm):
    container, item = names(vm)
    body = {"properties": {"protectedItemType": "Microsoft.Compute/virtualMachines", "sourceResourceId": vm["id"],
                           "policyId": vault["policy_id"]}}
    return client.protected_items.begin_create_or_update(vault["name"], vault["resource_group"], "Azure", container, item, body,
                                                         polling_interval=0.2).result(timeout=30)


def status_of(client, vm):
    return client.backup_status.get("westeurope", {"resourceId": vm["id"], "resourceType": "VM"}).as_dict()


def test_a_vm_is_discovered_protected_stopped_and_deleted(lab, backup_client, backup_vault, azure_vm):
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError  # pylint: disable=import-outside-toplevel
    vault, vm = backup_vault, azure_vm()
    listed = [item.name for item in backup_client.backup_protectable_items.list(vault["name"], vault["resource_group"])]
    assert names(vm)[1] not in listed
    with pytest.raises(HttpResponseError) as undiscovered:
        protect(backup_client, vault, vm)
    assert "BMSUserErrorInvalidConfigureProtectionRequest" in str(undiscovered.value) and "refresh the containers" in str(undiscovered.value)

    refresh(backup_client, vault)
    listed = [item.name for item in backup_client.backup_protectable_items.list(vault["name"], vault["resource_group"])]
    assert names(vm)[1] in listed and status_of(backup_client, vm)["protectionStatus"] == "NotProtected"
    protected = protect(backup_client, vault, vm).as_dict()
    assert protected["properties"]["protectionState"] == "Protected" and protected["properties"]["policyId"] == vault["policy_id"]
    status = status_of(backup_client, vm)
    assert status["protectionStatus"] == "Protected" and status["vaultId"].endswith(vault["name"])
    policy = backup_client.protection_policies.get(vault["name"], vault["resource_group"], "vm-daily").as_dict()
    assert policy["properties"]["protectedItemsCount"] == 1

    container, item = names(vm)
    stop = {"properties": {"protectedItemType": "Microsoft.Compute/virtualMachines", "sourceResourceId": vm["id"],
                           "protectionState": "ProtectionStopped"}}
    stopped = backup_client.protected_items.begin_create_or_update(vault["name"], vault["resource_group"], "Azure", container, item, stop,
                                                                   polling_interval=0.2).result(timeout=30).as_dict()
    assert stopped["properties"]["protectionState"] == "ProtectionStopped"
    assert status_of(backup_client, vm)["protectionStatus"] == "NotProtected"

    backup_client.protected_items.delete(vault["name"], vault["resource_group"], "Azure", container, item)
    time.sleep(1.2)
    with pytest.raises(ResourceNotFoundError):
        backup_client.protected_items.get(vault["name"], vault["resource_group"], "Azure", container, item)


def test_another_vault_and_another_region_are_refused(lab, backup_client, backup_vault, azure_vm, azure_args, azure_env):
    from azure.core.exceptions import HttpResponseError  # pylint: disable=import-outside-toplevel
    vm, faraway = azure_vm(), azure_vm(location="northeurope")
    refresh(backup_client, backup_vault)
    protect(backup_client, backup_vault, vm)
    other = {"resource_group": backup_vault["resource_group"], "name": "rsv-%s" % uuid.uuid4().hex[:8], "location": "westeurope"}
    admin(lab, "PUT", "/vaults", other, service="arm")
    run_module("azure_vm_backup_policy", dict(azure_args, name="vm-daily", vault_name=other["name"], resource_group=other["resource_group"],
                                              schedule={"frequency": "daily", "times": ["23:30"]}, retention={"daily": {"count": 30}},
                                              wait_timeout=60), env=azure_env)
    refresh(backup_client, other)
    other["policy_id"] = backup_vault["policy_id"].replace(backup_vault["name"], other["name"])
    with pytest.raises(HttpResponseError) as elsewhere:
        protect(backup_client, other, vm)
    assert "already protected by vault" in str(elsewhere.value)
    with pytest.raises(HttpResponseError) as region:
        protect(backup_client, backup_vault, faraway)
    assert "a vault protects VMs of its own region" in str(region.value)
