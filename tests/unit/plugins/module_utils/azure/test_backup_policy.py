"""Azure VM backup policies: the options checked against Azure Backup's rules, the stored document, its comparison."""
import copy

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.azure import backup_policy
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter

DAILY = {"name": "vm-daily", "policy_type": "standard", "time_zone": "W. Europe Standard Time",
         "schedule": {"frequency": "daily", "times": ["23:30"]},
         "retention": {"daily": {"count": 30}, "monthly": {"count": 12, "days_of_month": [1, "Last"]}}}
HOURLY = {"name": "vm-hourly", "policy_type": "enhanced",
          "schedule": {"frequency": "hourly", "interval": 4, "window_start": "08:00", "window_hours": 12},
          "retention": {"daily": {"count": 14}}}
WEEKLY = {"name": "vm-weekly", "policy_type": "standard", "schedule": {"frequency": "weekly", "times": ["02:00"], "days": ["sunday"]},
          "retention": {"weekly": {"count": 12}, "yearly": {"count": 3, "months": ["december"], "days_of_month": ["Last"]}}}


def test_a_standard_daily_policy_is_the_document_the_service_stores():
    document = backup_policy.desired_policy(DAILY)
    assert (document["policyType"], document["instantRpRetentionRangeInDays"], document["timeZone"]) == ("V1", 2, "W. Europe Standard Time")
    assert document["schedulePolicy"]["schedulePolicyType"] == "SimpleSchedulePolicy"
    assert document["schedulePolicy"]["scheduleRunTimes"] == ["2026-01-01T23:30:00Z"]
    monthly = document["retentionPolicy"]["monthlySchedule"]
    assert monthly["retentionScheduleDaily"]["daysOfTheMonth"] == [{"date": 1, "isLast": False}, {"date": 0, "isLast": True}]
    assert monthly["retentionDuration"] == {"count": 12, "durationType": "Months"}


def test_an_enhanced_hourly_policy_has_its_window_and_a_week_of_snapshots_by_default():
    document = backup_policy.desired_policy(HOURLY)
    assert document["policyType"] == "V2" and document["instantRpRetentionRangeInDays"] == 7
    window = {"interval": 4, "scheduleWindowStartTime": "2026-01-01T08:00:00Z", "scheduleWindowDuration": 12}
    assert document["schedulePolicy"]["hourlySchedule"] == window


def test_a_weekly_standard_policy_keeps_snapshots_five_days_and_names_its_days():
    document = backup_policy.desired_policy(WEEKLY)
    assert document["instantRpRetentionRangeInDays"] == 5 and document["schedulePolicy"]["scheduleRunDays"] == ["Sunday"]
    assert document["retentionPolicy"]["weeklySchedule"]["daysOfTheWeek"] == ["Sunday"]
    assert document["retentionPolicy"]["yearlySchedule"]["monthsOfYear"] == ["December"]


@pytest.mark.parametrize("change, parameter, rule", [
    ({"name": "9lives"}, "name", "start with a letter"),
    ({"name": "ab"}, "name", "3 to 150"),
    ({"name": "ends-"}, "name", "not end with a hyphen"),
    ({"instant_restore_days": 6}, "instant_restore_days", "1 to 5"),
    ({"schedule": {"frequency": "daily", "times": ["23:15"]}}, "schedule.times", "half hour"),
    ({"schedule": {"frequency": "daily", "times": ["01:00", "13:00"]}}, "schedule.times", "exactly one"),
    ({"schedule": {"frequency": "hourly", "interval": 4}}, "schedule.frequency", "policy_type=enhanced"),
    ({"retention": {"daily": {"count": 6}}}, "retention.daily.count", "7 to 9999"),
    ({"retention": {"daily": {"count": 30}, "monthly": {"count": 1189, "days_of_month": [1]}}}, "retention.monthly.count", "1 to 1188"),
    ({"retention": {"daily": {"count": 30}, "monthly": {"count": 6, "days_of_month": [29]}}}, "retention.monthly.days_of_month", "1 to 28"),
    ({"retention": {"monthly": {"count": 6, "days_of_month": [1]}}}, "retention.daily", "required"),
])
def test_every_rule_is_checked_before_any_call_and_names_its_parameter(change, parameter, rule):
    with pytest.raises(InvalidParameter) as refused:
        backup_policy.desired_policy(dict(DAILY, **change))
    assert refused.value.parameter == parameter and rule in str(refused.value)


@pytest.mark.parametrize("change, parameter", [
    ({"schedule": dict(HOURLY["schedule"], interval=5)}, "schedule.interval"),
    ({"schedule": dict(HOURLY["schedule"], window_hours=10)}, "schedule.window_hours"),
    ({"instant_restore_days": 31}, "instant_restore_days"),
])
def test_enhanced_rules(change, parameter):
    with pytest.raises(InvalidParameter) as refused:
        backup_policy.desired_policy(dict(HOURLY, **change))
    assert refused.value.parameter == parameter


def test_weekly_rules():
    with pytest.raises(InvalidParameter) as refused:
        backup_policy.desired_policy(dict(WEEKLY, instant_restore_days=2))
    assert refused.value.parameter == "instant_restore_days"
    with pytest.raises(InvalidParameter) as refused:
        backup_policy.desired_policy(dict(WEEKLY, retention={"weekly": {"count": 4, "days": ["Monday"]}}))
    assert refused.value.parameter == "retention.weekly.days"


def test_a_stored_policy_equals_the_desired_one_whatever_date_its_times_carry():
    desired = backup_policy.desired_policy(DAILY)
    stored = copy.deepcopy(desired)
    stored["schedulePolicy"]["scheduleRunTimes"] = ["2018-01-24T23:30:00.0000000Z"]
    stored["retentionPolicy"]["dailySchedule"]["retentionTimes"] = ["2018-01-24T23:30:00+00:00"]
    stored["protectedItemsCount"] = 3
    assert backup_policy.comparable(stored) == backup_policy.comparable(desired)
    stored["schedulePolicy"]["scheduleRunTimes"] = ["2018-01-24T22:30:00Z"]
    assert backup_policy.comparable(stored) != backup_policy.comparable(desired)


def test_enhanced_to_standard_is_a_downgrade():
    enhanced, standard = backup_policy.desired_policy(HOURLY), backup_policy.desired_policy(DAILY)
    assert backup_policy.is_downgrade(enhanced, standard) and not backup_policy.is_downgrade(standard, enhanced)
    assert not backup_policy.is_downgrade(None, standard)
