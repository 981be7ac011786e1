# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The planner of hyperv_vm_recovery: which data source, which recovery point, what the recovery does.

Pure: from the read script's state and the validated options to a Plan whose one action is the
recovery (or none, when the ledger shows this very recovery was already made or is running).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import ActionType, Plan
from ansible_collections.drkit.microsoft.plugins.module_utils.core.timestamps import parse_utc_time
from ansible_collections.drkit.microsoft.plugins.module_utils.mabs.members import normalized_id

RECOVER_TO_ORIGINAL = ActionType("recover_vm_to_original_instance", "overwrite", destructive=True, reversible=False)
RECOVER_TO_ALTERNATE_HOST = ActionType("recover_vm_to_alternate_host", "create")
COPY_TO_NETWORK_FOLDER = ActionType("copy_vm_to_network_folder", "copy")
ACTION_TYPES = {"original": RECOVER_TO_ORIGINAL, "alternate_host": RECOVER_TO_ALTERNATE_HOST, "network_folder": COPY_TO_NETWORK_FOLDER}
# CreateDirectory refuses paths of 248 characters and more (MAX_PATH less room for an 8.3 file name).
MAX_DIRECTORY_PATH = 248
_WINDOWS_PATH = re.compile(r"^([A-Za-z]:\\|\\\\[^\\/:*?\"<>|]+\\[^\\/:*?\"<>|]+)")
# Windows refuses these in a path, control characters (0-31) among them.
_FORBIDDEN_PATH_CHARACTERS = re.compile(r"[/*?\"<>|\x00-\x1f]|:(?!\\)")
_EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$")


def validated_target(params):
    """{"location", "target_host", "target_path", "san_recovery", "notify"}, every rule checked before any contact."""
    location = params["location"]
    if params.get("network_bandwidth_throttling"):
        raise InvalidParameter("network_bandwidth_throttling", "DPM's PowerShell cannot throttle a recovery (only the Recovery Wizard's "
                                                               "network bandwidth usage throttling can): set it in the console, or leave it out")
    host, path = params.get("target_host"), params.get("target_path")
    if location == "original":
        for name, value in (("target_host", host), ("target_path", path)):
            if value:
                raise InvalidParameter(name, "is not used with location=original (the VM goes back to its own host and paths)")
    else:
        if not host:
            raise InvalidParameter("target_host", "is required with location=%s (the Hyper-V host, or server holding the folder)" % location)
        if not path:
            raise InvalidParameter("target_path", "is required with location=%s" % location)
        if not _WINDOWS_PATH.match(path) or _FORBIDDEN_PATH_CHARACTERS.search(path[2:]):
            raise InvalidParameter("target_path", "must be an absolute Windows path such as D:\\Recovered or \\\\server\\share\\folder")
        if len(path) >= MAX_DIRECTORY_PATH:
            raise InvalidParameter("target_path", "is %d characters; a recovered VM's files must stay under 260, so the folder must be under %d"
                                   % (len(path), MAX_DIRECTORY_PATH))
    for address in params.get("notify") or []:
        if not _EMAIL.fullmatch(address):
            raise InvalidParameter("notify", "%r is not an e-mail address" % address)
    return {"location": location, "target_host": host, "target_path": path, "san_recovery": bool(params.get("san_recovery")),
            "notify": list(params.get("notify") or [])}


def choose_datasource(state, vm):
    """The one data source the options name, by VM id or by name on its host or cluster."""
    candidates = state["datasources"]
    label = vm.get("vm") or vm.get("vm_id")
    if not candidates:
        raise DrkitError("MABS %s protects no VM %s on %s, and keeps no replica of one" % (state["server"], label, vm["host"]),
                         step="choose_datasource", target=label)
    if len(candidates) > 1:
        raise DrkitError("%d data sources match %s on %s (VM ids %s): name the VM by vm_id"
                         % (len(candidates), label, vm["host"], ", ".join(sorted(source["vm_id"] for source in candidates))),
                         step="choose_datasource", target=label)
    return candidates[0]


def choose_recovery_point(source, wanted_time, match, location):
    """The recovery point: the latest (at or before *wanted_time*), or the one exactly at *wanted_time*."""
    points = [dict(point, moment=_moment(point["time"])) for point in source["recovery_points"]
              if location == "any" or point["location"].lower() == location]
    if not points:
        raise DrkitError("%s has no %srecovery point" % (source["name"], "" if location == "any" else location + " "),
                         step="choose_recovery_point", target=source["name"])
    # Disk before online for the same moment: recovering from disk is faster and needs no Azure download.
    points.sort(key=lambda point: (point["moment"], point["location"].lower() == "disk"))
    if wanted_time is None:
        chosen = points[-1]
    elif match == "exact":
        exact = [point for point in points if point["moment"].replace(microsecond=0) == wanted_time.replace(microsecond=0)]
        chosen = exact[-1] if exact else None
    else:
        earlier = [point for point in points if point["moment"] <= wanted_time]
        chosen = earlier[-1] if earlier else None
    if chosen is None:
        nearest = sorted(points, key=lambda point: abs((point["moment"] - wanted_time).total_seconds()))[:5]
        raise DrkitError("%s has no recovery point %s %s; the nearest are %s" % (
            source["name"], "at" if match == "exact" else "at or before", _iso(wanted_time),
            ", ".join("%s (%s)" % (_iso(point["moment"]), point["location"]) for point in sorted(nearest, key=lambda point: point["moment"]))),
            step="choose_recovery_point", target=source["name"])
    return {"time": chosen["time"], "location": chosen["location"]}


def plan_recovery(state, source, point, target, force):
    """(plan, earlier recovery or None): the recovery to start, or nothing when the same one was made or runs."""
    # A clustered VM is recovered to its cluster resource group, <vm>.<cluster>.<domain>: its data source's computer.
    target_server = target["target_host"] or source["computer"]
    request = {"datasource_id": source["datasource_id"], "recovery_point_time": point["time"], "recovery_point_location": point["location"],
               "location": target["location"], "target_server": target_server, "target_path": target["target_path"] or "",
               "san_recovery": target["san_recovery"], "notify": target["notify"]}
    plan = Plan()
    earlier = None if force else _earlier_recovery(state, request)
    if earlier is not None:
        return plan, earlier, request
    action_type = ACTION_TYPES[target["location"]]
    plan.add(action_type(source["name"], vm_id=normalized_id(source["vm_id"]), recovery_point=point, target_server=target_server,
                         target_path=target["target_path"], san_recovery=target["san_recovery"], notify=target["notify"]))
    for text in _notices(source, point, target, target_server):
        plan.notice(text)
    return plan, None, request


def _earlier_recovery(state, request):
    """The ledger's record of the same recovery, if its job succeeded or still runs."""
    for recovery in state["recoveries"]:
        same = all(str(recovery.get(key) or "") == str(request[key] or "") for key in ("datasource_id", "location", "target_server", "target_path"))
        same_point = _moment(recovery["recovery_point_time"]) == _moment(request["recovery_point_time"])
        job = recovery["job"]
        # A job DPM no longer lists (Unknown) proves nothing either way: the recovery is planned again.
        if same and same_point and (job["status"] == "Succeeded" or (job["status"] != "Unknown" and not job["has_completed"])):
            return recovery
    return None


def _notices(source, point, target, target_server):
    when = "%s (%s)" % (point["time"], point["location"].lower())
    if target["location"] == "original":
        yield ("%s on %s is recovered to its original instance: its current VHDs and all their checkpoints are deleted and replaced by the "
               "recovery point of %s; everything written after it is lost" % (source["name"], target_server, when))
        if source["computer"].lower().startswith(source["name"].lower() + "."):
            yield "%s is clustered: its cluster resource group must still exist for the recovery to succeed" % source["name"]
    elif target["location"] == "alternate_host":
        yield ("a new VM %s is created on %s in %s from the recovery point of %s; the original VM is not touched" % (
            source["name"], target_server, target["target_path"], when))
        yield "a VM recovered to a cluster node is not highly available: add it to the cluster with Failover Cluster Manager if it must be"
    else:
        yield "the files of %s at %s are copied to %s on %s; no VM is registered" % (source["name"], when, target["target_path"], target_server)
    if point["location"].lower() == "online":
        yield "the recovery point is in Azure: its data is downloaded first, which takes longer than a recovery from disk"


def _moment(text):
    return parse_utc_time(text, "recovery_point_time")


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
