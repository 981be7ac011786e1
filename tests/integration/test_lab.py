"""The lab itself: Azurite's accounts, keys and tokens over HTTPS, the inventory, and labctl's lifecycle."""
import base64
import datetime
import json
import os
import re
import stat
import subprocess
import sys
import uuid

import pytest
import yaml
from azure.core.credentials import AzureNamedKeyCredential
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import BlobSasPermissions, BlobServiceClient, generate_blob_sas

import lab_admin
import labctl
from labframe import processes
from labframe.state import LabState
from tokens import LAB_TENANT_ID, LabTokenCredential

ACCOUNTS = {"primary": "drkitprimary", "secondary": "drkitsecondary"}


@pytest.mark.parametrize("account", sorted(ACCOUNTS))
def test_each_account_answers_with_its_own_key(blob_service, new_container, account):
    container = new_container(account)
    container.upload_blob("hello.txt", b"hello " + account.encode())
    assert container.download_blob("hello.txt").readall() == b"hello " + account.encode()
    assert container.container_name in [c.name for c in blob_service(account).list_containers()]
    other = "secondary" if account == "primary" else "primary"
    assert container.container_name not in [c.name for c in blob_service(other).list_containers()]


@pytest.mark.parametrize("key_source", ["the other account's key", "a random key"])
def test_a_wrong_key_is_refused(lab, key_source):
    primary, secondary = lab["drkit_lab_storage"]["primary"], lab["drkit_lab_storage"]["secondary"]
    wrong_key = secondary["account_key"] if key_source == "the other account's key" else base64.b64encode(os.urandom(64)).decode()
    client = BlobServiceClient(primary["account_url"], connection_verify=lab["drkit_lab_ca_bundle"],
                               credential=AzureNamedKeyCredential(primary["account_name"], wrong_key))
    with pytest.raises(HttpResponseError) as refused:
        client.create_container("refused-%s" % uuid.uuid4().hex[:12])
    # Azure answers 403 AuthenticationFailed. Azurite with --oauth basic tries the bearer-token check
    # last and rejects the SharedKey header as 400 InvalidAuthenticationInfo (see services/azurite.py).
    assert (refused.value.status_code, refused.value.error_code) == (400, "InvalidAuthenticationInfo")


def test_the_token_credential_works_over_https(lab, blob_service):
    service = blob_service("primary", credential=LabTokenCredential())
    assert service.url.startswith("https://127.0.0.1:")
    container = service.create_container("token-%s" % uuid.uuid4().hex[:12])
    try:
        container.upload_blob("by-token.txt", b"bearer")
        assert container.download_blob("by-token.txt").readall() == b"bearer"
    finally:
        container.delete_container()
    assert lab["drkit_lab_storage"]["tenant_id"] == LAB_TENANT_ID


def test_a_token_for_another_audience_is_refused(blob_service):
    class ManagementTokens(LabTokenCredential):
        def get_token(self, *scopes, **options):
            return super().get_token("https://management.azure.com/.default", **options)

    with pytest.raises(HttpResponseError) as refused:
        next(iter(blob_service("primary", credential=ManagementTokens()).list_containers()), None)
    assert (refused.value.status_code, refused.value.error_code) == (403, "AuthenticationFailed")


def test_copy_blob_between_the_accounts_over_https(lab, new_container):
    # Azurite reads the source over HTTPS itself, so this fails unless it trusts the lab CA.
    source = new_container("primary")
    source.upload_blob("disk.vhd", os.urandom(4096))
    primary = lab["drkit_lab_storage"]["primary"]
    sas = generate_blob_sas(primary["account_name"], source.container_name, "disk.vhd", account_key=primary["account_key"],
                            permission=BlobSasPermissions(read=True),
                            expiry=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1))
    target = new_container("secondary").get_blob_client("copy.vhd")
    copy = target.start_copy_from_url("%s/%s/disk.vhd?%s" % (primary["account_url"], source.container_name, sas))
    assert copy["copy_status"] == "success"
    assert target.download_blob().readall() == source.download_blob("disk.vhd").readall()


def test_the_inventory_file_has_the_documented_names(lab_state_dir):
    with open(LabState(lab_state_dir).inventory_path, encoding="utf-8") as handle:
        inventory = yaml.safe_load(handle)
    assert list(inventory) == ["all"] and sorted(inventory["all"]) == ["hosts", "vars"]
    localhost = inventory["all"]["hosts"]["localhost"]
    assert localhost["ansible_connection"] == "local"
    assert os.access(localhost["ansible_python_interpreter"], os.X_OK)
    lab_vars = inventory["all"]["vars"]
    assert sorted(lab_vars) == ["drkit_lab_arm_admin", "drkit_lab_azure", "drkit_lab_azure_environment", "drkit_lab_ca_bundle",
                                "drkit_lab_mabs", "drkit_lab_mabs_admin", "drkit_lab_sql", "drkit_lab_storage", "drkit_lab_storage_proxy_admin",
                                "drkit_lab_windows", "drkit_lab_windows_admin"]
    windows = lab_vars["drkit_lab_windows"]
    assert sorted(windows["servers"]) == ["rms1.contoso.com", "rms2.contoso.com", "rms3.contoso.com", "sco-ms01.contoso.com",
                                          "sco-rb02.contoso.com", "sco-web01.contoso.com"]
    # One loopback address per server: Ansible reuses a connection for the next host with the same address.
    addresses = [server["ansible_host"] for server in windows["servers"].values()]
    assert len(set(addresses)) == 6 and all(re.fullmatch(r"127\.0\.0\.\d+", address) for address in addresses)
    assert all(server["ansible_connection"] == "winrm" and server["ansible_winrm_ca_trust_path"] == lab_vars["drkit_lab_ca_bundle"]
               for server in windows["servers"].values())
    assert re.fullmatch(r"https://127\.0\.0\.1:\d+/__lab", lab_vars["drkit_lab_windows_admin"])
    mabs = lab_vars["drkit_lab_mabs"]
    assert sorted(mabs["servers"]) == ["MABS01.contoso.com", "MABS02.contoso.com"]
    assert all(server["winrm_host"] == "127.0.0.1" and server["winrm_transport"] == "ntlm" and server["winrm_ca_trust_path"] == lab_vars["drkit_lab_ca_bundle"]
               for server in mabs["servers"].values())
    assert re.fullmatch(r"https://127\.0\.0\.1:\d+/__lab", lab_vars["drkit_lab_mabs_admin"])
    assert lab_vars["drkit_lab_sql"]["login_host"] == "127.0.0.1" and lab_vars["drkit_lab_sql"]["odbc_driver"] == "FreeTDS"
    assert sorted(lab_vars["drkit_lab_sql"]) == ["ca_bundle", "login_host", "login_password", "login_port", "login_user", "odbc_driver"]
    assert lab_vars["drkit_lab_sql"]["ca_bundle"] == lab_vars["drkit_lab_ca_bundle"]
    assert re.fullmatch(r"https://127\.0\.0\.1:\d+/__lab", lab_vars["drkit_lab_storage_proxy_admin"])
    assert re.fullmatch(r"https://127\.0\.0\.1:\d+/__lab", lab_vars["drkit_lab_arm_admin"])
    azure = lab_vars["drkit_lab_azure"]
    assert sorted(azure) == ["client_id", "cloud_environment", "disable_instance_discovery", "secret", "subscription_id", "tenant"]
    assert lab_vars["drkit_lab_arm_admin"] == azure["cloud_environment"] + "/__lab"
    assert lab_vars["drkit_lab_azure_environment"] == {"REQUESTS_CA_BUNDLE": lab_vars["drkit_lab_ca_bundle"],
                                                       "SSL_CERT_FILE": lab_vars["drkit_lab_ca_bundle"]}
    with open(lab_vars["drkit_lab_ca_bundle"], encoding="ascii") as handle:
        assert handle.read().startswith("-----BEGIN CERTIFICATE-----")
    storage = lab_vars["drkit_lab_storage"]
    assert sorted(storage) == ["primary", "secondary", "tenant_id"]
    assert str(uuid.UUID(storage["tenant_id"])) == storage["tenant_id"]
    for role, name in ACCOUNTS.items():
        assert sorted(storage[role]) == ["account_key", "account_name", "account_url", "proxy_url"]
        assert storage[role]["account_name"] == name
        assert re.fullmatch(r"https://127\.0\.0\.1:\d+/" + name, storage[role]["account_url"])
        assert re.fullmatch(r"https://127\.0\.0\.1:\d+/" + name, storage[role]["proxy_url"])
        assert storage[role]["proxy_url"] != storage[role]["account_url"]
        assert len(base64.b64decode(storage[role]["account_key"], validate=True)) == 64
    assert storage["primary"]["account_key"] != storage["secondary"]["account_key"]


def test_ansible_reads_the_inventory(lab_state_dir, lab):
    ansible_inventory = os.path.join(os.path.dirname(sys.executable), "ansible-inventory")
    listed = subprocess.run([ansible_inventory, "-i", LabState(lab_state_dir).inventory_path, "--host", "localhost"],
                            capture_output=True, text=True, timeout=120, check=True)
    host_vars = json.loads(listed.stdout)
    assert host_vars["drkit_lab_storage"] == lab["drkit_lab_storage"]
    assert host_vars["ansible_connection"] == "local"


def test_the_files_with_secrets_are_private(lab_state_dir):
    state = LabState(lab_state_dir)
    for path in (state.record_path, state.inventory_path, os.path.join(state.tls_dir, "server-key.pem")):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    assert stat.S_IMODE(os.stat(state.root).st_mode) == 0o700


def labctl_cli(command, state_dir, check=True):
    """Run ``labctl.py COMMAND --state-dir STATE_DIR`` as the Makefile and the operator do."""
    return subprocess.run([sys.executable, labctl.__file__, command, "--state-dir", state_dir],
                          capture_output=True, text=True, timeout=180, check=check)


@pytest.fixture
def cli_lab(tmp_path):
    """A lab of its own, started with the command line (its services outlive labctl); stopped after the test."""
    state_dir = str(tmp_path / "lab")
    started = labctl_cli("start", state_dir)
    yield state_dir, started.stdout
    labctl_cli("stop", state_dir)


def test_start_twice_reuses_the_same_processes(cli_lab):
    state_dir, first_inventory = cli_lab
    first_pids = {name: run.pid for name, run in labctl.status(state_dir).items()}
    assert all(first_pids.values())

    again = labctl_cli("start", state_dir)
    assert again.stdout == first_inventory  # same ports, same keys
    assert {name: run.pid for name, run in labctl.status(state_dir).items()} == first_pids
    assert labctl_cli("inventory", state_dir).stdout == first_inventory


def test_stop_then_status_reports_not_running(cli_lab):
    state_dir = cli_lab[0]
    running = labctl_cli("status", state_dir)
    assert re.fullmatch(r"azurite: running \(pid \d+, blob port \d+\)\n"
                        r"storage_proxy: running \(pid \d+, https port \d+\)\n"
                        r"arm: running \(pid \d+, https port \d+\)\n"
                        r"sql_server: running \(pid \d+, tds port \d+\)\n"
                        r"mabs: running \(pid \d+, admin port \d+, mabs01 port \d+, mabs02 port \d+\)\n"
                        r"windows: running \(pid \d+, admin port \d+, rms1 port \d+, rms2 port \d+, rms3 port \d+, scoms01 port \d+, "
                        r"scorb02 port \d+, scoweb01 port \d+\)\n", running.stdout), running.stdout
    run = labctl.status(state_dir)["azurite"]

    labctl_cli("stop", state_dir)
    stopped = labctl_cli("status", state_dir, check=False)
    assert stopped.returncode == labctl.EXIT_NOT_RUNNING
    assert stopped.stdout == ("azurite: not running\nstorage_proxy: not running\narm: not running\nsql_server: not running\nmabs: not running\n"
                              "windows: not running\n")
    assert not processes.is_alive(run.pid, run.start_time)
    assert not processes.accepts_tcp(run.ports["blob"])
    refused = labctl_cli("inventory", state_dir, check=False)
    assert refused.returncode == 1 and "labctl.py start" in refused.stderr


def test_data_written_before_stop_is_there_after_the_next_start(cli_lab):
    # labctl stops Azurite with SIGTERM and waits, so metadata it flushes every few seconds is not lost.
    state_dir, first_inventory = cli_lab
    first = yaml.safe_load(first_inventory)["all"]["vars"]
    name = "kept-%s" % uuid.uuid4().hex[:12]
    primary_service(first).create_container(name).upload_blob("kept.txt", b"kept", metadata={"drkit": "kept"})
    vm_name = "kept-vm"
    kept_vm = {"resource_group": "rg-kept", "name": vm_name, "location": "westeurope", "storage_profile": {"dataDisks": []}}
    lab_admin.admin(first, "PUT", "/virtual-machines", kept_vm, service="arm")

    labctl_cli("stop", state_dir)
    second = yaml.safe_load(labctl_cli("start", state_dir).stdout)["all"]["vars"]
    assert second["drkit_lab_storage"]["primary"]["account_key"] != first["drkit_lab_storage"]["primary"]["account_key"]
    blob = primary_service(second).get_blob_client(name, "kept.txt")
    assert blob.download_blob().readall() == b"kept"
    assert blob.get_blob_properties().metadata == {"drkit": "kept"}
    assert second["drkit_lab_azure"]["secret"] != first["drkit_lab_azure"]["secret"]
    assert [vm["name"] for vm in lab_admin.admin(second, "GET", "/state", service="arm")["virtual_machines"].values()] == [vm_name]


def primary_service(lab_vars):
    primary = lab_vars["drkit_lab_storage"]["primary"]
    return BlobServiceClient(primary["account_url"], connection_verify=lab_vars["drkit_lab_ca_bundle"],
                             credential=AzureNamedKeyCredential(primary["account_name"], primary["account_key"]))
