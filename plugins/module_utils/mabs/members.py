# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which VMs the options name, found in what the read script saw.

A member is named by its Hyper-V host or cluster and by VM id or name. The VM's id (DPM's
``ComponentName``) is what identifies it: data source names vary (``Backup Using Child Partition
Snapshot\\<vm>``, ``<vm>.<cluster>.<domain>``) and keep the old name after a rename, so a name is
first turned into an id through the host's own list of VMs, and data sources are then matched by id.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, InvalidParameter

_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
_SNAPSHOT_PREFIXES = ("backup using child partition snapshot\\", "backup using saved state\\", "online\\", "offline\\")

MEMBER_OPTIONS = dict(
    host=dict(type="str", required=True),
    vm=dict(type="str"),
    vm_id=dict(type="str"),
)


def normalized_id(value):
    """A VM id as lower-case GUID without braces; None when *value* is not a GUID."""
    match = _GUID.fullmatch(value or "")
    return match.group(1).lower() if match else None


def requested_members(members, option="members"):
    """Validate the ``members`` option (or another *option* of the same entries, a list of one named by its option alone):
    [{"host", "vm", "vm_id"}] with the host lower-cased for matching."""
    requested, seen = [], set()
    for index, member in enumerate(members or []):
        name = "%s[%d]" % (option, index) if option == "members" else option
        host = (member.get("host") or "").strip()
        if not host:
            raise InvalidParameter(name + ".host", "must name the Hyper-V host or cluster (its FQDN)")
        vm, vm_id = member.get("vm"), member.get("vm_id")
        if not vm and not vm_id:
            raise InvalidParameter(name, "needs vm (the VM's name) or vm_id (its GUID)")
        if vm_id is not None and normalized_id(vm_id) is None:
            raise InvalidParameter(name + ".vm_id", "%r is not a GUID (Get-VM's Id, DPM's ComponentName)" % vm_id)
        key = (host.lower(), normalized_id(vm_id) or (vm or "").lower())
        if key in seen:
            raise InvalidParameter(name, "names the same VM as an earlier member")
        seen.add(key)
        requested.append({"host": host, "vm": vm, "vm_id": normalized_id(vm_id)})
    return requested


def resolve(requested, state):
    """[{"host", "vm_id", "name", "vm": Hyper-V facts or None, "datasource": DPM's or None}] in option order.

    Raises DrkitError (step resolve_members) for a VM that is not there or a name that is ambiguous."""
    vms_by_computer = _index_by_computer(state["hyperv"]["vms"])
    datasources = {normalized_id(source["vm_id"]): source for source in state["datasources"]}
    resolved, seen_ids = [], {}
    for member in requested:
        on_host = [vm for vm in vms_by_computer.get(_short_name(member["host"]), []) if _runs_on(vm, member["host"])]
        vm = _find_vm(member, on_host, datasources)
        vm_id = normalized_id(vm["vm_id"]) if vm else member["vm_id"] or _id_from_datasources(member, datasources)
        if vm_id in seen_ids:
            raise DrkitError("%s and %s are the same VM (id %s)" % (seen_ids[vm_id], _label(member), vm_id), step="resolve_members", target=_label(member))
        seen_ids[vm_id] = _label(member)
        source = datasources.get(vm_id)
        if vm is None and source is None:
            raise DrkitError("no VM %s on %s: neither the host nor MABS's inquiry of it lists it" % (member["vm"] or vm_id, member["host"]),
                             step="resolve_members", target=_label(member))
        resolved.append({"host": member["host"], "vm_id": vm_id, "name": vm["name"] if vm else display_name(source),
                         "requested_name": member["vm"], "vm": vm, "datasource": source})
    return resolved


def display_name(source):
    """A data source's VM name without DPM's snapshot-method prefix."""
    name = source["name"]
    lowered = name.lower()
    for prefix in _SNAPSHOT_PREFIXES:
        if lowered.startswith(prefix):
            return name[len(prefix):]
    return name


def same_computer(first, second):
    """Whether two names are the same computer: equal, or equal host parts when one of them is a short name."""
    first, second = (first or "").lower(), (second or "").lower()
    if not first or not second:
        return False
    if "." in first and "." in second:
        return first == second
    return first.split(".")[0] == second.split(".")[0]


def _short_name(computer):
    return computer.split(".")[0].lower()


def _index_by_computer(vms):
    """VMs by the short name of their host and of their cluster, so that a member's candidates are found without
    scanning every VM of the estate (800 members on 800 VMs would be 640,000 comparisons)."""
    index = {}
    for vm in vms:
        for name in set(_short_name(computer) for computer in (vm["host"], vm.get("cluster")) if computer):
            index.setdefault(name, []).append(vm)
    return index


def _runs_on(vm, host):
    return same_computer(vm["host"], host) or same_computer(vm.get("cluster"), host)


def _find_vm(member, on_host, datasources):
    if member["vm_id"]:
        matches = [vm for vm in on_host if normalized_id(vm["vm_id"]) == member["vm_id"]]
        return matches[0] if matches else None
    matches = [vm for vm in on_host if vm["name"].lower() == member["vm"].lower()]
    if len(matches) > 1:
        raise DrkitError("%d VMs are named %s on %s (ids %s): name the one to protect with vm_id"
                         % (len(matches), member["vm"], member["host"], ", ".join(sorted(vm["vm_id"] for vm in matches))),
                         step="resolve_members", target=_label(member))
    return matches[0] if matches else None


def _id_from_datasources(member, datasources):
    """When the host could not be read: the id of the one data source with that VM name on that host or cluster."""
    if not member["vm"]:
        return None
    host = member["host"].lower()
    matches = [vm_id for vm_id, source in datasources.items()
               if display_name(source).lower() == member["vm"].lower()
               and (same_computer(source["computer"], host) or source["computer"].lower().endswith("." + host))]
    return matches[0] if len(matches) == 1 else None


def _label(member):
    return "%s on %s" % (member["vm"] or member["vm_id"], member["host"])
