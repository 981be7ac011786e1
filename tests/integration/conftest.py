"""Fixtures of the integration tests: the lab (tests/lab) with its real Azurite, one per session.

The lab is started in a temporary state directory and stopped when the session ends. With
``DRKIT_LAB_STATE`` naming the state directory of a lab already running (``labctl.py start
--state-dir DIR``), the tests use that lab and leave it running, which saves the start on
repeated runs.
"""
import os
import sys
import uuid

import pytest
from azure.core.credentials import AzureNamedKeyCredential
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.blob import BlobServiceClient

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "lab")))

import lab_admin  # noqa: E402  pylint: disable=wrong-import-position
import labctl  # noqa: E402  pylint: disable=wrong-import-position
from labframe.inventory import load_vars  # noqa: E402  pylint: disable=wrong-import-position
from labframe.state import LabState  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="session")
def lab_state_dir(tmp_path_factory):
    """The state directory of the running lab the tests use."""
    running = os.environ.get("DRKIT_LAB_STATE")
    if running:
        if not all(labctl.status(running).values()):
            pytest.fail("DRKIT_LAB_STATE=%s names no running lab: start it (labctl.py start --state-dir %s) or unset it"
                        % (running, running), pytrace=False)
        yield running
        return
    state_dir = str(tmp_path_factory.mktemp("lab"))
    try:
        labctl.start(state_dir)
        yield state_dir
    finally:
        labctl.stop(state_dir)


@pytest.fixture(scope="session")
def lab(lab_state_dir):
    """The ``all.vars`` of the lab's inventory: drkit_lab_ca_bundle, drkit_lab_storage, ..."""
    return load_vars(LabState(lab_state_dir).inventory_path)


@pytest.fixture(scope="session")
def blob_service(lab):
    """Makes a BlobServiceClient for a lab account ("primary", "secondary"), with its key unless given a credential."""
    def make(account="primary", credential=None):
        details = lab["drkit_lab_storage"][account]
        credential = credential or AzureNamedKeyCredential(details["account_name"], details["account_key"])
        return BlobServiceClient(details["account_url"], credential=credential, connection_verify=lab["drkit_lab_ca_bundle"])
    return make


@pytest.fixture
def new_container(blob_service):
    """Makes a uniquely named container in a lab account (a ContainerClient); deleted after the test."""
    created = []

    def make(account="primary", prefix="test"):
        container = blob_service(account).create_container("%s-%s" % (prefix, uuid.uuid4().hex[:12]))
        created.append(container)
        return container

    yield make
    for container in created:
        try:
            container.delete_container()
        except ResourceNotFoundError:
            pass


@pytest.fixture(scope="session")
def azure_args(lab):
    """The Azure options of a module task logging in as the lab's service principal."""
    return dict(lab["drkit_lab_azure"], auth_source="auto")


@pytest.fixture(scope="session")
def azure_env(lab):
    """Environment a module process needs to trust the lab's Resource Manager and Entra ID (its CA)."""
    return dict(lab["drkit_lab_azure_environment"])


@pytest.fixture
def azure_vm(lab):
    """Makes a VM in the lab's Resource Manager, in a resource group of its own; returns its spec with its id."""
    def make(power_state="running", storage_profile=None, location="westeurope"):
        spec = {"resource_group": "rg-%s" % uuid.uuid4().hex[:8], "name": "vm-%s" % uuid.uuid4().hex[:8], "location": location,
                "power_state": power_state, "storage_profile": storage_profile or {"osDisk": {"name": "os", "osType": "Linux"}}}
        return lab_admin.admin(lab, "PUT", "/virtual-machines", spec, service="arm")
    return make


@pytest.fixture
def sql_client(lab):
    """A connection of the collection's SQL layer to the lab's SQL Server, as sa; faults cleared after the test."""
    from ansible_collections.drkit.microsoft.plugins.module_utils.sql.client import SqlClient  # pylint: disable=import-outside-toplevel
    from sql_params import sql_params  # pylint: disable=import-outside-toplevel
    connected = SqlClient(sql_params(lab))
    yield connected
    connected.execute("clear_faults", "EXEC drkit_lab.clear_faults")
    connected.close()


@pytest.fixture
def sql_database(sql_client):
    """A new database in the lab's SQL Server whose name holds a quote, a bracket, a semicolon and a comment."""
    from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import quote_identifier  # pylint: disable=import-outside-toplevel
    name = "DRMS_Config_%s']; --" % uuid.uuid4().hex[:8]
    sql_client.execute("create_database", "CREATE DATABASE %s" % quote_identifier(name, "database"))
    return name


@pytest.fixture
def backup_vault(lab, azure_args, azure_env):
    """A Recovery Services vault in westeurope with policy vm-daily, made through the lab and the policy module."""
    from module_runner import run_module  # pylint: disable=import-outside-toplevel
    spec = {"resource_group": "rg-%s" % uuid.uuid4().hex[:6], "name": "rsv-%s" % uuid.uuid4().hex[:8], "location": "westeurope"}
    lab_admin.admin(lab, "PUT", "/vaults", spec, service="arm")
    policy = run_module("azure_vm_backup_policy", dict(azure_args, name="vm-daily", vault_name=spec["name"], resource_group=spec["resource_group"],
                                                       schedule={"frequency": "daily", "times": ["23:30"]},
                                                       retention={"daily": {"count": 30}}, wait_timeout=60), env=azure_env)
    assert not policy.failed, policy.result
    return dict(spec, policy_id="/subscriptions/%s/resourceGroups/%s/providers/Microsoft.RecoveryServices/vaults/%s/backupPolicies/vm-daily"
                % (lab["drkit_lab_azure"]["subscription_id"], spec["resource_group"], spec["name"]))


@pytest.fixture
def protected_vm(lab, azure_args, azure_env, azure_vm, backup_vault):
    """A VM that backup_vault protects with its policy vm-daily: its spec with the vault. Backup jobs end completed again
    after the test."""
    from module_runner import run_module  # pylint: disable=import-outside-toplevel
    vm = azure_vm()
    done = run_module("azure_vm_backup_protection", dict(azure_args, vault_name=backup_vault["name"], resource_group=backup_vault["resource_group"],
                                                         policy_name="vm-daily", vms=[{"name": vm["name"], "resource_group": vm["resource_group"]}],
                                                         wait_timeout=60), env=azure_env)
    assert not done.failed, done.result
    yield dict(vm, vault=backup_vault)
    lab_admin.admin(lab, "PATCH", "/settings", {"job_outcome": "completed"}, service="arm")


def estate_putter(lab, service, demo_estate):
    """A function that puts *demo_estate()*, changed by the function given if any, in the lab *service* (its request log
    cleared) and answers the estate as stored."""
    def put(change=None):
        estate = demo_estate()
        if change is not None:
            change(estate)
        lab_admin.admin(lab, "DELETE", "/requests", service=service)
        return lab_admin.admin(lab, "PUT", "/estate", estate, service=service)
    return put


@pytest.fixture
def mabs_estate(lab):
    """Puts an estate in the lab's MABS servers (estate_putter with mabslab/estate.py's demo estate); the demo estate is
    put back after the test."""
    from mabslab import estate as estates  # pylint: disable=import-outside-toplevel
    yield estate_putter(lab, "mabs", estates.demo_estate)
    lab_admin.admin(lab, "PUT", "/estate", estates.demo_estate(), service="mabs")
    lab_admin.admin(lab, "DELETE", "/faults", service="mabs")


@pytest.fixture
def windows(lab):
    """Puts an estate in the lab's Windows servers (estate_putter with windowslab/estate.py's demo estate); the demo
    estate is put back after the test."""
    from windowslab import estate as estates  # pylint: disable=import-outside-toplevel
    put = estate_putter(lab, "windows", estates.demo_estate)
    yield put
    put()


@pytest.fixture(scope="session")
def mabs_args(lab):
    """The module options that reach a lab MABS server (MABS01 by default) and let it read the Hyper-V hosts."""
    def make(server="MABS01.contoso.com", **options):
        details = lab["drkit_lab_mabs"]
        args = dict(details["servers"][server], hyperv_host_user=details["hyperv_host_user"], hyperv_host_password=details["hyperv_host_password"])
        args.update(options)
        return args
    return make
