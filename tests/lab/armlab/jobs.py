"""On-demand backups of protected Azure VMs and the jobs that carry them out.

POST ``.../protectedItems/{item}/backup`` (IaasVMBackupRequest with recoveryPointExpiryTimeInUTC) answers 202 with
``Azure-AsyncOperation`` (``.../operationsStatus/{id}``, whose properties hold the job id once it starts) and ``Location``;
400 UserErrorBackupOperationInProgress while another backup job of the item runs; 400 BMSUserErrorInvalidInput when the
item's protection is stopped. A job has two phases, Take Snapshot then Transfer data to vault, each
``settings.operation_seconds`` long, and ends as the procedure's table says: snapshot and transfer completed (or the
transfer skipped) is Completed, a failed transfer after a snapshot is CompletedWithWarnings, a failed snapshot is Failed.
``/__lab/settings`` ``job_outcome`` (completed, transfer_skipped, transfer_failed, snapshot_failed) sets how the next
jobs end.
"""
import time
import uuid

from armlab import compute, errors

OUTCOMES = ("completed", "transfer_skipped", "transfer_failed", "snapshot_failed")
SNAPSHOT, TRANSFER = "Take Snapshot", "Transfer data to vault"


def begin_backup(document, vault, item_name, item, body):
    properties = (body or {}).get("properties") or {}
    if properties.get("objectType") != "IaasVMBackupRequest":
        raise errors.ArmError(400, "BMSUserErrorInvalidInput", "The backup request must be an IaasVMBackupRequest.")
    if item.get("state") != "Protected":
        raise errors.ArmError(400, "BMSUserErrorInvalidInput", "Protection of the item is stopped: resume it before backing it up.")
    now = time.time()
    for job in document["jobs"].values():
        if job["item"] == item_name.lower() and job["vault"] == vault["id"].lower() and _phases(job, now)[2] == "InProgress":
            raise errors.ArmError(400, "UserErrorBackupOperationInProgress",
                                  "Another backup operation is in progress on this item. Wait for it to finish.")
    seconds = float(document["settings"]["operation_seconds"])
    job = {"id": str(uuid.uuid4()), "vault": vault["id"].lower(), "item": item_name.lower(), "vm": item.get("friendly_name"),
           "start": now, "snapshot_end": now + seconds, "transfer_end": now + 2 * seconds,
           "outcome": document["settings"].get("job_outcome", "completed"), "expiry": properties.get("recoveryPointExpiryTimeInUTC")}
    document["jobs"][job["id"]] = job
    operation = {"id": str(uuid.uuid4()), "kind": "backup_trigger", "vault": vault["id"].lower(), "item": item_name.lower(),
                 "start": now, "end": now, "status": "Succeeded", "job_id": job["id"]}
    document["operations"][operation["id"]] = operation
    return operation


def _phases(job, now):
    """(snapshot status, transfer status, job status) at *now*, as the procedure's table relates them."""
    outcome = job["outcome"]
    if now < job["snapshot_end"]:
        return "InProgress", "NotStarted", "InProgress"
    if outcome == "snapshot_failed":
        return "Failed", "Failed", "Failed"
    if now < job["transfer_end"]:
        return "Completed", "InProgress", "InProgress"
    transfer = {"completed": "Completed", "transfer_skipped": "Skipped", "transfer_failed": "Failed"}[outcome]
    return "Completed", transfer, "CompletedWithWarnings" if transfer == "Failed" else "Completed"


def job_status(job, now):
    return _phases(job, now)[2]


def job_end(job):
    return job["snapshot_end"] if job["outcome"] == "snapshot_failed" else job["transfer_end"]


def job_resource(vault, job, now=None):
    now = time.time() if now is None else now
    snapshot, transfer, status = _phases(job, now)
    end = None if status == "InProgress" else job_end(job)
    properties = {"jobType": "AzureIaaSVMJob", "backupManagementType": "AzureIaasVM", "operation": "Backup", "status": status,
                  "entityFriendlyName": job["vm"], "startTime": compute.iso(job["start"]),
                  "duration": "PT%dS" % int((end or now) - job["start"]),
                  "extendedInfo": {"tasksList": [{"taskId": SNAPSHOT, "status": snapshot}, {"taskId": TRANSFER, "status": transfer}],
                                   "propertyBag": {"Recovery point expiry time in UTC": job["expiry"] or ""}}}
    if end is not None:
        properties["endTime"] = compute.iso(end)
    return {"id": "%s/backupJobs/%s" % (vault["id"], job["id"]), "name": job["id"], "type": "Microsoft.RecoveryServices/vaults/backupJobs",
            "properties": properties}


def find_job(document, vault, job_id):
    job = document["jobs"].get(job_id.lower())
    if job is None or job["vault"] != vault["id"].lower():
        raise errors.ArmError(404, "BMSUserErrorJobNotFound", "Job '%s' not found." % job_id)
    return job
