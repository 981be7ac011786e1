# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A protection group as the module's options describe it, and as the read script reports it.

Both sides are reduced to one shape, the *policy*, so the planner compares like with like:

    {"retention_days": 5, "synchronization_frequency_minutes": 15 | None (None: just before a
     recovery point), "recovery_point_times": ["08:00", "20:00"], "recovery_point_days": ["monday", ...],
     "online": None | {"retention_days": 30, "times": ["21:00"]}, "colocation": False,
     "consistency_check": {"mode": "when_inconsistent"} | {"mode": "scheduled", "days": [...],
     "start": "22:00", "duration_hours": 6}}

Options left out keep the group's current value on an update and take DPM's wizard defaults on
a creation. Every rule of DPM's cmdlets is checked here, before anything is read or written.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter

# Set-DPMPolicyObjective -SynchronizationFrequencyMinutes accepts these values only.
SYNCHRONIZATION_FREQUENCIES = (15, 30, 45, 60, 120, 240, 360, 720, 1440)
# Short-term disk retention: 1 to 448 days (the wizard's and Set-DPMPolicyObjective's range).
MAX_DISK_RETENTION_DAYS = 448
# Online (Azure) daily retention: up to 9999 days, as the Azure Backup agent allows.
MAX_ONLINE_RETENTION_DAYS = 9999
# Online backups: at most three a day.
MAX_ONLINE_TIMES = 3
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
REPLICA_CREATION_METHODS = ("now", "later", "manual")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

# What a new group gets for an option left out: the Create New Protection Group wizard's defaults.
CREATION_DEFAULTS = {
    "retention_days": 5,
    "synchronization_frequency_minutes": 15,
    "recovery_point_times": ["20:00"],
    "recovery_point_days": list(WEEKDAYS),
    "online": None,
    "colocation": False,
    "consistency_check": {"mode": "when_inconsistent"},
}

POLICY_OPTIONS = dict(
    retention_days=dict(type="int"),
    synchronization_frequency_minutes=dict(type="int", choices=list(SYNCHRONIZATION_FREQUENCIES)),
    synchronize_before_recovery_point=dict(type="bool"),
    recovery_point_times=dict(type="list", elements="str"),
    recovery_point_days=dict(type="list", elements="str", choices=list(WEEKDAYS)),
    online_protection=dict(type="dict", options=dict(
        enabled=dict(type="bool", default=True),
        retention_days=dict(type="int"),
        times=dict(type="list", elements="str"),
    )),
    colocation=dict(type="bool"),
    consistency_check=dict(type="dict", options=dict(
        mode=dict(type="str", choices=["when_inconsistent", "scheduled"], required=True),
        days=dict(type="list", elements="str", choices=list(WEEKDAYS)),
        start=dict(type="str"),
        duration_hours=dict(type="int"),
    )),
    replica_creation=dict(type="dict", options=dict(
        method=dict(type="str", choices=list(REPLICA_CREATION_METHODS), default="now"),
        at=dict(type="str"),
    )),
)


def desired_policy(params):
    """The policy keys the options set (validated); keys left out are absent."""
    policy = {}
    retention = params.get("retention_days")
    if retention is not None:
        if not 1 <= retention <= MAX_DISK_RETENTION_DAYS:
            raise InvalidParameter("retention_days", "must be between 1 and %d days" % MAX_DISK_RETENTION_DAYS)
        policy["retention_days"] = retention
    frequency, before = params.get("synchronization_frequency_minutes"), params.get("synchronize_before_recovery_point")
    if frequency is not None and before:
        raise InvalidParameter("synchronize_before_recovery_point", "cannot be true together with synchronization_frequency_minutes")
    if frequency is not None:
        policy["synchronization_frequency_minutes"] = frequency
    elif before:
        policy["synchronization_frequency_minutes"] = None
    elif before is False:
        raise InvalidParameter("synchronize_before_recovery_point", "false needs synchronization_frequency_minutes to say how often instead")
    if params.get("recovery_point_times") is not None:
        policy["recovery_point_times"] = _times("recovery_point_times", params["recovery_point_times"], maximum=None)
    if params.get("recovery_point_days") is not None:
        policy["recovery_point_days"] = _days("recovery_point_days", params["recovery_point_days"])
    online = params.get("online_protection")
    if online is not None:
        policy["online"] = _online(online)
    if params.get("colocation") is not None:
        policy["colocation"] = params["colocation"]
    if params.get("consistency_check") is not None:
        policy["consistency_check"] = _consistency_check(params["consistency_check"])
    return policy


def replica_creation(params):
    """{"method": "now"|"later"|"manual", "at": ISO time or None}: how a new member's first copy is made."""
    option = params.get("replica_creation") or {"method": "now", "at": None}
    method, at = option["method"], option.get("at")
    if method != "later":
        if at:
            raise InvalidParameter("replica_creation.at", "is used only with method later")
        return {"method": method, "at": None}
    if not at:
        raise InvalidParameter("replica_creation.at", "is required with method later (for example 2026-11-24T01:00:00)")
    # The MABS server's local time: the controller's clock says nothing about it, so only the form is checked here.
    try:
        datetime.datetime.strptime(at, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise InvalidParameter("replica_creation.at", "must be a local time of the MABS server as YYYY-MM-DDTHH:MM:SS")
    return {"method": method, "at": at}


def normalized_policy(policy):
    """A policy as read from a server, in the order the options produce: days in week order, times sorted."""
    if policy is None:
        return None
    policy = dict(policy)
    policy["recovery_point_times"] = sorted(set(policy.get("recovery_point_times") or []))
    policy["recovery_point_days"] = [day for day in WEEKDAYS if day in (policy.get("recovery_point_days") or [])]
    if policy.get("online"):
        policy["online"] = dict(policy["online"], times=sorted(set(policy["online"].get("times") or [])))
    check = policy.get("consistency_check")
    if check and check.get("mode") == "scheduled":
        policy["consistency_check"] = dict(check, days=[day for day in WEEKDAYS if day in (check.get("days") or [])])
    return policy


def effective_policy(desired, current):
    """The complete policy the group must end with: *desired*'s keys over *current*'s, or over the defaults."""
    policy = dict(current if current is not None else CREATION_DEFAULTS)
    policy.update(desired)
    return policy


def _online(option):
    if not option["enabled"]:
        if option.get("retention_days") is not None or option.get("times"):
            raise InvalidParameter("online_protection", "retention_days and times are used only with enabled=true")
        return None
    retention = option.get("retention_days")
    if retention is None or not 1 <= retention <= MAX_ONLINE_RETENTION_DAYS:
        raise InvalidParameter("online_protection.retention_days", "is required, between 1 and %d days" % MAX_ONLINE_RETENTION_DAYS)
    times = _times("online_protection.times", option.get("times") or ["21:00"], maximum=MAX_ONLINE_TIMES)
    return {"retention_days": retention, "times": times}


def _consistency_check(option):
    if option["mode"] == "when_inconsistent":
        for key in ("days", "start", "duration_hours"):
            if option.get(key) is not None:
                raise InvalidParameter("consistency_check.%s" % key, "is used only with mode scheduled")
        return {"mode": "when_inconsistent"}
    duration = option.get("duration_hours")
    if duration is None or not 1 <= duration <= 24:
        raise InvalidParameter("consistency_check.duration_hours", "is required with mode scheduled, between 1 and 24 hours")
    if not option.get("start"):
        raise InvalidParameter("consistency_check.start", "is required with mode scheduled, as HH:MM")
    return {"mode": "scheduled", "days": _days("consistency_check.days", option.get("days") or list(WEEKDAYS)),
            "start": _times("consistency_check.start", [option["start"]], maximum=1)[0], "duration_hours": duration}


def _times(parameter, values, maximum):
    if not values:
        raise InvalidParameter(parameter, "needs at least one time of day")
    for value in values:
        if not _TIME.fullmatch(value):
            raise InvalidParameter(parameter, "%r is not a time of day as HH:MM (24-hour)" % value)
    unique = sorted(set(values))
    if maximum is not None and len(unique) > maximum:
        raise InvalidParameter(parameter, "allows at most %d times a day" % maximum)
    return unique


def _days(parameter, values):
    if not values:
        raise InvalidParameter(parameter, "needs at least one day")
    return [day for day in WEEKDAYS if day in values]
