"""The promises every module keeps, checked for all fifteen against the lab's whole state (lab_snapshot.py: SQL Server's
files, Resource Manager, the MABS and Windows estates, both Azurite accounts with metadata, the manifest folders):

- check mode changes nothing, anywhere, and previews what a real run does (``changed`` as the real run reports it);
- a second run changes nothing, anywhere, and says so (``changed: false``), and a preview after it finds nothing to do;
- no secret the module was given (password, account key, SAS token, client secret, key backup password) is in its output.

Each case sets up what its module acts on, and its operation is the one that changes the most: a restore where the module
restores. The roles keep the same promises in their molecule scenarios (tests/molecule), around their check-mode converge
and their idempotence run.
"""
import datetime
import os
import random
import uuid

import pytest
from azure.storage.blob import AccountSasPermissions, ResourceTypes, generate_account_sas

from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import quote_identifier
from lab_admin import admin
from lab_keys import encrypted_database
from lab_snapshot import differences, lab_snapshot
from mabs_recovery import protected_estate, recovery_args
from module_runner import run_module
from vm_disks import create_vm

KEY_PASSWORD = "Canary-key-%s'];--$(x)`\"" % uuid.uuid4().hex[:10]
CASES = {}


class Case:
    """A module run: its *args*, the environment it needs, the folders it writes to outside the lab, and whether it changes
    something the first time (an info module never does)."""

    def __init__(self, module, args, env=None, folders=(), changes=True):
        self.module, self.args, self.env, self.folders, self.changes = module, args, env, [str(folder) for folder in folders], changes

    def run(self, check=False):
        done = run_module(self.module, self.args, check=check, env=self.env)
        assert not done.failed, done.result
        return done


def case(name, *fixtures):
    """Register the function making the case *name* from the named fixtures."""
    def register(make):
        CASES[name] = (make, fixtures)
        return make
    return register


def pytest_generate_tests(metafunc):
    # The cases are registered below the tests, so they are listed once the whole file is read.
    if "case_name" in metafunc.fixturenames:
        metafunc.parametrize("case_name", sorted(CASES))


@pytest.fixture
def subject(request, case_name):
    make, fixtures = CASES[case_name]
    return make(*[request.getfixturevalue(name) for name in fixtures])


def snapshot(lab_state_dir, subject):
    return lab_snapshot(lab_state_dir, subject.folders)


def test_check_mode_changes_nothing_and_previews_the_run(lab_state_dir, subject):
    before = snapshot(lab_state_dir, subject)
    preview = subject.run(check=True)
    assert differences(before, snapshot(lab_state_dir, subject)) == []
    assert preview["changed"] is subject.changes
    done = subject.run()
    assert done["changed"] is subject.changes


def test_a_second_run_changes_nothing_and_says_so(lab_state_dir, subject):
    first = subject.run()
    assert first["changed"] is subject.changes
    after_first = snapshot(lab_state_dir, subject)
    second = subject.run()
    assert second["changed"] is False and not second.get("plan"), second.result
    assert differences(after_first, snapshot(lab_state_dir, subject)) == []
    assert subject.run(check=True)["changed"] is False


# Resource Manager: vaults, policies, protection, backups and power.

def _vault(lab):
    spec = {"resource_group": "rg-%s" % uuid.uuid4().hex[:6], "name": "rsv-%s" % uuid.uuid4().hex[:8], "location": "westeurope"}
    admin(lab, "PUT", "/vaults", spec, service="arm")
    return spec


def _protect(azure_args, azure_env, vault, vm):
    return Case("azure_vm_backup_protection", dict(azure_args, vault_name=vault["name"], resource_group=vault["resource_group"],
                                                   policy_name="vm-daily", wait_timeout=60,
                                                   vms=[{"name": vm["name"], "resource_group": vm["resource_group"]}]), azure_env)


@case("azure_recovery_services_vault", "azure_args", "azure_env")
def vault_case(azure_args, azure_env):
    return Case("azure_recovery_services_vault", dict(azure_args, name="rsv-%s" % uuid.uuid4().hex[:8], resource_group="rg-%s" % uuid.uuid4().hex[:6],
                                                      location="westeurope", cross_region_restore=True, wait_timeout=60), azure_env)


@case("azure_vm_backup_policy", "lab", "azure_args", "azure_env")
def policy_case(lab, azure_args, azure_env):
    vault = _vault(lab)
    return Case("azure_vm_backup_policy", dict(azure_args, name="vm-daily", vault_name=vault["name"], resource_group=vault["resource_group"],
                                               schedule={"frequency": "daily", "times": ["23:30"]}, time_zone="W. Europe Standard Time",
                                               retention={"daily": {"count": 30}, "monthly": {"count": 12, "days_of_month": [1, "Last"]}},
                                               wait_timeout=60), azure_env)


@case("azure_vm_backup_protection", "azure_args", "azure_env", "azure_vm", "backup_vault")
def protection_case(azure_args, azure_env, azure_vm, backup_vault):
    return _protect(azure_args, azure_env, backup_vault, azure_vm())


@case("azure_vm_backup_protection_info", "azure_args", "azure_env", "azure_vm", "backup_vault")
def protection_info_case(azure_args, azure_env, azure_vm, backup_vault):
    vm = azure_vm()
    _protect(azure_args, azure_env, backup_vault, vm).run()
    return Case("azure_vm_backup_protection_info", dict(azure_args, vms=[{"name": vm["name"], "resource_group": vm["resource_group"]}]),
                azure_env, changes=False)


def _backup_now(azure_args, azure_env, vault, vm):
    # A rerun within the minimum age starts no second backup.
    return Case("azure_vm_backup_now", dict(azure_args, vault_name=vault["name"], resource_group=vault["resource_group"], wait=True,
                                            vm={"name": vm["name"], "resource_group": vm["resource_group"]}, wait_timeout=60,
                                            last_backup_min_age=60), azure_env)


@case("azure_vm_backup_now", "azure_args", "azure_env", "azure_vm", "backup_vault")
def backup_now_case(azure_args, azure_env, azure_vm, backup_vault):
    vm = azure_vm()
    _protect(azure_args, azure_env, backup_vault, vm).run()
    return _backup_now(azure_args, azure_env, backup_vault, vm)


@case("azure_vm_backup_job_info", "azure_args", "azure_env", "azure_vm", "backup_vault")
def job_info_case(azure_args, azure_env, azure_vm, backup_vault):
    vm = azure_vm()
    _protect(azure_args, azure_env, backup_vault, vm).run()
    job_id = _backup_now(azure_args, azure_env, backup_vault, vm).run()["job_id"]
    return Case("azure_vm_backup_job_info", dict(azure_args, vault_name=backup_vault["name"], resource_group=backup_vault["resource_group"],
                                                 job_id=job_id), azure_env, changes=False)


@case("azure_vm_power", "azure_args", "azure_env", "azure_vm")
def power_case(azure_args, azure_env, azure_vm):
    vm = azure_vm()
    return Case("azure_vm_power", dict(azure_args, resource_group=vm["resource_group"], name=vm["name"], state="deallocated"), azure_env)


# Blob storage: recovery points of unmanaged disks, their copies and restores.

DISK_SIZES = {"os": 512 << 10, 0: 256 << 10}


def scribble(blob, size):
    """Writes of a running disk: random pages here and there."""
    for offset in random.SystemRandom().sample(range(0, size, 8 << 10), 4):
        blob.upload_page(os.urandom(4096), offset=offset, length=4096)


def _disks(lab, blob_service):
    primary = dict(lab["drkit_lab_storage"]["primary"], ca_bundle=lab["drkit_lab_ca_bundle"])
    vm = create_vm(blob_service("primary"), DISK_SIZES, scribble, prefix="contract")
    return primary, vm, dict(account_url=primary["account_url"], account_key=primary["account_key"], ca_bundle=primary["ca_bundle"],
                             vm_name=vm["name"], disks=vm["disks"])


@case("blob_snapshot_copy", "lab", "blob_service")
def snapshot_case(lab, blob_service):
    _primary, _vm, args = _disks(lab, blob_service)
    return Case("blob_snapshot_copy", dict(args, recovery_point_id="rp1"))


@case("blob_snapshot_copy (copied)", "lab", "blob_service")
def copy_case(lab, blob_service):
    _primary, _vm, args = _disks(lab, blob_service)
    secondary = lab["drkit_lab_storage"]["secondary"]
    run_module("blob_snapshot_copy", dict(args, recovery_point_id="rp1"))
    return Case("blob_snapshot_copy", dict(args, state="copied", recovery_point_id="rp1",
                                           account_url=lab["drkit_lab_storage"]["primary"]["proxy_url"],
                                           destination={"account_url": secondary["proxy_url"], "account_key": secondary["account_key"]}))


@case("blob_snapshot_copy (restored in place)", "lab", "blob_service")
def restore_case(lab, blob_service):
    _primary, vm, args = _disks(lab, blob_service)
    assert not run_module("blob_snapshot_copy", dict(args, recovery_point_id="rp1")).failed
    service = blob_service("primary")
    for disk in vm["disks"]:
        scribble(service.get_blob_client(vm["container"], disk["blob"]), DISK_SIZES[disk.get("lun", "os")])
    return Case("blob_snapshot_copy", dict(args, state="restored", recovery_point_id="rp1"))


@case("blob_snapshot_copy_info", "lab", "blob_service")
def snapshot_info_case(lab, blob_service):
    primary, _vm, args = _disks(lab, blob_service)
    assert not run_module("blob_snapshot_copy", dict(args, recovery_point_id="rp1")).failed
    sas = generate_account_sas(primary["account_name"], primary["account_key"], ResourceTypes(container=True, object=True),
                               AccountSasPermissions(read=True, list=True),
                               datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1))
    del args["account_key"]
    return Case("blob_snapshot_copy_info", dict(args, sas_token=sas), changes=False)


# MABS: protection groups and recoveries of Hyper-V VMs.

@case("hyperv_protection_group", "mabs_estate", "mabs_args")
def group_case(mabs_estate, mabs_args):
    mabs_estate()
    return Case("hyperv_protection_group", mabs_args(name="SQL servers", retention_days=14,
                                                     members=[{"host": "HV01.contoso.com", "vm": "SQL01"}],
                                                     prerequisites={"churn_rate_percent_per_hour": 5, "backup_window_hours": 2}))


@case("hyperv_vm_recovery", "mabs_estate", "mabs_args")
def recovery_case(mabs_estate, mabs_args):
    mabs_estate(protected_estate())
    return Case("hyperv_vm_recovery", recovery_args(mabs_args, recovery_point_time="2026-11-19T20:30:00Z"))


# SQL Server: backup sets, AD RMS sets and Orchestrator's service master key.

def _databases(sql_client, *prefixes):
    names = ["%s_%s']; --" % (prefix, uuid.uuid4().hex[:8]) for prefix in prefixes]
    for name in names:
        sql_client.execute("create", "CREATE DATABASE %s" % quote_identifier(name, "database"))
    return names


def _damage(sql_client, *names):
    for name in names:
        sql_client.execute("write", "EXEC drkit_lab.write_pages @database = ?, @pages = ?", (name, 3))


def _rms_args(lab, tmp_path, **options):
    return dict(lab["drkit_lab_sql"], backup_directory="C:\\Backups", manifest_directory=str(tmp_path), rms_version="10.0.14393.0",
                **options)


@case("rms_backup", "lab", "sql_client", "tmp_path")
def rms_backup_case(lab, sql_client, tmp_path):
    config, logging = _databases(sql_client, "DRMS_Config", "DRMS_Logging")
    return Case("rms_backup", _rms_args(lab, tmp_path, config_database=config, logging_database=logging,
                                        backup_set_id="set-%s" % uuid.uuid4().hex[:8]), folders=[tmp_path])


@case("rms_backup (restored)", "lab", "sql_client", "tmp_path")
def rms_restore_case(lab, sql_client, tmp_path):
    config, logging = _databases(sql_client, "DRMS_Config", "DRMS_Logging")
    args = _rms_args(lab, tmp_path, config_database=config, logging_database=logging)
    assert not run_module("rms_backup", dict(args, backup_set_id="set-%s" % uuid.uuid4().hex[:8])).failed
    _damage(sql_client, config, logging)
    return Case("rms_backup", dict(args, state="restored"), folders=[tmp_path])


@case("rms_backup_info", "lab", "sql_client", "tmp_path")
def rms_info_case(lab, sql_client, tmp_path):
    config, = _databases(sql_client, "DRMS_Config")
    assert not run_module("rms_backup", _rms_args(lab, tmp_path, config_database=config, backup_set_id="set-info")).failed
    return Case("rms_backup_info", {"manifest_directory": str(tmp_path)}, folders=[tmp_path], changes=False)


@case("sql_backup_set (restored)", "lab", "sql_client", "tmp_path")
def sql_set_case(lab, sql_client, tmp_path):
    names = _databases(sql_client, "Orchestrator", "Extra")
    args = dict(lab["drkit_lab_sql"], backup_directory="C:\\Backups", manifest_directory=str(tmp_path))
    assert not run_module("sql_backup_set", dict(args, databases=names, backup_set_id="sco-%s" % uuid.uuid4().hex[:8])).failed
    _damage(sql_client, *names)
    return Case("sql_backup_set", dict(args, state="restored"), folders=[tmp_path])


@case("sql_backup_set", "lab", "sql_client", "tmp_path")
def sql_backup_case(lab, sql_client, tmp_path):
    args = dict(lab["drkit_lab_sql"], backup_directory="C:\\Backups", manifest_directory=str(tmp_path),
                databases=_databases(sql_client, "Orchestrator"), backup_set_id="sco-%s" % uuid.uuid4().hex[:8])
    return Case("sql_backup_set", args, folders=[tmp_path])


def _key_args(lab, tmp_path, **options):
    return dict(lab["drkit_lab_sql"], backup_directory="C:\\Backups", manifest_directory=str(tmp_path), key_password=KEY_PASSWORD, **options)


@case("orchestrator_smk", "lab", "tmp_path")
def key_backup_case(lab, tmp_path):
    return Case("orchestrator_smk", _key_args(lab, tmp_path, backup_id="k-%s" % uuid.uuid4().hex[:8]), folders=[tmp_path])


@case("orchestrator_smk (restored)", "lab", "sql_client", "tmp_path")
def key_restore_case(lab, sql_client, tmp_path):
    database = encrypted_database(sql_client)
    assert not run_module("orchestrator_smk", _key_args(lab, tmp_path, backup_id="k-%s" % uuid.uuid4().hex[:8])).failed
    sql_client.execute("rebuild", "EXEC drkit_lab.replace_service_master_key")
    return Case("orchestrator_smk", _key_args(lab, tmp_path, state="restored", database=database, confirm_shared_instance=True),
                folders=[tmp_path])
