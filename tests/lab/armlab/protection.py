"""Azure Backup protection of Azure VMs: discovery (refreshContainers), protectable items, the backup status of a VM in
its region, and protected items (enable, stop with retained data, delete).

Names are Azure Backup's: container ``IaasVMContainer;iaasvmcontainerv2;{rg};{vm}``, protectable item
``VM;iaasvmcontainerv2;{rg};{vm}`` (resource group and VM name lower-cased). A vault sees a VM as protectable only after a
refreshContainers operation discovered it (VMs of the vault's region). Enabling protection is refused with 400
BMSUserErrorInvalidConfigureProtectionRequest when the VM is in another region, not yet discovered, or protected by
another vault; 404 BMSUserErrorPolicyNotFound for an unknown policy. Enabling, stopping and deleting answer 202 with
``Azure-AsyncOperation`` (``.../operationsStatus/{id}``) and ``Location`` (``.../operationResults/{id}``); they take
effect when the operation ends ``settings.operation_seconds`` later, and the policy's protectedItemsCount follows.
"""
import time
import uuid

from armlab import compute, errors, jobs, recovery_services

ITEM_TYPE = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems"


def names_of(vm_record):
    """(container name, protected item name) of a VM, as Azure Backup makes them."""
    suffix = "iaasvmcontainerv2;%s;%s" % (vm_record["resource_group"].lower(), vm_record["name"].lower())
    return "IaasVMContainer;" + suffix, "VM;" + suffix


def _invalid(message):
    return errors.ArmError(400, "BMSUserErrorInvalidConfigureProtectionRequest", message)


def begin_refresh(document, vault):
    now = time.time()
    operation = {"id": str(uuid.uuid4()), "kind": "refresh_containers", "vault": vault["id"].lower(), "start": now,
                 "end": now + float(document["settings"]["operation_seconds"]), "status": "InProgress"}
    document["operations"][operation["id"]] = operation
    return operation


def protectable_items(document, vault):
    """The discovered VMs the vault does not protect, as backupProtectableItems lists them."""
    settle(document)
    protected = set(item.get("source_id", "").lower() for item in vault["protected_items"].values())
    items = []
    for key in vault.get("discovered", []):
        vm = document["virtual_machines"].get(key)
        if vm is None or vm["id"].lower() in protected:
            continue
        _container, item = names_of(vm)
        items.append({"id": "%s/backupFabrics/Azure/protectionContainers/%s/protectableItems/%s" % (vault["id"], names_of(vm)[0], item),
                      "name": item, "type": "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectableItems",
                      "properties": {"protectableItemType": "Microsoft.Compute/virtualMachines", "backupManagementType": "AzureIaasVM",
                                     "friendlyName": vm["name"], "virtualMachineId": vm["id"], "protectionState": "NotProtected"}})
    return {"value": items}


def backup_status(document, subscription_id, location, body):
    """Whether a VM is protected, and by which vault (POST locations/{region}/backupStatus)."""
    settle(document)
    resource_id = ((body or {}).get("resourceId") or "").lower()
    for vault in document["vaults"].values():
        for name, item in vault["protected_items"].items():
            if item.get("source_id", "").lower() == resource_id and item.get("state") != "ProtectionStopped":
                return {"protectionStatus": "Protected", "vaultId": vault["id"], "fabricName": "Azure",
                        "containerName": item.get("container"), "protectedItemName": name, "policyName": item.get("policy")}
    return {"protectionStatus": "NotProtected"}


def find_item(vault, container, name):
    item = vault["protected_items"].get(name.lower())
    if item is None or (item.get("container") or "").lower() != container.lower():
        raise errors.ArmError(404, "BMSUserErrorItemNotFound", "Item '%s' not found in the vault." % name)
    return item


def protected_items_list(document, vault):
    """What backupProtectedItems lists."""
    return {"value": [item_resource(document, vault, name, item) for name, item in sorted(vault["protected_items"].items())]}


def _last_backup(document, vault, name):
    """(status, end time) of the item's newest finished backup job, or ("", None)."""
    now = time.time()
    finished = [job for job in document.get("jobs", {}).values() if job["vault"] == vault["id"].lower() and job["item"] == name.lower()
                and jobs.job_status(job, now) != "InProgress"]
    if not finished:
        return "", None
    newest = max(finished, key=lambda job: job["start"])
    return jobs.job_status(newest, now), jobs.job_end(newest)


def item_resource(document, vault, name, item):
    last_status, last_time = _last_backup(document, vault, name)
    properties = {"protectedItemType": "Microsoft.Compute/virtualMachines", "backupManagementType": "AzureIaasVM",
                  "workloadType": "VM", "sourceResourceId": item.get("source_id"), "virtualMachineId": item.get("source_id"),
                  "friendlyName": item.get("friendly_name"), "protectionState": item.get("state", "Protected"),
                  "protectionStatus": "Healthy", "lastBackupStatus": last_status, "policyId": item.get("policy_id") or ""}
    if last_time is not None:
        properties["lastBackupTime"] = compute.iso(last_time)
    if item.get("disk_exclusion"):
        properties["extendedProperties"] = {"diskExclusionProperties": item["disk_exclusion"]}
    return {"id": "%s/backupFabrics/Azure/protectionContainers/%s/protectedItems/%s" % (vault["id"], item.get("container"), name),
            "name": name, "type": ITEM_TYPE, "properties": properties}


def begin_put_item(document, subscription_id, vault, container, name, body):
    """Check an enable or stop-protection request and start its operation; returns the operation."""
    properties = (body or {}).get("properties") or {}
    source_id = properties.get("sourceResourceId") or ""
    vm = document["virtual_machines"].get(source_id.lower())
    if vm is None:
        raise _invalid("The virtual machine %s does not exist." % source_id)
    expected_container, expected_item = names_of(vm)
    if (container.lower(), name.lower()) != (expected_container.lower(), expected_item.lower()):
        raise _invalid("Container %s and item %s do not name the virtual machine %s." % (container, name, vm["name"]))
    stopping = properties.get("protectionState") == "ProtectionStopped"
    policy_name = None
    if not stopping:
        if vm["location"].replace(" ", "").lower() != vault["location"].replace(" ", "").lower():
            raise _invalid("The virtual machine is in %s and the vault in %s: a vault protects VMs of its own region."
                           % (vm["location"], vault["location"]))
        if vm["id"].lower() not in vault.get("discovered", []):
            raise _invalid("The virtual machine %s is not discovered by the vault yet: refresh the containers first." % vm["name"])
        status = backup_status(document, subscription_id, vm["location"], {"resourceId": vm["id"]})
        if status["protectionStatus"] == "Protected" and status["vaultId"].lower() != vault["id"].lower():
            raise _invalid("The virtual machine %s is already protected by vault %s." % (vm["name"], status["vaultId"]))
        policy_name = (properties.get("policyId") or "").rstrip("/").split("/")[-1]
        recovery_services.find_policy(vault, policy_name)
    now = time.time()
    operation = {"id": str(uuid.uuid4()), "kind": "put_item", "vault": vault["id"].lower(), "item": name.lower(), "start": now,
                 "end": now + float(document["settings"]["operation_seconds"]), "status": "InProgress",
                 "record": {"container": expected_container, "source_id": vm["id"], "friendly_name": vm["name"],
                            "state": "ProtectionStopped" if stopping else "Protected", "policy": policy_name,
                            "policy_id": None if stopping else properties.get("policyId"),
                            "disk_exclusion": (properties.get("extendedProperties") or {}).get("diskExclusionProperties")}}
    document["operations"][operation["id"]] = operation
    return operation


def begin_delete_item(document, vault, container, name):
    find_item(vault, container, name)
    now = time.time()
    operation = {"id": str(uuid.uuid4()), "kind": "delete_item", "vault": vault["id"].lower(), "item": name.lower(), "start": now,
                 "end": now + float(document["settings"]["operation_seconds"]), "status": "InProgress"}
    document["operations"][operation["id"]] = operation
    return operation


def settle(document, now=None):
    """Apply the discovery, enable, stop and delete operations whose time has come."""
    now = time.time() if now is None else now
    for operation in document["operations"].values():
        if operation.get("kind") not in ("refresh_containers", "put_item", "delete_item") or operation["status"] != "InProgress" \
                or operation["end"] > now:
            continue
        operation["status"] = "Succeeded"
        vault = document["vaults"].get(operation["vault"])
        if vault is None:
            continue
        if operation["kind"] == "refresh_containers":
            vault["discovered"] = sorted(key for key, vm in document["virtual_machines"].items()
                                         if vm["location"].replace(" ", "").lower() == vault["location"].replace(" ", "").lower())
        elif operation["kind"] == "put_item":
            vault["protected_items"][operation["item"]] = operation["record"]
        else:
            vault["protected_items"].pop(operation["item"], None)
        _count_policy_items(vault)


def _count_policy_items(vault):
    for policy_name, properties in vault["policies"].items():
        properties["protectedItemsCount"] = sum(1 for item in vault["protected_items"].values()
                                                if (item.get("policy") or "").lower() == policy_name.lower()
                                                and item.get("state") == "Protected")


def find_operation(document, operation_id, kinds):
    settle(document)
    operation = document["operations"].get(operation_id)
    if operation is None or operation.get("kind") not in kinds:
        raise errors.operation_not_found(operation_id)
    return operation
