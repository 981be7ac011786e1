# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure VM backup jobs as the procedure reads them: two phases, the snapshot then the transfer to the vault, and the job's
outcome the procedure's table gives for each pair.

    snapshot   transfer to vault   job
    completed  in progress         in progress
    completed  skipped             completed
    completed  completed           completed
    completed  failed              completed with warning
    failed     failed              failed
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime, timedelta, timezone

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.timestamps import parse_utc_time

SNAPSHOT_TASK = "take snapshot"
TRANSFER_TASK = "transfer data to vault"
FINAL_STATUSES = ("Completed", "CompletedWithWarnings", "Failed", "Cancelled")
MAX_RETENTION_DAYS = 99 * 365


def outcome(snapshot, transfer):
    """The procedure's job outcome for the phases' statuses (the service's words, any case)."""
    snapshot, transfer = (snapshot or "").lower(), (transfer or "").lower()
    if snapshot == "failed":
        return "failed"
    if snapshot != "completed" or transfer in ("inprogress", "notstarted", ""):
        return "in progress"
    return {"skipped": "completed", "completed": "completed", "failed": "completed with warning"}.get(transfer, transfer)


def job_summary(job):
    """A job's document (REST names) in the procedure's terms."""
    properties = job.get("properties") or {}
    tasks = dict(((task.get("taskId") or "").lower(), task.get("status")) for task in (properties.get("extendedInfo") or {}).get("tasksList") or [])
    snapshot, transfer = tasks.get(SNAPSHOT_TASK), tasks.get(TRANSFER_TASK)
    return {"job_id": job.get("name"), "operation": properties.get("operation"), "vm": properties.get("entityFriendlyName"),
            "status": properties.get("status"), "start_time": properties.get("startTime"), "end_time": properties.get("endTime"),
            "duration": properties.get("duration"), "phases": {"snapshot": snapshot, "transfer_to_vault": transfer},
            "outcome": outcome(snapshot, transfer), "finished": properties.get("status") in FINAL_STATUSES}


def retain_until(value, now=None):
    """The recovery point's expiry (ISO 8601 UTC) for the O(retain_until) date; in the future, within 99 years."""
    now = now or datetime.now(timezone.utc)
    if not value:
        day = (now + timedelta(days=30)).date()
    else:
        try:
            day = datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            raise InvalidParameter("retain_until", "must be a date, YYYY-MM-DD")
    if day <= now.date():
        raise InvalidParameter("retain_until", "must be a day after today (%s)" % now.date().isoformat())
    if (day - now.date()).days > MAX_RETENTION_DAYS:
        raise InvalidParameter("retain_until", "must be within 99 years")
    return "%sT00:00:00Z" % day.isoformat()


def recent_backup(item_properties, min_age_minutes, now=None):
    """The time (the service's text) of the protected item's last backup when it completed less than *min_age_minutes* ago,
    else None. Only a backup that completed counts: one completed with warning left its point in the snapshot tier only."""
    stamp = item_properties.get("lastBackupTime")
    if min_age_minutes <= 0 or not stamp or (item_properties.get("lastBackupStatus") or "").lower() != "completed":
        return None
    # Azure writes seven fractional digits; Python reads six.
    whole, dot, fraction = stamp.rstrip("Z").partition(".")
    ended = parse_utc_time(whole + (dot + fraction[:6] if dot else ""), "lastBackupTime")
    now = now or datetime.now(timezone.utc)
    return stamp if now - ended < timedelta(minutes=min_age_minutes) else None
