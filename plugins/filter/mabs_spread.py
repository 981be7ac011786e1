# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: mabs_spread
short_description: Spread Hyper-V VMs over MABS servers within MABS's 800 VMs and 80 TB per server
version_added: 0.1.0
description:
  - Takes what M(drkit.microsoft.hyperv_protection_group) read on each MABS server (in check mode, with every VM as a member) and
    says which server protects which VM.
  - A VM that a server already protects in the group stays there. Every other VM goes to a server whose inquiry found it (the
    protection agent of its host is attached to that server), the largest VMs first, each to the server with the most room left;
    no server goes over O(max_vms) VMs or O(max_terabytes) TB, counting what it protects in other groups.
  - Fails, naming the VMs, when some VMs fit on no server or no server can reach them.
options:
  _input:
    description:
      - One entry per MABS server - C(name), and the module's C(server) and C(members) results.
    type: list
    elements: dict
    required: true
  group:
    description: The protection group's name; members it already protects on a server stay there.
    type: str
    required: true
  max_vms:
    description: Most VMs per server.
    type: int
    default: 800
  max_terabytes:
    description: Most protected data per server, in TB.
    type: float
    default: 80
author:
  - drkit.microsoft maintainers (@drkit-microsoft)
"""

EXAMPLES = r"""
- name: Decide which MABS server protects which VM
  ansible.builtin.set_fact:
    assignment: "{{ surveys | drkit.microsoft.mabs_spread(group='Hyper-V VMs') }}"
"""

RETURN = r"""
_value:
  description: "For each server name, its members as the module's O(drkit.microsoft.hyperv_protection_group#module:members) option
    takes them ({host, vm_id})."
  type: dict
"""

from ansible.errors import AnsibleFilterError

TIB = 1024 ** 4


def mabs_spread(surveys, group, max_vms=800, max_terabytes=80):
    servers = [_server(survey, group) for survey in surveys]
    vms = {}
    for server in servers:
        for member in server["members"]:
            # A server that could not read the VM's host reports its size as 0: the largest figure is the VM's.
            if member["vm_id"] not in vms or member["size_bytes"] > vms[member["vm_id"]]["size_bytes"]:
                vms[member["vm_id"]] = member
    assignment = dict((server["name"], []) for server in servers)
    unplaced = []
    pending = sorted(vms.values(), key=lambda vm: (-vm["size_bytes"], vm["name"]))
    kept = set()
    for vm in pending:
        keeper = next((server for server in servers if vm["vm_id"] in server["kept"]), None)
        if keeper is not None:
            assignment[keeper["name"]].append(_member(vm))
            kept.add(vm["vm_id"])
    limit_bytes = max_terabytes * TIB
    for vm in pending:
        if vm["vm_id"] in kept:
            continue
        candidates = [server for server in servers if vm["vm_id"] in server["reachable"]
                      and server["count"] + 1 <= max_vms and server["bytes"] + vm["size_bytes"] <= limit_bytes]
        if not candidates:
            unplaced.append(vm["name"])
            continue
        chosen = max(candidates, key=lambda server: (limit_bytes - server["bytes"], max_vms - server["count"], server["name"]))
        chosen["count"] += 1
        chosen["bytes"] += vm["size_bytes"]
        assignment[chosen["name"]].append(_member(vm))
    if unplaced:
        raise AnsibleFilterError("no MABS server can take %s within %d VMs and %g TB per server, or reach their hosts: add a MABS server or "
                                 "attach the hosts' agents to one with room" % (", ".join(sorted(unplaced)), max_vms, max_terabytes))
    return assignment


def _server(survey, group):
    """A server's load (its protected VMs already count the group's members it keeps) and the VMs it can take."""
    members = survey["members"]
    return {"name": survey["name"], "members": members,
            "kept": set(member["vm_id"] for member in members if (member.get("protection_group") or "").lower() == group.lower()),
            "reachable": set(member["vm_id"] for member in members if member["found_by_inquiry"] and not member.get("protection_group")),
            "count": survey["server"]["protected_vm_count"], "bytes": survey["server"]["protected_bytes"]}


def _member(vm):
    return {"host": vm["host"], "vm_id": vm["vm_id"]}


class FilterModule(object):
    def filters(self):
        return {"mabs_spread": mabs_spread}
