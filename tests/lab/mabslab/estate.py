"""The lab's Windows estate: MABS servers, Hyper-V hosts and clusters, VMs, protection groups, jobs.

One JSON document on disk, changed under one lock and written before an answer goes out, so a
restarted lab serves what the last run left. Names are keyed lower-case (Windows compares them so)
and keep their spelling in ``name``.

    servers.<fqdn>   {name, build, known_vmm_servers, vmm_helper_port, vmm_helper_configured_port,
                      production_servers: {fqdn: {agent_state}}, groups: {id: group},
                      datasource_names: {vm_id: the VM's name when MABS first protected it},
                      kept_replicas: {vm_id: name}  (members removed with their disk data kept),
                      recovery_ledger: the ledger file the collection's recovery script keeps,
                      other_protected_vm_count, other_protected_bytes: VMs this server protects beyond
                      the estate's (a full server without listing 800 VMs)}
    hosts.<fqdn>     {name, os_version, cluster (key or null), integration_services_version, volumes: {path: free_bytes}}
    clusters.<fqdn>  {name, volumes: {"C:\\ClusterStorage\\VolumeN": free_bytes}}
    shares.<unc>     free bytes of an SMB share (\\\\server\\share)
    vms.<vm_id>      {name, host (key), generation, scsi_controllers, integration_services_version,
                      integration_services_mismatch, os_type, replication {mode, state, health},
                      configuration_path, disks: [{path, size_bytes} | {pass_through: true, disk_number}]}
    jobs.<id>        {server, group_id, type ("Replica creation" | "Recovery"), vm_ids, status, start_time,
                      end_time (ISO, UTC), outcome and effect of a recovery}
    recovery_points.<vm_id>  [{server, time, location ("Disk" | "Online")}]
    recovered        [{vm_id, name, location, target_server, target_path, recovery_point, files}]: VMs
                     recovered to another host or copied to a network folder
    settings         {job_seconds: how long a job runs, recovery_outcome: how recoveries end (Succeeded, Failed)}

A group is {name, members: [vm_id], policy (hyperv_protection_group's policy shape), replica_creation,
created}. The Hyper-V facts of a VM are derived from this record when a script asks (volumes by the
longest path prefix, sizes summed), as the hosts' cmdlets would report them.
"""
import copy
import datetime
import uuid

from labframe.jsonstore import JsonStore

EMPTY = {"servers": {}, "hosts": {}, "clusters": {}, "shares": {}, "vms": {}, "jobs": {}, "recovery_points": {}, "recovered": [],
         "settings": {"job_seconds": 0, "recovery_outcome": "Succeeded"}}
DATASOURCE_NAMESPACE = uuid.UUID("5b0e7c1e-3f7a-4d55-9a57-6a0c2f1d8e42")
GIB = 1024 ** 3


class EstateStore(JsonStore):
    def __init__(self, path):
        super().__init__(path, EMPTY, demo_estate)


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)


def datasource_id(server_key, vm_id):
    """DPM's id of a VM's data source on one server: stable, and not the VM's id."""
    return str(uuid.uuid5(DATASOURCE_NAMESPACE, server_key + "/" + vm_id))


def settle(estate):
    """Jobs whose time has come start or end: a replica creation leaves a recovery point per VM, a recovery its effect."""
    moment = now()
    for job in estate["jobs"].values():
        if job.get("status") == "Scheduled" and parse_iso(job["start_time"]) <= moment:
            job["status"] = "InProgress"
        if job.get("status") != "InProgress" or parse_iso(job["end_time"]) > moment:
            continue
        job["status"] = job.get("outcome", "Succeeded")
        if job["status"] != "Succeeded":
            continue
        if job["type"] == "Replica creation":
            for vm_id in job["vm_ids"]:
                estate["recovery_points"].setdefault(vm_id, []).append({"server": job["server"], "time": job["end_time"], "location": "Disk"})
        elif job["type"] == "Recovery":
            _recovered(estate, job["vm_ids"][0], job["effect"])
    return estate


def _recovered(estate, vm_id, effect):
    vm = estate["vms"][vm_id]
    if effect["location"] == "original":
        vm["restored_from"] = effect["recovery_point"]
        return
    estate["recovered"].append({"vm_id": vm_id, "name": vm["name"], "location": effect["location"], "target_server": effect["target_server"],
                                "target_path": effect["target_path"], "recovery_point": effect["recovery_point"],
                                "files": [disk["path"].rsplit("\\", 1)[-1] for disk in vm["disks"] if disk.get("path")]})


def jobs_in_progress(estate, server_key, group_id):
    moment = now()
    return [job for job in estate["jobs"].values()
            if job["server"] == server_key and job.get("group_id") == group_id and job.get("status") == "InProgress"
            and parse_iso(job["start_time"]) <= moment]


def demo_estate():
    """What `make demo` and a fresh lab start with: two MABS servers, a 2019 host, a 2012 R2 host and a two-node cluster."""
    domain = "contoso.com"
    estate = copy.deepcopy(EMPTY)
    for short in ("mabs01", "mabs02"):
        key = "%s.%s" % (short, domain)
        estate["servers"][key] = {"name": _display(short, domain), "build": "14.0.30.0", "known_vmm_servers": [],
                                  "vmm_helper_port": 6070, "vmm_helper_configured_port": 6070, "production_servers": {}, "groups": {},
                                  "datasource_names": {}, "kept_replicas": {}}
    hosts = {"hv01": ("10.0.17763", None, {"D:\\": 900 * GIB}), "hv02": ("6.3.9600", None, {"E:\\": 500 * GIB}),
             "hvn1": ("10.0.20348", "hvclus01.contoso.com", {"C:\\": 80 * GIB}), "hvn2": ("10.0.20348", "hvclus01.contoso.com", {"C:\\": 80 * GIB})}
    for short, (version, cluster, volumes) in hosts.items():
        key = "%s.%s" % (short, domain)
        estate["hosts"][key] = {"name": _display(short, domain), "os_version": version, "cluster": cluster,
                                "integration_services_version": "6.3.9600.18692" if version.startswith("6.3") else None, "volumes": volumes}
        estate["servers"]["mabs01.contoso.com"]["production_servers"][key] = {"agent_state": "ok"}
    estate["clusters"]["hvclus01.contoso.com"] = {"name": "HVCLUS01.contoso.com", "volumes": {"C:\\ClusterStorage\\Volume1": 2048 * GIB}}
    vms = [("1f0a6f1e-0000-4000-8000-000000000001", "SQL01", "hv01.contoso.com", "D:\\Hyper-V\\SQL01\\SQL01.vhdx", 120),
           ("1f0a6f1e-0000-4000-8000-000000000002", "APP01", "hv01.contoso.com", "D:\\Hyper-V\\APP01\\APP01.vhdx", 60),
           ("1f0a6f1e-0000-4000-8000-000000000003", "LEGACY01", "hv02.contoso.com", "E:\\VMs\\LEGACY01\\LEGACY01.vhdx", 40),
           ("1f0a6f1e-0000-4000-8000-000000000004", "FS01", "hvn1.contoso.com", "C:\\ClusterStorage\\Volume1\\FS01\\FS01.vhdx", 300),
           ("1f0a6f1e-0000-4000-8000-000000000005", "FS02", "hvn2.contoso.com", "C:\\ClusterStorage\\Volume1\\FS02\\FS02.vhdx", 300)]
    for vm_id, name, host, path, size_gib in vms:
        estate["vms"][vm_id] = new_vm(name, host, [{"path": path, "size_bytes": size_gib * GIB}],
                                      integration_services_version="6.3.9600.18692" if host.startswith("hv02") else "",
                                      scsi_controllers=1)
    return estate


def _display(short, domain):
    """A computer's FQDN as Windows reports it: the NetBIOS part upper-case."""
    return "%s.%s" % (short.upper(), domain)


def new_vm(name, host, disks, generation=2, scsi_controllers=1, integration_services_version="", integration_services_mismatch=False,
           os_type="windows", replication=None, configuration_path=None):
    """A VM record with the defaults of a healthy Windows VM."""
    first = next((disk["path"] for disk in disks if disk.get("path")), "C:\\VMs\\" + name)
    return {"name": name, "host": host, "generation": generation, "scsi_controllers": scsi_controllers,
            "integration_services_version": integration_services_version, "integration_services_mismatch": integration_services_mismatch,
            "os_type": os_type, "replication": replication or {"mode": "none", "state": None, "health": None},
            "configuration_path": configuration_path or first.rsplit("\\", 1)[0], "disks": disks, "state": "Running"}
