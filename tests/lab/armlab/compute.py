"""Microsoft.Compute virtual machines: read one (with its instance view), power it off, deallocate
it, start it; the long-running operations these start and their status.

A power operation answers 202 with ``Azure-AsyncOperation`` (the operation's status) and
``Location`` (its result, 202 until done, then 200), both under
``/subscriptions/{sub}/providers/Microsoft.Compute/locations/{location}/operations/{id}``,
and ``Retry-After``. The VM shows the transitional power state (stopping, deallocating,
starting) until the operation ends ``settings.operation_seconds`` later. An operation asked
for while another runs on the same VM preempts it: the earlier one ends Canceled with
OperationPreempted, as Azure documents.
"""
import datetime
import math
import time
import uuid

from armlab import errors

VM_TYPE = "Microsoft.Compute/virtualMachines"
# operation name in the URL -> (power state while it runs, power state it ends in)
POWER_OPERATIONS = {"powerOff": ("stopping", "stopped"), "deallocate": ("deallocating", "deallocated"), "start": ("starting", "running")}
DISPLAY = {"running": "VM running", "stopping": "VM stopping", "stopped": "VM stopped", "deallocating": "VM deallocating",
           "deallocated": "VM deallocated", "starting": "VM starting"}


def vm_key(subscription_id, resource_group, name):
    # ARM resource ids are case-insensitive.
    return ("/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (subscription_id, resource_group, VM_TYPE, name)).lower()


def put_vm(document, subscription_id, spec):
    """Create or replace a VM from the admin endpoint's *spec*; returns its record."""
    for field in ("resource_group", "name", "location", "storage_profile"):
        if not spec.get(field):
            raise ValueError("a VM needs %s" % field)
    power = spec.get("power_state", "running")
    if power not in ("running", "stopped", "deallocated"):
        raise ValueError("power_state must be running, stopped or deallocated")
    record = {"id": "/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (subscription_id, spec["resource_group"], VM_TYPE, spec["name"]),
              "name": spec["name"], "resource_group": spec["resource_group"], "location": spec["location"],
              "vm_size": spec.get("vm_size", "Standard_D2s_v3"), "vm_id": spec.get("vm_id") or str(uuid.uuid4()),
              "storage_profile": spec["storage_profile"], "power": power, "pending": None}
    document["virtual_machines"][vm_key(subscription_id, spec["resource_group"], spec["name"])] = record
    return record


def find_vm(document, subscription_id, resource_group, name):
    settle(document)
    record = document["virtual_machines"].get(vm_key(subscription_id, resource_group, name))
    if record is None:
        if not any(vm["resource_group"].lower() == resource_group.lower() for vm in document["virtual_machines"].values()):
            raise errors.resource_group_not_found(resource_group)
        raise errors.resource_not_found(VM_TYPE, name, resource_group)
    return record


def vm_resource(record, expand_instance_view):
    properties = {"vmId": record["vm_id"], "hardwareProfile": {"vmSize": record["vm_size"]},
                  "storageProfile": record["storage_profile"], "provisioningState": "Succeeded"}
    if expand_instance_view:
        properties["instanceView"] = instance_view(record)
    return {"name": record["name"], "id": record["id"], "type": VM_TYPE, "location": record["location"], "properties": properties}


def instance_view(record):
    return {"statuses": [{"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded"},
                         {"code": "PowerState/" + record["power"], "level": "Info", "displayStatus": DISPLAY[record["power"]]}]}


def begin_power_operation(document, record, verb):
    """Start the power operation named *verb* in the URL (any case) on the VM; returns the operation's record."""
    operation_name = next(name for name in POWER_OPERATIONS if name.lower() == verb.lower())
    running, final = POWER_OPERATIONS[operation_name]
    now = time.time()
    if record["pending"]:
        preempted = document["operations"][record["pending"]]
        preempted.update(status="Canceled", end=now,
                         error={"code": "OperationPreempted", "message": "Operation execution has been preempted by a more recent operation."})
    # Asking for the state the VM is already in is accepted and ends at once, as on Azure.
    duration = 0.0 if record["power"] == final else float(document["settings"]["operation_seconds"])
    operation = {"id": str(uuid.uuid4()), "name": operation_name, "vm": record["id"].lower(), "location": record["location"],
                 "start": now, "end": now + duration, "status": "InProgress", "final_power": final}
    document["operations"][operation["id"]] = operation
    if duration:
        record.update(power=running, pending=operation["id"])
    else:
        record["pending"] = None
        operation["status"] = "Succeeded"
    return operation


def settle(document, now=None):
    """Apply every operation whose end time has passed."""
    now = time.time() if now is None else now
    for operation in document["operations"].values():
        if "vm" in operation and operation["status"] == "InProgress" and operation["end"] <= now:
            operation["status"] = "Succeeded"
            record = document["virtual_machines"].get(operation["vm"])
            if record and record["pending"] == operation["id"]:
                record.update(power=operation["final_power"], pending=None)


def find_operation(document, operation_id):
    settle(document)
    operation = document["operations"].get(operation_id)
    if operation is None or "vm" not in operation:
        raise errors.operation_not_found(operation_id)
    return operation


def operation_status(operation):
    status = {"name": operation["id"], "status": operation["status"], "startTime": iso(operation["start"])}
    if operation["status"] != "InProgress":
        status["endTime"] = iso(operation["end"])
    if operation.get("error"):
        status["error"] = operation["error"]
    return status


def retry_after(operation):
    """Whole seconds until the operation ends (at least 1), as Retry-After."""
    return max(1, int(math.ceil(operation["end"] - time.time())))


def iso(timestamp):
    """ARM's UTC time text of a POSIX time."""
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).isoformat().replace("+00:00", "Z")
