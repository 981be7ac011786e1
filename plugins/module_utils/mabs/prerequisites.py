# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The procedure's prerequisites for host-level protection of Hyper-V VMs, as a report.

Each entry is ``{"check", "subject", "status", "message"}`` with status ``passed``, ``failed``,
``warning`` (the backup works with a limitation an operator must know) or ``skipped`` (the inputs
for the check were not given). ``blocking`` says whether a failure concerns what the run is about to
protect (a new member, the server's capacity after adding it): only those stop a run; failures of
members already protected are reported for the operator to fix.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.mabs.members import same_computer

GIB = 1024 ** 3
TIB = 1024 ** 4
# MABS sizing: 800 VMs of about 100 GB per server, 80 TB in all.
DEFAULT_MAX_VMS = 800
DEFAULT_MAX_TERABYTES = 80
# Windows Server 2012 R2 is Windows NT 6.3: its online backup attaches a VHD through a SCSI controller.
WINDOWS_2012_R2 = "6.3"
# The MAX_PATH limit of a VM's files after recovery to another location on SMB storage.
MAX_PATH = 260
# MABS v4 UR1 was withdrawn: every RCT backup started a consistency check.
RECALLED_BUILDS = {"14.0.42.0": "MABS v4 UR1 (14.0.42.0) was withdrawn by Microsoft because every RCT backup triggers a consistency check; "
                                "install Update Rollup 1 Refresh (14.0.46.0)"}
# Replica VMs cannot be backed up while replication is in these states.
REPLICATION_BLOCKING_STATES = ("resynchronizing", "initial replication", "applying logs", "migrating", "failing over", "resynchronization required")
DEFAULT_VMM_HELPER_PORT = 6070

PREREQUISITE_OPTIONS = dict(
    on_failure=dict(type="str", choices=["fail", "warn"], default="fail"),
    churn_rate_percent_per_hour=dict(type="float"),
    backup_window_hours=dict(type="float"),
    max_vms_per_server=dict(type="int", default=DEFAULT_MAX_VMS),
    max_protected_terabytes_per_server=dict(type="float", default=DEFAULT_MAX_TERABYTES),
    live_migration=dict(type="bool", default=False),
)


def prerequisite_options(option):
    """The ``prerequisites`` option with its defaults, validated."""
    option = dict(option or {})
    for key, spec in PREREQUISITE_OPTIONS.items():
        option.setdefault(key, spec.get("default"))
    churn, window = option["churn_rate_percent_per_hour"], option["backup_window_hours"]
    if (churn is None) != (window is None):
        raise InvalidParameter("prerequisites", "churn_rate_percent_per_hour and backup_window_hours go together (the free-space check needs both)")
    if churn is not None and not 0 < churn <= 100:
        raise InvalidParameter("prerequisites.churn_rate_percent_per_hour", "must be above 0 and at most 100")
    if window is not None and not 0 < window <= 24:
        raise InvalidParameter("prerequisites.backup_window_hours", "must be above 0 and at most 24")
    if not 1 <= option["max_vms_per_server"] <= DEFAULT_MAX_VMS:
        raise InvalidParameter("prerequisites.max_vms_per_server", "must be between 1 and %d (MABS's supported maximum)" % DEFAULT_MAX_VMS)
    if not 0 < option["max_protected_terabytes_per_server"] <= DEFAULT_MAX_TERABYTES:
        raise InvalidParameter("prerequisites.max_protected_terabytes_per_server", "must be above 0 and at most %d" % DEFAULT_MAX_TERABYTES)
    return option


def evaluate(state, group_name, members, adding, removing, options):
    """The report for the members (resolved) of group *group_name* on the server of *state*.

    *adding* is the set of VM ids the plan adds; *removing* the data sources it removes."""
    report = []
    report.extend(_server_checks(state, members, adding, removing, options))
    for member in members:
        report.append(_other_group_check(member, group_name, member["vm_id"] in adding))
    hosts = {host["name"].lower(): host for host in state["hyperv"]["hosts"]}
    unreadable = {error["host"].lower(): error for error in state["hyperv"]["errors"]}
    for member in members:
        blocking = member["vm_id"] in adding
        report.extend(_member_checks(member, hosts, unreadable, state, blocking, options))
    report.extend(_volume_checks(members, hosts, adding, options))
    return report


def failures(report, blocking_only):
    return [entry for entry in report if entry["status"] == "failed" and (entry["blocking"] or not blocking_only)]


def summary(report):
    """Counts per status, for the module's result."""
    counts = {"passed": 0, "failed": 0, "warning": 0, "skipped": 0}
    for entry in report:
        counts[entry["status"]] += 1
    return counts


def _entry(check, subject, status, message, blocking=False):
    return {"check": check, "subject": subject, "status": status, "message": message, "blocking": blocking and status == "failed"}


def _server_checks(state, members, adding, removing, options):
    server = state["server"]
    name = server["name"]
    entries = []
    build = server.get("build") or ""
    if build in RECALLED_BUILDS:
        entries.append(_entry("mabs_build", name, "warning", RECALLED_BUILDS[build]))
    else:
        entries.append(_entry("mabs_build", name, "passed", "MABS build %s" % (build or "unknown")))
    sizes = {member["vm_id"]: vm_bytes(member) for member in members}
    count = server["protected_vm_count"] + len(adding) - len(removing)
    total = server["protected_bytes"] + sum(sizes.get(vm_id, 0) for vm_id in adding) - sum(source.get("size_bytes") or 0 for source in removing)
    limit = options["max_vms_per_server"]
    message = "%d VMs protected on %s after this run (at most %d)" % (count, name, limit)
    entries.append(_entry("server_vm_count", name, "failed" if count > limit else "passed",
                          message + ("; use another MABS server for the rest" if count > limit else ""), blocking=bool(adding)))
    limit_bytes = options["max_protected_terabytes_per_server"] * TIB
    message = "%.2f TB protected on %s after this run (at most %g TB)" % (total / float(TIB), name, options["max_protected_terabytes_per_server"])
    entries.append(_entry("server_protected_size", name, "failed" if total > limit_bytes else "passed", message, blocking=bool(adding)))
    if options["live_migration"]:
        entries.extend(_live_migration_checks(state, members, bool(adding)))
    return entries


def _member_checks(member, hosts, unreadable, state, blocking, options):
    subject = "%s (%s)" % (member["name"], member["host"])
    entries = [_agent_check(member, state, subject, blocking)]
    vm = member["vm"]
    if vm is None:
        error = unreadable.get(member["host"].lower())
        reason = error["message"] if error else "the host does not list the VM"
        entries.append(_entry("hyperv_facts", subject, "failed", "cannot check the VM on its host: %s" % reason, blocking))
        return entries
    host = hosts.get(vm["host"].lower(), {})
    entries.append(_integration_services(vm, host, subject, blocking))
    entries.append(_scsi_controller(vm, host, subject, blocking))
    entries.append(_pass_through(vm, subject, blocking))
    entries.append(_smb_paths(vm, subject, blocking))
    entries.extend(_consistency_notices(vm, subject, blocking))
    return entries


def _other_group_check(member, group_name, blocking):
    subject = "%s (%s)" % (member["name"], member["host"])
    other = (member["datasource"] or {}).get("protection_group")
    if other and other.lower() != group_name.lower():
        return _entry("other_protection_group", subject, "failed", "%s is protected by protection group %s on this server; a data source is in "
                                                                   "one group only: remove it there first" % (member["name"], other), blocking)
    return _entry("other_protection_group", subject, "passed", "in no other protection group")


def _agent_check(member, state, subject, blocking):
    servers = [server for server in state["production_servers"] if not server.get("is_cluster_resource")]
    nodes = [server for server in servers if same_computer(server.get("cluster"), member["host"])]
    targets = nodes or [server for server in servers if same_computer(server["name"], member["host"])]
    if not targets:
        return _entry("protection_agent", subject, "failed", "%s is not a production server of MABS: install the protection agent on it "
                                                             "(on every node of a cluster) and attach it" % member["host"], blocking)
    missing = sorted(server["name"] for server in targets if server["agent_state"] != "ok")
    if missing:
        states = ", ".join("%s: %s" % (server["name"], server["agent_state"]) for server in targets if server["agent_state"] != "ok")
        return _entry("protection_agent", subject, "failed", "the protection agent is not working on %s" % states, blocking)
    return _entry("protection_agent", subject, "passed", "agent ok on %s" % ", ".join(sorted(server["name"] for server in targets)))


def _integration_services(vm, host, subject, blocking):
    vm_version, host_version = vm.get("integration_services_version") or "", host.get("integration_services_version") or ""
    if vm.get("integration_services_mismatch"):
        message = "Hyper-V reports a protocol mismatch of the VM's integration services: update them to the host's version %s" % (host_version or "?")
        return _entry("integration_services", subject, "failed", message, blocking)
    if vm_version and host_version and vm_version != host_version:
        return _entry("integration_services", subject, "failed", "integration services %s in the VM, %s on the host: they must be the same version"
                      % (vm_version, host_version), blocking)
    return _entry("integration_services", subject, "passed", "integration services %s" % (vm_version or "provided by Windows Update"))


def _scsi_controller(vm, host, subject, blocking):
    if not (host.get("os_version") or "").startswith(WINDOWS_2012_R2 + "."):
        return _entry("scsi_controller", subject, "passed", "not needed on a host running Windows %s" % (host.get("os_version") or "?"))
    if vm.get("scsi_controllers", 0) >= 1:
        return _entry("scsi_controller", subject, "passed", "%d SCSI controller(s)" % vm["scsi_controllers"])
    message = ("the host runs Windows Server 2012 R2 and the VM has no SCSI controller: add one (even with nothing attached), "
               "otherwise backups fail with event 10103")
    return _entry("scsi_controller", subject, "failed", message, blocking)


def _pass_through(vm, subject, blocking):
    disks = [disk for disk in vm["disks"] if disk.get("pass_through")]
    if disks:
        numbers = ", ".join(str(disk.get("disk_number")) for disk in disks)
        return _entry("pass_through_disks", subject, "failed", "pass-through disk(s) %s cannot be protected at host level: "
                                                               "protect their data with a backup inside the VM" % numbers, blocking)
    return _entry("pass_through_disks", subject, "passed", "no pass-through disk")


def _smb_paths(vm, subject, blocking):
    paths = [path for path in [vm.get("configuration_path")] + [disk.get("path") for disk in vm["disks"]] if path and path.startswith("\\\\")]
    if not paths:
        return _entry("smb_path_length", subject, "passed", "no file on SMB storage")
    long_paths = [path for path in paths if len(path) >= MAX_PATH]
    if long_paths:
        message = ("%d path(s) on SMB storage are %d characters or longer (the longest %d): a recovery to another location succeeds but "
                   "Hyper-V cannot register the VM" % (len(long_paths), MAX_PATH, max(len(path) for path in long_paths)))
        return _entry("smb_path_length", subject, "failed", message, blocking)
    return _entry("smb_path_length", subject, "passed", "SMB paths under %d characters" % MAX_PATH)


def _consistency_notices(vm, subject, blocking):
    entries = []
    if vm.get("os_type") == "linux":
        entries.append(_entry("linux_consistency", subject, "warning", "Linux VM: recovery points are file-consistent, not application-consistent"))
    replication = vm.get("replication") or {}
    if replication.get("mode") == "replica":
        state = (replication.get("state") or "").lower()
        health = (replication.get("health") or "").lower()
        if state in REPLICATION_BLOCKING_STATES or health not in ("normal", ""):
            entries.append(_entry("replica_vm", subject, "failed", "replica VM with replication %s (health %s): backups fail until replication is "
                                                                   "healthy" % (replication.get("state"), replication.get("health")), blocking))
        else:
            entries.append(_entry("replica_vm", subject, "warning", "replica VM: recovery points are crash-consistent only"))
    return entries


def _volume_checks(members, hosts, adding, options):
    """Free space for the differencing disks, per volume, summed over the group's VMs that share it."""
    churn, window = options["churn_rate_percent_per_hour"], options["backup_window_hours"]
    volumes = {}
    for member in members:
        vm = member["vm"]
        for disk in (vm or {}).get("disks", []):
            if disk.get("pass_through") or not disk.get("volume"):
                continue
            key = _volume_key(vm, disk)
            entry = volumes.setdefault(key, {"free_bytes": disk.get("volume_free_bytes"), "disk_bytes": 0, "vms": set(), "adding": False})
            entry["disk_bytes"] += disk.get("size_bytes") or 0
            entry["vms"].add(vm["name"])
            entry["adding"] = entry["adding"] or member["vm_id"] in adding
    entries = []
    for key in sorted(volumes):
        volume = volumes[key]
        subject = "%s on %s" % (key[1], key[0]) if key[0] else key[1]
        if churn is None:
            entries.append(_entry("vhd_volume_free_space", subject, "skipped", "give prerequisites.churn_rate_percent_per_hour and "
                                                                               "backup_window_hours to check the room for differencing disks"))
            continue
        if volume["free_bytes"] is None:
            entries.append(_entry("vhd_volume_free_space", subject, "skipped", "the host could not read the free space of %s (an SMB share read "
                                                                               "through PowerShell remoting needs delegation): check it by hand"
                                  % key[1]))
            continue
        needed = volume["disk_bytes"] * churn / 100.0 * window
        message = "%.1f GiB free, %.1f GiB needed for %d VM(s) (%.1f GiB of disks x %g%%/h churn x %g h window)" % (
            volume["free_bytes"] / float(GIB), needed / GIB, len(volume["vms"]), volume["disk_bytes"] / float(GIB), churn, window)
        status = "failed" if volume["free_bytes"] < needed else "passed"
        entries.append(_entry("vhd_volume_free_space", subject, status, message, volume["adding"]))
    return entries


def _volume_key(vm, disk):
    """Cluster shared volumes and SMB shares are shared by the VMs of all nodes; other volumes belong to one host."""
    volume = disk["volume"]
    if volume.startswith("\\\\"):
        return ("", volume.lower())
    if vm.get("cluster") and volume.lower().startswith("c:\\clusterstorage\\"):
        return (vm["cluster"].lower(), volume.lower())
    return (vm["host"].lower(), volume.lower())


def _live_migration_checks(state, members, blocking):
    server = state["server"]
    name = server["name"]
    entries = []
    if server.get("known_vmm_servers"):
        entries.append(_entry("live_migration_vmm", name, "passed", "MABS knows VMM server(s) %s" % ", ".join(server["known_vmm_servers"])))
    else:
        entries.append(_entry("live_migration_vmm", name, "failed", "no VMM server is known to MABS: run Set-DPMGlobalProperty -KnownVMMServers "
                                                                    "<VMM server> (VMM 2012 SP1 or later, same domain)", blocking))
    port, configured = server.get("vmm_helper_port"), server.get("vmm_helper_configured_port")
    if port and configured and port != configured:
        entries.append(_entry("live_migration_helper_port", name, "failed", "DpmVmmHelperServicePort is %s in the registry but %s in "
                                                                            "VmmHelperServiceHost.exe.config: they must match" % (port, configured), blocking))
    else:
        entries.append(_entry("live_migration_helper_port", name, "passed", "DPM-VMM helper service port %s" % (port or DEFAULT_VMM_HELPER_PORT)))
    clusters = sorted(set((member["vm"] or {}).get("cluster") or "" for member in members) - {""})
    for cluster in clusters:
        nodes = [server for server in state["production_servers"]
                 if same_computer(server.get("cluster"), cluster) and not server.get("is_cluster_resource")]
        missing = sorted(node["name"] for node in nodes if node["agent_state"] != "ok")
        status = "failed" if missing or not nodes else "passed"
        message = ("the protection agent is missing or not working on %s: every host a VM can migrate to needs it" % ", ".join(missing)
                   if missing else "agent ok on all %d node(s)" % len(nodes))
        entries.append(_entry("live_migration_agents", cluster, status, message, blocking))
    return entries


def vm_bytes(member):
    """What protecting the VM adds to a server: its VHDs, or the data source's size when the host could not be read."""
    vm = member["vm"]
    if vm is not None:
        return sum(disk.get("size_bytes") or 0 for disk in vm["disks"] if not disk.get("pass_through"))
    return (member["datasource"] or {}).get("size_bytes") or 0
