"""What the MABS server answers to the scripts of hyperv_protection_group, by their JSON contract.

``read_protection_state`` reports what DPM's cmdlets and the hosts' Hyper-V cmdlets would: the server,
the group, the production servers, the inquiry of the hosts asked for, and each host's VMs read through
PowerShell remoting (which fails as Windows does when the logon cannot be delegated).
``apply_protection_plan`` performs the actions on a copy of the group and commits it once, as
Set-DPMProtectionGroup does.
"""
import copy
import datetime

from mabslab import estate as estates
from mabslab.errors import ScriptFailure

SNAPSHOT_PREFIX = "Backup Using Child Partition Snapshot\\"
ACCESS_DENIED = ("Connecting to remote server {0} failed with the following error message : Access is denied. "
                 "For more information, see the about_Remote_Troubleshooting Help topic.")
UNREACHABLE = ("Connecting to remote server {0} failed with the following error message : WinRM cannot complete the operation. "
               "Verify that the specified computer name is valid, that the computer is accessible over the network, and that a firewall "
               "exception for the WinRM service is enabled and allows access from this computer. For more information, see the "
               "about_Remote_Troubleshooting Help topic.")
# A network logon (NTLM, basic) holds no credential to pass on to a third computer.
UNDELEGATABLE_SCHEMES = ("basic", "ntlm")


def read_protection_state(estate, server_key, data, session):
    estates.settle(estate)
    server = estate["servers"][server_key]
    requested = [name.lower() for name in data.get("hyperv_hosts") or []]
    productions = production_servers(estate, server_key)
    datasources, targets = {}, []
    for production in productions:
        name, cluster = production["name"].lower(), (production["cluster"] or "").lower()
        if name not in requested and cluster not in requested:
            continue
        if production["agent_state"] == "ok":
            for vm_id in _vms_of_production_server(estate, production):
                record = datasource_record(estate, server_key, vm_id)
                datasources[record["datasource_id"]] = record
        if not production["is_cluster_resource"]:
            targets.append(production["name"].lower())
    known = set(production["name"].lower() for production in productions) | set((p["cluster"] or "").lower() for p in productions)
    targets.extend(name for name in requested if name not in known)
    hosts_read, vms_read, errors = _remote_hyperv(estate, sorted(set(targets)), data.get("host_credential"), session)
    named = [(group_id, group) for group_id, group in server["groups"].items() if group["name"] == data.get("group_name")]
    group = None
    if len(named) == 1:
        group = group_record(estate, server_key, *named[0])
        for member in group["members"]:
            datasources[member["datasource_id"]] = member
    return {"server": server_record(estate, server_key), "groups_with_name": len(named), "group": group,
            "production_servers": productions, "datasources": list(datasources.values()),
            "hyperv": {"hosts": hosts_read, "vms": vms_read, "errors": errors}}


def apply_protection_plan(estate, server_key, data, _session):
    estates.settle(estate)
    server = estate["servers"][server_key]
    working, group_id = None, None
    # DPM's data source ids of this server, computed once: an apply may name hundreds of members.
    vm_of_datasource = dict((estates.datasource_id(server_key, vm_id), vm_id) for vm_id in estate["vms"])
    for action in data["actions"]:
        detail, kind = action["detail"], action["action"]
        if kind == "create_protection_group":
            group_id = estates.datasource_id(server_key, "group/" + estates.iso(estates.now()))
            working = {"name": data["group_name"], "members": [], "policy": None, "replica_creation": None, "created": estates.iso(estates.now())}
            _add_members(estate, server_key, working, detail["members"], vm_of_datasource)
            working["replica_creation"] = detail["replica_creation"]
            working["policy"] = copy.deepcopy(detail["policy"])
            continue
        if working is None:
            group_id = detail["group_id"]
            working = copy.deepcopy(_existing_group(estate, server_key, group_id, data["group_name"]))
        if kind == "add_protection_group_members":
            _add_members(estate, server_key, working, detail["members"], vm_of_datasource)
            working["replica_creation"] = detail["replica_creation"]
        elif kind in ("remove_protection_group_members", "remove_protection_group_members_and_data", "delete_protection_group",
                      "delete_protection_group_and_data"):
            ids = set(vm_of_datasource.get(member["datasource_id"]) for member in detail["members"])
            for vm_id in ids & set(working["members"]):
                working["members"].remove(vm_id)
                _release(estate, server_key, vm_id, detail["keep_disk_data"])
        elif kind == "set_protection_group_policy":
            working["policy"] = copy.deepcopy(detail["policy"])
        else:
            raise ScriptFailure("unknown action %s" % kind, "RuntimeException", "OperationStopped")
    if working is not None:
        _commit(estate, server_key, group_id, working)
    saved = [group for group in server["groups"].values() if group["name"] == data["group_name"]]
    if not saved:
        return {"exists": False, "member_vm_ids": []}
    return {"exists": True, "member_vm_ids": list(saved[0]["members"])}


def production_servers(estate, server_key):
    """Get-DPMProductionServer: attached hosts and cluster nodes, and a clustered resource per VM of a cluster."""
    records = []
    for key, attached in sorted(estate["servers"][server_key]["production_servers"].items()):
        host = estate["hosts"].get(key)
        cluster = host["cluster"] if host else None
        records.append({"name": host["name"] if host else key, "cluster": _cluster_name(estate, cluster), "agent_state": attached["agent_state"],
                        "is_cluster_resource": False})
    clusters = sorted(set(record["cluster"] for record in records if record["cluster"]))
    for cluster in clusters:
        for vm_id, vm in sorted(estate["vms"].items()):
            if _cluster_name(estate, estate["hosts"][vm["host"]]["cluster"]) == cluster:
                records.append({"name": "%s.%s" % (_protected_name(estate, server_key, vm_id), cluster), "cluster": cluster,
                                "agent_state": "ok", "is_cluster_resource": True})
    return records


def datasource_record(estate, server_key, vm_id):
    """Get-DPMDatasource's view of a VM on this server: named as when MABS first protected it."""
    vm = estate["vms"][vm_id]
    host = estate["hosts"][vm["host"]]
    name = _protected_name(estate, server_key, vm_id)
    cluster = _cluster_name(estate, host["cluster"])
    group = next((group["name"] for group in estate["servers"][server_key]["groups"].values() if vm_id in group["members"]), None)
    return {"datasource_id": estates.datasource_id(server_key, vm_id), "vm_id": vm_id.upper(), "name": SNAPSHOT_PREFIX + name,
            "computer": "%s.%s" % (name, cluster) if cluster else host["name"], "protection_group": group,
            "size_bytes": sum(disk.get("size_bytes", 0) for disk in vm["disks"] if not disk.get("pass_through"))}


def group_record(estate, server_key, group_id, group):
    jobs = [{"type": job["type"], "datasource": ", ".join(estate["vms"][vm_id]["name"] for vm_id in job["vm_ids"] if vm_id in estate["vms"]),
             "start_time": job["start_time"]} for job in estates.jobs_in_progress(estate, server_key, group_id)]
    return {"id": group_id, "name": group["name"], "members": [datasource_record(estate, server_key, vm_id) for vm_id in group["members"]],
            "policy": copy.deepcopy(group["policy"]), "jobs_in_progress": jobs}


def server_record(estate, server_key):
    server = estate["servers"][server_key]
    protected = [vm_id for group in server["groups"].values() for vm_id in group["members"] if vm_id in estate["vms"]]
    size = sum(disk.get("size_bytes", 0) for vm_id in protected for disk in estate["vms"][vm_id]["disks"] if not disk.get("pass_through"))
    return {"name": server["name"], "build": server["build"], "protected_vm_count": len(protected) + server.get("other_protected_vm_count", 0),
            "protected_bytes": size + server.get("other_protected_bytes", 0), "known_vmm_servers": list(server["known_vmm_servers"]),
            "vmm_helper_port": server["vmm_helper_port"], "vmm_helper_configured_port": server["vmm_helper_configured_port"]}


def _remote_hyperv(estate, targets, credential, session):
    """Invoke-Command to each target from the MABS server: its facts, or the error PowerShell remoting gives."""
    hosts, vms, errors = [], [], []
    for target in targets:
        host = estate["hosts"].get(target)
        if host is None:
            errors.append({"host": target, "message": UNREACHABLE.format(target), "error_id": "NetworkPathNotFound,PSSessionStateBroken"})
            continue
        if not _may_reach(credential, session):
            errors.append({"host": host["name"], "message": ACCESS_DENIED.format(host["name"]), "error_id": "AccessDenied,PSSessionStateBroken"})
            continue
        cluster = _cluster_name(estate, host["cluster"])
        hosts.append({"name": host["name"], "cluster": cluster, "os_version": host["os_version"],
                      "integration_services_version": host["integration_services_version"]})
        for vm_id, vm in sorted(estate["vms"].items()):
            if vm["host"] == target:
                vms.append(_vm_facts(estate, vm_id, vm, host, cluster))
    return hosts, vms, errors


def _may_reach(credential, session):
    if credential is None:
        return session.auth_scheme not in UNDELEGATABLE_SCHEMES
    return session.accounts.get(_account_key(credential.get("user") or "")) == credential.get("password")


def _account_key(user):
    if "@" in user:
        name, domain = user.split("@", 1)
        user = "%s\\%s" % (domain.split(".")[0], name)
    return user.lower()


def _vm_facts(estate, vm_id, vm, host, cluster):
    disks = []
    for disk in vm["disks"]:
        if disk.get("pass_through"):
            disks.append({"path": None, "pass_through": True, "disk_number": disk["disk_number"], "size_bytes": 0, "volume": None,
                          "volume_free_bytes": None})
            continue
        volume, free = _volume_of(estate, host, disk["path"])
        disks.append({"path": disk["path"], "pass_through": False, "disk_number": None, "size_bytes": disk["size_bytes"], "volume": volume,
                      "volume_free_bytes": free})
    return {"vm_id": vm_id.upper(), "name": vm["name"], "host": host["name"], "cluster": cluster, "generation": vm["generation"],
            "scsi_controllers": vm["scsi_controllers"], "integration_services_version": vm["integration_services_version"],
            "integration_services_mismatch": vm["integration_services_mismatch"], "os_type": vm["os_type"],
            "replication": copy.deepcopy(vm["replication"]), "configuration_path": vm["configuration_path"], "disks": disks}


def _volume_of(estate, host, path):
    """The volume a path is on, by the longest prefix, as Win32_Volume names them; SMB shares by \\\\server\\share."""
    if path.startswith("\\\\"):
        share = "\\\\" + "\\".join(path[2:].split("\\")[:2])
        return share, estate["shares"].get(share.lower())
    volumes = dict((name, free) for name, free in host["volumes"].items())
    if host["cluster"]:
        volumes.update(estate["clusters"][host["cluster"]]["volumes"])
    matches = sorted((name for name in volumes if path.lower().startswith(name.lower().rstrip("\\") + "\\")), key=len, reverse=True)
    if not matches:
        return None, None
    return matches[0].rstrip("\\"), volumes[matches[0]]


def _vms_of_production_server(estate, production):
    if production["is_cluster_resource"]:
        return []
    cluster = production["cluster"]
    if cluster:
        return [vm_id for vm_id, vm in sorted(estate["vms"].items()) if _cluster_name(estate, estate["hosts"][vm["host"]]["cluster"]) == cluster]
    return [vm_id for vm_id, vm in sorted(estate["vms"].items()) if estate["hosts"][vm["host"]]["name"] == production["name"]]


def _protected_name(estate, server_key, vm_id):
    return estate["servers"][server_key]["datasource_names"].get(vm_id, estate["vms"][vm_id]["name"])


def _cluster_name(estate, cluster_key):
    return estate["clusters"][cluster_key]["name"] if cluster_key else None


def _existing_group(estate, server_key, group_id, name):
    group = estate["servers"][server_key]["groups"].get(group_id)
    if group is None:
        raise ScriptFailure("protection group %s no longer exists" % name, "RuntimeException", "OperationStopped")
    busy = estates.jobs_in_progress(estate, server_key, group_id)
    if busy:
        raise ScriptFailure("protection group %s has %d job(s) in progress; it is not changed while they run" % (name, len(busy)),
                            "RuntimeException", "OperationStopped")
    return group


def _add_members(estate, server_key, working, members, vm_of_datasource):
    server = estate["servers"][server_key]
    for member in members:
        vm_id = vm_of_datasource.get(member["datasource_id"])
        if vm_id is None or not _inquirable(estate, server_key, vm_id):
            raise ScriptFailure("MABS does not find the data source of %s on %s" % (member["name"], member["computer"]),
                                "RuntimeException", "OperationStopped")
        other = next((group["name"] for group in server["groups"].values() if vm_id in group["members"]), None)
        if other is not None and other != working["name"]:
            raise ScriptFailure("The data source %s is already protected by protection group %s." % (member["name"], other),
                                "InvalidOperation,Microsoft.Internal.EnterpriseStorage.Dls.UI.Cmdlet.ProtectionCmdLets.AddChildDatasource",
                                "InvalidOperation")
        if vm_id not in working["members"]:
            working["members"].append(vm_id)


def _inquirable(estate, server_key, vm_id):
    vm = estate["vms"][vm_id]
    host = estate["hosts"][vm["host"]]
    attached = estate["servers"][server_key]["production_servers"]
    return attached.get(vm["host"], {}).get("agent_state") == "ok" or (
        host["cluster"] and any(estate["hosts"].get(key, {}).get("cluster") == host["cluster"] and value["agent_state"] == "ok"
                                for key, value in attached.items()))


def _release(estate, server_key, vm_id, keep_disk_data):
    server = estate["servers"][server_key]
    if keep_disk_data:
        server["kept_replicas"][vm_id] = server["datasource_names"].get(vm_id, estate["vms"][vm_id]["name"])
    else:
        estate["recovery_points"][vm_id] = [point for point in estate["recovery_points"].get(vm_id, []) if point["server"] != server_key]
        server["datasource_names"].pop(vm_id, None)


def _commit(estate, server_key, group_id, working):
    """Set-DPMProtectionGroup: the group as edited replaces the old one; a group left without members is deleted."""
    server = estate["servers"][server_key]
    previous = server["groups"].get(group_id, {"members": []})
    added = [vm_id for vm_id in working["members"] if vm_id not in previous["members"]]
    if not working["members"]:
        server["groups"].pop(group_id, None)
        return
    server["groups"][group_id] = working
    for vm_id in added:
        server["datasource_names"].setdefault(vm_id, estate["vms"][vm_id]["name"])
        server["kept_replicas"].pop(vm_id, None)
    if added:
        _schedule_replica_creation(estate, server_key, group_id, added, working["replica_creation"])


def _schedule_replica_creation(estate, server_key, group_id, vm_ids, creation):
    if creation["method"] == "manual":
        return
    seconds = estate["settings"]["job_seconds"]
    start = estates.now()
    status = "InProgress"
    if creation["method"] == "later":
        start = datetime.datetime.strptime(creation["at"], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
        status = "Scheduled"
    end = start + datetime.timedelta(seconds=seconds)
    job_id = estates.datasource_id(server_key, "job/" + estates.iso(estates.now()) + group_id)
    estate["jobs"][job_id] = {"server": server_key, "group_id": group_id, "type": "Replica creation", "vm_ids": vm_ids,
                              "start_time": estates.iso(start), "end_time": estates.iso(end), "status": status}
    estates.settle(estate)
