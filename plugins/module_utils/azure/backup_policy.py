# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure Backup policies for Azure VMs (AzureIaasVM): the module's options checked against the service's rules, mapped to
the policy document Recovery Services stores, and a stored policy mapped back, so the two can be compared field by field.

Standard policies (V1, SimpleSchedulePolicy) back up daily or weekly and keep instant-restore snapshots 1 to 5 days
(2 by default; 5 for weekly backups). Enhanced policies (V2, SimpleSchedulePolicyV2) add hourly backups every 4, 6, 8 or
12 hours inside a window, and keep snapshots 1 to 30 days (7 by default); a policy cannot go back from enhanced to
standard. Schedule times are times of day: the service stores them as date-times whose date means nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter

DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
HOURLY_INTERVALS = (4, 6, 8, 12)
# (minimum, maximum) of each retention's count, as Azure Backup documents them.
RETENTION_RANGES = {"daily": (7, 9999), "weekly": (1, 5163), "monthly": (1, 1188), "yearly": (1, 99)}
INSTANT_RESTORE_DAYS = {"standard": (1, 5, 2), "enhanced": (1, 30, 7)}  # (minimum, maximum, default)
_POLICY_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{1,148}[A-Za-z0-9]$")
_TIME = re.compile(r"^([01]\d|2[0-3]):(00|30)$")
# The date the service's schedule times carry; only the time of day matters.
_SCHEDULE_DATE = "2026-01-01"
_DURATION_TYPES = {"daily": "Days", "weekly": "Weeks", "monthly": "Months", "yearly": "Years"}


def validate_policy_name(name):
    if not _POLICY_NAME.fullmatch(name or ""):
        raise InvalidParameter("name", "must be 3 to 150 letters, digits and hyphens, start with a letter and not end with a hyphen")


def desired_policy(params):
    """The policy document (the resource's ``properties``) the options describe; InvalidParameter names the first broken rule."""
    validate_policy_name(params["name"])
    policy_type = params["policy_type"]
    schedule = params["schedule"]
    frequency = schedule["frequency"]
    if frequency == "hourly" and policy_type != "enhanced":
        raise InvalidParameter("schedule.frequency", "hourly backups need policy_type=enhanced")
    times = _times(schedule, frequency)
    days = _week_days(schedule.get("days"), "schedule.days") if frequency == "weekly" else []
    if frequency == "weekly" and not days:
        raise InvalidParameter("schedule.days", "is required with schedule.frequency=weekly")
    low, high, default = INSTANT_RESTORE_DAYS[policy_type]
    instant = params.get("instant_restore_days")
    if instant is None:
        instant = 5 if frequency == "weekly" and policy_type == "standard" else default
    if not low <= instant <= high:
        raise InvalidParameter("instant_restore_days", "must be %d to %d for a %s policy" % (low, high, policy_type))
    if frequency == "weekly" and policy_type == "standard" and instant != 5:
        raise InvalidParameter("instant_restore_days", "must be 5 for a standard policy with weekly backups")
    document = {"backupManagementType": "AzureIaasVM", "policyType": "V2" if policy_type == "enhanced" else "V1",
                "instantRpRetentionRangeInDays": instant, "timeZone": params.get("time_zone") or "UTC",
                "schedulePolicy": _schedule_policy(policy_type, frequency, times, days, schedule),
                "retentionPolicy": _retention_policy(params["retention"], frequency, times, days)}
    return document


def _times(schedule, frequency):
    if frequency == "hourly":
        start = schedule.get("window_start") or "08:00"
        if not _TIME.match(start):
            raise InvalidParameter("schedule.window_start", "must be a time of day on the hour or half hour, HH:MM (08:00)")
        return [start]
    times = schedule.get("times") or []
    if len(times) != 1:
        raise InvalidParameter("schedule.times", "must hold exactly one time of day for a %s backup" % frequency)
    if not _TIME.match(times[0]):
        raise InvalidParameter("schedule.times", "must be a time of day on the hour or half hour, HH:MM (23:30)")
    return list(times)


def _week_days(days, parameter):
    found = []
    for day in days or []:
        matching = [d for d in DAYS if d.lower() == str(day).lower()]
        if not matching:
            raise InvalidParameter(parameter, "%s is not a day of the week (%s)" % (day, ", ".join(DAYS)))
        if matching[0] not in found:
            found.append(matching[0])
    return sorted(found, key=DAYS.index)


def _stamp(time_of_day):
    return "%sT%s:00Z" % (_SCHEDULE_DATE, time_of_day)


def _schedule_policy(policy_type, frequency, times, days, schedule):
    if policy_type == "standard":
        return {"schedulePolicyType": "SimpleSchedulePolicy", "scheduleRunFrequency": frequency.capitalize(),
                "scheduleRunTimes": [_stamp(t) for t in times], "scheduleRunDays": days if frequency == "weekly" else None,
                "scheduleWeeklyFrequency": 0}
    policy = {"schedulePolicyType": "SimpleSchedulePolicyV2", "scheduleRunFrequency": frequency.capitalize()}
    if frequency == "hourly":
        interval = schedule.get("interval")
        if interval not in HOURLY_INTERVALS:
            raise InvalidParameter("schedule.interval", "must be one of %s hours for hourly backups" % ", ".join(map(str, HOURLY_INTERVALS)))
        duration = schedule.get("window_hours") or 24
        if not interval <= duration <= 24 or duration % interval:
            raise InvalidParameter("schedule.window_hours", "must be a multiple of schedule.interval, at most 24")
        policy["hourlySchedule"] = {"interval": interval, "scheduleWindowStartTime": _stamp(times[0]), "scheduleWindowDuration": duration}
    elif frequency == "daily":
        policy["dailySchedule"] = {"scheduleRunTimes": [_stamp(t) for t in times]}
    else:
        policy["weeklySchedule"] = {"scheduleRunDays": days, "scheduleRunTimes": [_stamp(t) for t in times]}
    return policy


def _retention_policy(retention, frequency, times, days):
    retention = retention or {}
    if frequency in ("daily", "hourly") and not retention.get("daily"):
        raise InvalidParameter("retention.daily", "is required with daily or hourly backups")
    if frequency == "weekly" and retention.get("daily"):
        raise InvalidParameter("retention.daily", "is not possible with weekly backups; use retention.weekly")
    if frequency == "weekly" and not retention.get("weekly"):
        raise InvalidParameter("retention.weekly", "is required with weekly backups")
    policy = {"retentionPolicyType": "LongTermRetentionPolicy"}
    stamps = [_stamp(t) for t in times]
    for kind in ("daily", "weekly", "monthly", "yearly"):
        spec = retention.get(kind)
        if not spec:
            continue
        low, high = RETENTION_RANGES[kind]
        count = spec.get("count")
        if not isinstance(count, int) or not low <= count <= high:
            raise InvalidParameter("retention.%s.count" % kind, "must be %d to %d" % (low, high))
        entry = {"retentionTimes": stamps, "retentionDuration": {"count": count, "durationType": _DURATION_TYPES[kind]}}
        if kind == "weekly":
            entry["daysOfTheWeek"] = _week_days(spec.get("days") or days, "retention.weekly.days")
            if not entry["daysOfTheWeek"]:
                raise InvalidParameter("retention.weekly.days", "is required: the days whose backups are kept weekly")
            if frequency == "weekly" and not set(entry["daysOfTheWeek"]) <= set(days):
                raise InvalidParameter("retention.weekly.days", "must be days the schedule backs up on")
        elif kind in ("monthly", "yearly"):
            entry.update(_days_of_month(spec, kind))
            if kind == "yearly":
                entry["monthsOfYear"] = _months(spec.get("months"))
        policy["%sSchedule" % kind] = entry
    return policy


def _days_of_month(spec, kind):
    days = spec.get("days_of_month") or []
    if not days:
        raise InvalidParameter("retention.%s.days_of_month" % kind, "is required: 1 to 28, or Last")
    dates = []
    for day in days:
        if str(day).lower() == "last":
            dates.append({"date": 0, "isLast": True})
        elif isinstance(day, int) and 1 <= day <= 28:
            dates.append({"date": day, "isLast": False})
        else:
            raise InvalidParameter("retention.%s.days_of_month" % kind, "%s is not a day 1 to 28 or Last" % day)
    return {"retentionScheduleFormatType": "Daily", "retentionScheduleDaily": {"daysOfTheMonth": dates}}


def _months(months):
    found = []
    for month in months or []:
        matching = [m for m in MONTHS if m.lower() == str(month).lower()]
        if not matching:
            raise InvalidParameter("retention.yearly.months", "%s is not a month (%s)" % (month, ", ".join(MONTHS)))
        found.append(matching[0])
    if not found:
        raise InvalidParameter("retention.yearly.months", "is required: the months whose backups are kept yearly")
    return sorted(set(found), key=MONTHS.index)


def comparable(document):
    """A stored or desired policy document reduced to what the options decide, schedule times as times of day."""
    if document is None:
        return None
    schedule = dict((key, value) for key, value in document["schedulePolicy"].items() if value not in (None, [], 0))
    for key in ("scheduleRunTimes",):
        if key in schedule:
            schedule[key] = [_time_of_day(t) for t in schedule[key]]
    for nested in ("dailySchedule", "weeklySchedule"):
        if nested in schedule:
            schedule[nested] = dict(schedule[nested], scheduleRunTimes=[_time_of_day(t) for t in schedule[nested]["scheduleRunTimes"]])
    if "hourlySchedule" in schedule:
        schedule["hourlySchedule"] = dict(schedule["hourlySchedule"],
                                          scheduleWindowStartTime=_time_of_day(schedule["hourlySchedule"]["scheduleWindowStartTime"]))
    retention = {"retentionPolicyType": document["retentionPolicy"]["retentionPolicyType"]}
    for key, entry in document["retentionPolicy"].items():
        if key.endswith("Schedule") and entry:
            retention[key] = dict((k, v) for k, v in entry.items() if k != "retentionTimes")
            retention[key]["retentionTimes"] = [_time_of_day(t) for t in entry.get("retentionTimes") or []]
    return {"policyType": document.get("policyType") or "V1", "instantRpRetentionRangeInDays": document.get("instantRpRetentionRangeInDays"),
            "timeZone": document.get("timeZone") or "UTC", "schedulePolicy": schedule, "retentionPolicy": retention}


def _time_of_day(stamp):
    """``HH:MM`` of a schedule time the service stores (``2018-01-24T02:00:00Z`` or with a fraction and offset)."""
    found = re.search(r"T(\d{2}):(\d{2})", stamp or "")
    return "%s:%s" % found.groups() if found else stamp


def is_downgrade(current, desired):
    """Enhanced (V2) back to standard (V1): the service refuses it, and so does the module, before any call."""
    return current is not None and (current.get("policyType") or "V1") == "V2" and desired["policyType"] == "V1"
