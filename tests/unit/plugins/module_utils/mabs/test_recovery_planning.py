"""The planner of hyperv_vm_recovery: times, recovery point choice, earlier recoveries, target rules."""
import datetime

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.timestamps import parse_utc_time
from ansible_collections.drkit.microsoft.plugins.module_utils.mabs import recovery_plan

UTC = datetime.timezone.utc
SOURCE = {"datasource_id": "ds1", "vm_id": "AAAAAAAA-0000-4000-8000-000000000001", "name": "SQL01", "computer": "HV01.contoso.com",
          "protection_group": "Servers", "protected": True,
          "recovery_points": [{"time": "2026-11-19T20:00:00.0000000Z", "location": "Online"},
                              {"time": "2026-11-19T20:00:00.0000000Z", "location": "Disk"},
                              {"time": "2026-11-20T20:00:00.0000000Z", "location": "Disk"}]}
ORIGINAL = {"location": "original", "target_host": None, "target_path": None, "san_recovery": False, "notify": []}


@pytest.mark.parametrize("text,expected", [
    ("2026-11-20T20:00:00Z", datetime.datetime(2026, 11, 20, 20, 0, tzinfo=UTC)),
    ("2026-11-20T21:30:00+01:30", datetime.datetime(2026, 11, 20, 20, 0, tzinfo=UTC)),
    ("2026-11-20T15:00:00-0500", datetime.datetime(2026, 11, 20, 20, 0, tzinfo=UTC)),
    ("2026-11-20T20:00:00.1234567Z", datetime.datetime(2026, 11, 20, 20, 0, 0, 123456, tzinfo=UTC)),
    ("2026-11-20 20:00", datetime.datetime(2026, 11, 20, 20, 0, tzinfo=UTC)),
])
def test_times_are_read_as_iso_8601_in_utc(text, expected):
    assert parse_utc_time(text, "recovery_point_time") == expected


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01T00:00:00Z", "2026-11-20T25:00:00Z"])
def test_a_time_that_is_not_one_names_the_option(text):
    with pytest.raises(InvalidParameter) as raised:
        parse_utc_time(text, "recovery_point_time")
    assert raised.value.parameter == "recovery_point_time"


def test_the_disk_copy_is_preferred_when_a_moment_is_on_disk_and_online():
    wanted = datetime.datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    assert recovery_plan.choose_recovery_point(SOURCE, wanted, "latest_before", "any") == SOURCE["recovery_points"][1]
    assert recovery_plan.choose_recovery_point(SOURCE, wanted, "latest_before", "online") == SOURCE["recovery_points"][0]
    assert recovery_plan.choose_recovery_point(SOURCE, None, "latest_before", "any") == SOURCE["recovery_points"][2]


def test_an_exact_time_without_a_point_lists_the_nearest():
    with pytest.raises(DrkitError, match="nearest are 2026-11-19T20:00:00Z"):
        recovery_plan.choose_recovery_point(SOURCE, datetime.datetime(2026, 11, 19, 21, 0, tzinfo=UTC), "exact", "any")


def ledger(status, has_completed, time="2026-11-20T20:00:00.0000000Z"):
    return {"server": "MABS01", "datasources": [SOURCE], "recoveries": [{
        "datasource_id": "ds1", "recovery_point_time": time, "location": "original", "target_server": "HV01.contoso.com", "target_path": "",
        "job": {"job_id": "j1", "status": status, "has_completed": has_completed}}]}


@pytest.mark.parametrize("status,has_completed,planned", [("Succeeded", True, False), ("InProgress", False, False),
                                                          ("Failed", True, True), ("Unknown", False, True)])
def test_an_earlier_recovery_counts_only_when_its_job_succeeded_or_runs(status, has_completed, planned):
    point = SOURCE["recovery_points"][2]
    plan, earlier, _request = recovery_plan.plan_recovery(ledger(status, has_completed), SOURCE, point, ORIGINAL, force=False)
    assert bool(plan.actions) is planned and (earlier is None) is planned


def test_recovery_to_the_original_instance_is_destructive_and_says_what_it_deletes():
    plan, _earlier, request = recovery_plan.plan_recovery(ledger("Failed", True), SOURCE, SOURCE["recovery_points"][2], ORIGINAL, force=False)
    [action] = plan.result()["plan"]
    assert action["destructive"] and not action["reversible"] and request["target_server"] == "HV01.contoso.com"
    assert any("deleted and replaced" in notice for notice in plan.notices)


@pytest.mark.parametrize("params,parameter", [
    ({"location": "original", "target_host": "hv02"}, "target_host"),
    ({"location": "alternate_host", "target_host": "hv02", "target_path": "relative\\\\path"}, "target_path"),
    ({"location": "network_folder", "target_host": "fs01", "target_path": "D:\\\\a*b"}, "target_path"),
    ({"location": "original", "network_bandwidth_throttling": {"mbps": 10}}, "network_bandwidth_throttling"),
])
def test_targets_are_checked_before_any_contact(params, parameter):
    with pytest.raises(InvalidParameter) as raised:
        recovery_plan.validated_target(params)
    assert raised.value.parameter == parameter
