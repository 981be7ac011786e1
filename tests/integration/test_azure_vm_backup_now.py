"""drkit.microsoft.azure_vm_backup_now and azure_vm_backup_job_info against the lab: the job's two phases and the outcome the
procedure's table gives them."""
import datetime

import pytest

from lab_admin import admin
from module_runner import run_module


def backup_args(azure_args, vm, **options):
    values = dict(azure_args, vault_name=vm["vault"]["name"], resource_group=vm["vault"]["resource_group"],
                  vm={"name": vm["name"], "resource_group": vm["resource_group"]}, wait_timeout=60)
    values.update(options)
    return values


def tomorrow():
    return (datetime.date.today() + datetime.timedelta(days=1)).isoformat()


def test_a_backup_now_is_followed_through_both_phases(lab, azure_args, azure_env, protected_vm):
    preview = run_module("azure_vm_backup_now", backup_args(azure_args, protected_vm, retain_until=tomorrow()), check=True, env=azure_env)
    assert not preview.failed, preview.result
    assert [a["action"] for a in preview["plan"]] == ["backup_now"] and "job_id" not in preview.result

    started = run_module("azure_vm_backup_now", backup_args(azure_args, protected_vm, retain_until=tomorrow()), env=azure_env)
    assert not started.failed, started.result
    assert started["job"]["outcome"] == "in progress" and started["job"]["phases"]["snapshot"] == "InProgress"
    busy = run_module("azure_vm_backup_now", backup_args(azure_args, protected_vm), env=azure_env)
    assert busy.failed and busy["error_code"] == "UserErrorBackupOperationInProgress"

    info_args = dict(azure_args, vault_name=protected_vm["vault"]["name"], resource_group=protected_vm["vault"]["resource_group"],
                     job_id=started["job_id"])
    for _attempt in range(40):
        info = run_module("azure_vm_backup_job_info", info_args, env=azure_env)
        if info["job"]["finished"]:
            break
    assert info["changed"] is False and info["job"]["status"] == "Completed" and info["job"]["outcome"] == "completed"
    assert info["job"]["phases"] == {"snapshot": "Completed", "transfer_to_vault": "Completed"} and info["job"]["end_time"]


@pytest.mark.parametrize("job_outcome, outcome, failed", [("transfer_failed", "completed with warning", False),
                                                          ("transfer_skipped", "completed", False), ("snapshot_failed", "failed", True)])
def test_the_outcome_follows_the_procedure_s_table(lab, azure_args, azure_env, protected_vm, job_outcome, outcome, failed):
    admin(lab, "PATCH", "/settings", {"job_outcome": job_outcome}, service="arm")
    done = run_module("azure_vm_backup_now", backup_args(azure_args, protected_vm, wait=True), env=azure_env)
    assert done.failed is failed, done.result
    if failed:
        assert done["error_code"] == "Failed" and "snapshot Failed" in done["msg"]
    else:
        assert done["job"]["outcome"] == outcome and done["job"]["finished"]
        assert any("completed with warning" in notice for notice in done["notices"]) == (outcome == "completed with warning")


def test_refusals_before_any_backup(lab, azure_args, azure_env, azure_vm, protected_vm):
    past = run_module("azure_vm_backup_now", backup_args(azure_args, protected_vm, retain_until="2020-01-01"), env=azure_env)
    assert past.failed and "retain_until" in past["msg"]
    stranger = dict(azure_vm(), vault=protected_vm["vault"])
    unprotected = run_module("azure_vm_backup_now", backup_args(azure_args, stranger), env=azure_env)
    assert unprotected.failed and "is not protected by vault" in unprotected["msg"]


def test_a_backup_that_completed_within_the_minimum_age_is_not_taken_again(lab, azure_args, azure_env, protected_vm):
    first = run_module("azure_vm_backup_now", backup_args(azure_args, protected_vm, wait=True, last_backup_min_age=60), env=azure_env)
    assert first["changed"] is True and first["job"]["outcome"] == "completed", first.result
    jobs_before = admin(lab, "GET", "/state", service="arm")["jobs"]

    again = run_module("azure_vm_backup_now", backup_args(azure_args, protected_vm, wait=True, last_backup_min_age=60), env=azure_env)
    assert (again["changed"], again["plan"]) == (False, []) and "job_id" not in again.result
    assert any("less than 60 minutes ago" in notice for notice in again["notices"])
    assert admin(lab, "GET", "/state", service="arm")["jobs"] == jobs_before

    every_run = run_module("azure_vm_backup_now", backup_args(azure_args, protected_vm, wait=True), env=azure_env)
    assert every_run["changed"] is True and every_run["job_id"] != first["job_id"]
    negative = run_module("azure_vm_backup_now", backup_args(azure_args, protected_vm, last_backup_min_age=-1), env=azure_env)
    assert negative.failed and "last_backup_min_age" in negative["msg"]
