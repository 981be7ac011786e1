"""Microsoft.RecoveryServices: vaults and their Azure VM backup policies.

A vault PUT (Resource Manager, or /__lab/vaults) creates or updates it at once (provisioningState Succeeded, no
long-running operation) with its redundancy settings: standardTierStorageRedundancy GeoRedundant (the default),
LocallyRedundant or ZoneRedundant, crossRegionRestore Enabled or Disabled. Once the vault protects items its storage
redundancy cannot change: 400 BadRequest (Azure Backup's exact code for it was not found documented; the lab's message
says what is refused). GET backupProtectedItems lists what it protects (protection.py).

A policy PUT is checked as Azure Backup checks it (BMSUserErrorInvalidPolicyInput with the rule that failed:
backupManagementType, instant restore 1-5 days for V1 and 1-30 for V2, 5 for weekly V1, hourly interval 4/6/8/12,
retention counts daily 7-9999, weekly 1-5163, monthly 1-1188, yearly 1-99, days of month 1-28; an enhanced (V2)
policy cannot become standard (V1)), then answers 202 with ``Location`` (``.../operationResults/{id}``, 202 until
done, then 200 with the policy) and ``Azure-AsyncOperation`` (``.../operations/{id}``, the operation's status), and
``Retry-After``. The policy is stored when the operation ends ``settings.operation_seconds`` later. A GET of a policy
that does not exist is 404 ``BMSUserErrorPolicyNotFound``.
"""
import time
import uuid

from armlab import compute, errors

VAULT_TYPE = "Microsoft.RecoveryServices/vaults"
POLICY_TYPE = "Microsoft.RecoveryServices/vaults/backupPolicies"
RETENTION_RANGES = {"dailySchedule": (7, 9999), "weeklySchedule": (1, 5163), "monthlySchedule": (1, 1188), "yearlySchedule": (1, 99)}


def vault_key(subscription_id, resource_group, name):
    return ("/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (subscription_id, resource_group, VAULT_TYPE, name)).lower()


REDUNDANCIES = ("GeoRedundant", "LocallyRedundant", "ZoneRedundant")


def put_vault(document, subscription_id, spec):
    """Create a vault from the admin endpoint's *spec* {resource_group, name, location, redundancy, protected_items}."""
    for field in ("resource_group", "name", "location"):
        if not spec.get(field):
            raise ValueError("a vault needs %s" % field)
    record = _store_vault(document, subscription_id, spec["resource_group"], spec["name"], spec["location"],
                          spec.get("redundancy") or "GeoRedundant", spec.get("cross_region_restore") or "Disabled")
    for item in spec.get("protected_items", []):
        # Items of VMs the lab does not hold: enough for what depends on the vault protecting something.
        record["protected_items"][item.lower()] = {"container": "IaasVMContainer;iaasvmcontainerv2;lab;%s" % item.lower(),
                                                   "source_id": "", "friendly_name": item, "state": "Protected"}
    return record


def _store_vault(document, subscription_id, resource_group, name, location, redundancy, cross_region_restore):
    key = vault_key(subscription_id, resource_group, name)
    record = document["vaults"].get(key) or {"policies": {}, "protected_items": {}}
    record.update(id="/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (subscription_id, resource_group, VAULT_TYPE, name),
                  name=name, resource_group=resource_group, location=location, redundancy=redundancy,
                  cross_region_restore=cross_region_restore)
    document["vaults"][key] = record
    return record


def put_vault_resource(document, subscription_id, resource_group, name, body):
    """A vault PUT through Resource Manager; returns (status, record): 201 created, 200 updated."""
    body = body or {}
    if not body.get("location"):
        raise errors.ArmError(400, "LocationRequired", "The location property is required for this definition.")
    settings = (body.get("properties") or {}).get("redundancySettings") or {}
    redundancy = settings.get("standardTierStorageRedundancy") or "GeoRedundant"
    if redundancy not in REDUNDANCIES:
        raise errors.ArmError(400, "BadRequest", "standardTierStorageRedundancy must be one of %s." % ", ".join(REDUNDANCIES))
    existing = document["vaults"].get(vault_key(subscription_id, resource_group, name))
    if existing and existing.get("protected_items") and existing["redundancy"] != redundancy:
        raise errors.ArmError(400, "BadRequest", "Storage redundancy of the vault cannot be changed because it has protected items.")
    record = _store_vault(document, subscription_id, resource_group, name, body["location"], redundancy,
                          settings.get("crossRegionRestore") or (existing or {}).get("cross_region_restore") or "Disabled")
    return (200 if existing else 201), record


def vault_resource(record):
    return {"id": record["id"], "name": record["name"], "type": VAULT_TYPE, "location": record["location"], "sku": {"name": "Standard"},
            "properties": {"provisioningState": "Succeeded",
                           "redundancySettings": {"standardTierStorageRedundancy": record.get("redundancy", "GeoRedundant"),
                                                  "crossRegionRestore": record.get("cross_region_restore", "Disabled")}}}


def find_vault(document, subscription_id, resource_group, name):
    settle(document)
    record = document["vaults"].get(vault_key(subscription_id, resource_group, name))
    if record is None:
        raise errors.resource_not_found(VAULT_TYPE, name, resource_group)
    return record


def policy_resource(vault, name, properties):
    return {"id": "%s/backupPolicies/%s" % (vault["id"], name), "name": name, "type": POLICY_TYPE, "properties": properties}


def find_policy(vault, name):
    for stored_name, properties in vault["policies"].items():
        if stored_name.lower() == name.lower():
            return stored_name, properties
    raise errors.ArmError(404, "BMSUserErrorPolicyNotFound", "Policy '%s' does not exist in the vault." % name)


def begin_put_policy(document, vault, name, body):
    """Check the policy and start the operation that stores it; returns the operation's record."""
    properties = (body or {}).get("properties")
    _check_policy(properties)
    try:
        _stored_name, current = find_policy(vault, name)
    except errors.ArmError:
        current = None
    if current and current.get("policyType") == "V2" and properties.get("policyType", "V1") != "V2":
        raise _invalid("An Enhanced policy cannot be changed to a Standard policy.")
    stored = dict(properties, protectedItemsCount=(current or {}).get("protectedItemsCount", 0))
    now = time.time()
    operation = {"id": str(uuid.uuid4()), "kind": "put_policy", "vault": vault["id"].lower(), "policy": name, "start": now,
                 "end": now + float(document["settings"]["operation_seconds"]), "status": "InProgress", "properties": stored}
    document["operations"][operation["id"]] = operation
    return operation


def settle(document, now=None):
    """Store the policies whose operation has ended."""
    now = time.time() if now is None else now
    for operation in document["operations"].values():
        if operation.get("kind") == "put_policy" and operation["status"] == "InProgress" and operation["end"] <= now:
            operation["status"] = "Succeeded"
            vault = document["vaults"].get(operation["vault"])
            if vault is not None:
                vault["policies"][operation["policy"]] = operation["properties"]


def find_policy_operation(document, operation_id):
    settle(document)
    operation = document["operations"].get(operation_id)
    if operation is None or operation.get("kind") != "put_policy":
        raise errors.operation_not_found(operation_id)
    return operation


def _invalid(message):
    return errors.ArmError(400, "BMSUserErrorInvalidPolicyInput", "Input for create or update policy is not in proper format. %s" % message)


def _check_policy(properties):
    if not isinstance(properties, dict) or properties.get("backupManagementType") != "AzureIaasVM":
        raise _invalid("backupManagementType must be AzureIaasVM.")
    enhanced = properties.get("policyType") == "V2"
    schedule = properties.get("schedulePolicy") or {}
    frequency = schedule.get("scheduleRunFrequency")
    days = properties.get("instantRpRetentionRangeInDays")
    high = 30 if enhanced else 5
    if not isinstance(days, int) or not 1 <= days <= high:
        raise _invalid("InstantRpRetentionRangeInDays must be between 1 and %d." % high)
    if not enhanced and frequency == "Weekly" and days != 5:
        raise _invalid("InstantRpRetentionRangeInDays must be 5 for a weekly schedule.")
    if enhanced != (schedule.get("schedulePolicyType") == "SimpleSchedulePolicyV2"):
        raise _invalid("A V2 policy needs a SimpleSchedulePolicyV2 schedule, a V1 policy a SimpleSchedulePolicy.")
    if frequency == "Hourly":
        if not enhanced or (schedule.get("hourlySchedule") or {}).get("interval") not in (4, 6, 8, 12):
            raise _invalid("Hourly schedules need an enhanced policy and an interval of 4, 6, 8 or 12 hours.")
    elif frequency not in ("Daily", "Weekly"):
        raise _invalid("ScheduleRunFrequency must be Daily, Weekly or Hourly.")
    retention = properties.get("retentionPolicy") or {}
    for kind, (low, high) in RETENTION_RANGES.items():
        entry = retention.get(kind)
        if entry:
            count = (entry.get("retentionDuration") or {}).get("count")
            if not isinstance(count, int) or not low <= count <= high:
                raise _invalid("Retention count of %s must be between %d and %d." % (kind, low, high))
            for day in ((entry.get("retentionScheduleDaily") or {}).get("daysOfTheMonth") or []):
                if not day.get("isLast") and not 1 <= (day.get("date") or 0) <= 28:
                    raise _invalid("Days of the month must be between 1 and 28, or Last.")


def operation_status(operation):
    status = {"id": operation["id"], "name": operation["id"], "status": operation["status"], "startTime": compute.iso(operation["start"])}
    if operation["status"] != "InProgress":
        status["endTime"] = compute.iso(operation["end"])
    return status
