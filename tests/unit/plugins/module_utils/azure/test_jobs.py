"""Backup jobs read as the procedure's table reads them; the retain-until date."""
from datetime import datetime, timezone

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.azure import jobs
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter


@pytest.mark.parametrize("snapshot, transfer, outcome", [
    ("Completed", "InProgress", "in progress"), ("Completed", "Skipped", "completed"), ("Completed", "Completed", "completed"),
    ("Completed", "Failed", "completed with warning"), ("Failed", "Failed", "failed"), ("InProgress", "NotStarted", "in progress")])
def test_the_procedure_s_table(snapshot, transfer, outcome):
    assert jobs.outcome(snapshot, transfer) == outcome


def test_a_job_document_is_summarized_with_its_phases():
    job = {"name": "j1", "properties": {"operation": "Backup", "status": "CompletedWithWarnings", "entityFriendlyName": "app01",
                                        "extendedInfo": {"tasksList": [{"taskId": "Take Snapshot", "status": "Completed"},
                                                                       {"taskId": "Transfer data to vault", "status": "Failed"}]}}}
    summary = jobs.job_summary(job)
    assert (summary["outcome"], summary["finished"], summary["phases"]["transfer_to_vault"]) == ("completed with warning", True, "Failed")


def test_retain_until_is_a_future_day_within_99_years():
    now = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
    assert jobs.retain_until(None, now) == "2026-12-23T00:00:00Z"
    assert jobs.retain_until("2027-01-31", now) == "2027-01-31T00:00:00Z"
    for value in ("2026-11-23", "31-01-2027", "2126-01-01"):
        with pytest.raises(InvalidParameter) as refused:
            jobs.retain_until(value, now)
        assert refused.value.parameter == "retain_until"


@pytest.mark.parametrize("status, stamp, minutes, recent", [
    ("Completed", "2026-11-23T07:30:00.1234567Z", 60, "2026-11-23T07:30:00.1234567Z"),
    ("Completed", "2026-11-23T06:59:59Z", 60, None),
    ("CompletedWithWarnings", "2026-11-23T07:30:00Z", 60, None),
    ("Failed", "2026-11-23T07:30:00Z", 60, None),
    ("Completed", "2026-11-23T07:59:00Z", 0, None),
    ("Completed", None, 60, None)])
def test_a_recent_backup_is_one_that_completed_within_the_minimum_age(status, stamp, minutes, recent):
    properties = {"lastBackupStatus": status, "lastBackupTime": stamp}
    assert jobs.recent_backup(properties, minutes, now=datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)) == recent
