"""What the MABS server answers to the scripts of hyperv_vm_recovery, by their JSON contract.

Data sources are those of the server's groups and those whose replica it kept when protection stopped;
recovery points are the estate's. A recovery is a DPM job that runs settings.job_seconds and ends as
settings.recovery_outcome says (Succeeded by default); when it succeeds its effect is written to the
estate: the original VM marked restored from the point, a VM record on the alternate host, or the files
listed in the network folder. The ledger the collection's script keeps on the server is kept per server.
"""
import datetime

from mabslab import estate as estates
from mabslab import protection
from mabslab.errors import ScriptFailure

RECOVERY_LOCATIONS = ("original", "alternate_host", "network_folder")


def read_recovery_state(estate, server_key, data, _session):
    estates.settle(estate)
    server = estate["servers"][server_key]
    host = (data.get("host") or "").lower()
    records = []
    for vm_id in _recoverable_vms(estate, server_key):
        record = protection.datasource_record(estate, server_key, vm_id)
        name = record["name"].split("\\", 1)[1]
        computer = record["computer"].lower()
        if data.get("vm_id"):
            if vm_id != data["vm_id"].lower().strip("{}"):
                continue
        elif name != data.get("vm_name") or not (computer == host or computer.endswith("." + host)):
            continue
        points = [{"time": point["time"], "location": point["location"]} for point in estate["recovery_points"].get(vm_id, [])
                  if point["server"] == server_key]
        records.append({"datasource_id": record["datasource_id"], "vm_id": vm_id.upper(), "name": name, "computer": record["computer"],
                        "protection_group": record["protection_group"] or "", "protected": record["protection_group"] is not None,
                        "recovery_points": points})
    ids = set(record["datasource_id"] for record in records)
    recoveries = [dict(_ledger_fields(entry), job=job_record(estate, entry["job_id"]))
                  for entry in server.get("recovery_ledger", []) if entry["datasource_id"] in ids]
    return {"server": server["name"], "datasources": records, "recoveries": recoveries}


def start_recovery(estate, server_key, data, _session):
    estates.settle(estate)
    server = estate["servers"][server_key]
    vm_id = next((vm_id for vm_id in _recoverable_vms(estate, server_key) if estates.datasource_id(server_key, vm_id) == data["datasource_id"]), None)
    if vm_id is None:
        raise ScriptFailure("MABS has no data source %s" % data["datasource_id"], "RuntimeException", "OperationStopped")
    wanted = _moment(data["recovery_point_time"])
    point = next((point for point in estate["recovery_points"].get(vm_id, []) if point["server"] == server_key
                  and _moment(point["time"]) == wanted and point["location"] == data["recovery_point_location"]), None)
    if point is None:
        message = "no recovery point of %s at %s (%s)" % (estate["vms"][vm_id]["name"], data["recovery_point_time"], data["recovery_point_location"])
        raise ScriptFailure(message, "RuntimeException", "OperationStopped")
    if data["location"] not in RECOVERY_LOCATIONS:
        raise ScriptFailure("unknown recovery location %s" % data["location"], "RuntimeException", "OperationStopped")
    if data["location"] != "original":
        _check_target(estate, server_key, data)
    moment = estates.now()
    job_id = estates.datasource_id(server_key, "recovery/" + estates.iso(moment))
    estate["jobs"][job_id] = {"server": server_key, "group_id": None, "type": "Recovery", "vm_ids": [vm_id], "status": "InProgress",
                              "start_time": estates.iso(moment),
                              "end_time": estates.iso(moment + datetime.timedelta(seconds=estate["settings"].get("job_seconds", 0))),
                              "outcome": estate["settings"].get("recovery_outcome", "Succeeded"),
                              "effect": {"location": data["location"], "target_server": data["target_server"], "target_path": data["target_path"],
                                         "recovery_point": point["time"], "notify": data.get("notify") or [], "san_recovery": bool(data.get("san_recovery"))}}
    server.setdefault("recovery_ledger", []).append(dict(_ledger_fields(data), job_id=job_id))
    estates.settle(estate)
    return dict(job_record(estate, job_id), ledger_error=None)


def read_recovery_job(estate, _server_key, data, _session):
    estates.settle(estate)
    return job_record(estate, data["job_id"])


def job_record(estate, job_id):
    job = estate["jobs"].get(job_id)
    if job is None:
        return {"job_id": job_id, "status": "Unknown", "has_completed": False, "start_time": None, "end_time": None, "error": None}
    done = job["status"] not in ("InProgress", "Scheduled")
    return {"job_id": job_id, "status": job["status"], "has_completed": done, "start_time": job["start_time"],
            "end_time": job["end_time"] if done else None,
            "error": "The recovery of the virtual machine failed (the lab's outcome setting)." if job["status"] == "Failed" else None}


def _ledger_fields(record):
    return {key: record[key] for key in ("datasource_id", "recovery_point_time", "location", "target_server", "target_path")}


def _recoverable_vms(estate, server_key):
    server = estate["servers"][server_key]
    vm_ids = set(vm_id for group in server["groups"].values() for vm_id in group["members"]) | set(server["kept_replicas"])
    return sorted(vm_id for vm_id in vm_ids if vm_id in estate["vms"])


def _check_target(estate, server_key, data):
    target = data["target_server"].lower()
    attached = estate["servers"][server_key]["production_servers"].get(target)
    if attached is None or attached["agent_state"] != "ok":
        raise ScriptFailure("%s has no working protection agent of this MABS server" % data["target_server"], "RuntimeException", "OperationStopped")
    if data["location"] == "alternate_host" and target not in estate["hosts"]:
        raise ScriptFailure("%s is not a Hyper-V host" % data["target_server"], "RuntimeException", "OperationStopped")


def _moment(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(datetime.timezone.utc).replace(microsecond=0)
