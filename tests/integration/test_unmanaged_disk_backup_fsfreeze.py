"""The unmanaged_disk_backup role with linux_fsfreeze, on a real ext4 file system (a loop device).

fsfreeze needs root and a loop device; where the machine gives neither, the tests skip and say
why. Writes to a frozen file system block in the kernel, so every write probe runs in a child
process watched from here, and the file system is always thawed and unmounted at the end.
"""
import os
import subprocess
import sys
import time

import pytest
import yaml
from azure.core.credentials import AzureNamedKeyCredential
from azure.storage.blob import BlobServiceClient

from lab_admin import admin
from module_runner import COLLECTION
from vm_disks import create_vm

COLLECTIONS_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(COLLECTION)))
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")


@pytest.fixture
def mount_point(tmp_path):
    """An ext4 file system of 32 MiB mounted on a loop device; thawed and unmounted afterwards."""
    image, mount = tmp_path / "fs.img", tmp_path / "mnt"
    mount.mkdir()
    with open(image, "wb") as handle:
        handle.truncate(32 << 20)
    for command in (["mkfs.ext4", "-q", "-F", str(image)], ["mount", "-o", "loop", str(image), str(mount)]):
        try:
            made = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        except FileNotFoundError as missing:
            pytest.skip("cannot make a file system to freeze here: %s" % missing)
        if made.returncode:
            pytest.skip("cannot make a file system to freeze here: %s: %s" % (" ".join(command[:2]), made.stderr.strip()))
    yield str(mount)
    subprocess.run(["fsfreeze", "--unfreeze", str(mount)], capture_output=True, check=False)
    subprocess.run(["umount", str(mount)], capture_output=True, check=False)


def writable(mount, seconds=10):
    """Whether a file can be written and synced on *mount* within *seconds* (a frozen one blocks)."""
    probe = subprocess.Popen(["sh", "-c", "echo probe > '%s/probe' && sync -f '%s/probe'" % (mount, mount)])
    deadline = time.monotonic() + seconds
    while probe.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    if probe.poll() is None:
        subprocess.run(["fsfreeze", "--unfreeze", mount], capture_output=True, check=False)  # lets the probe finish
        probe.wait(timeout=60)
        return False
    return probe.returncode == 0


def run_role(tmp_path, lab, vm, mount):
    primary = lab["drkit_lab_storage"]["primary"]
    inventory = {"all": {"hosts": {vm["name"]: {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
        # The role freezes with become; root here has no sudo, su to root needs no password.
        "ansible_become_method": "ansible.builtin.su"}}}}
    play = [{"name": "Back up with the file systems frozen", "hosts": "all", "gather_facts": False, "tasks": [{
        "name": "Take a recovery point", "ansible.builtin.include_role": {"name": "drkit.microsoft.unmanaged_disk_backup"},
        "vars": {"unmanaged_disk_backup_disks": vm["disks"], "unmanaged_disk_backup_recovery_point_id": "rp-frozen",
                 "unmanaged_disk_backup_consistency": "linux_fsfreeze", "unmanaged_disk_backup_freeze_mounts": [mount],
                 "unmanaged_disk_backup_storage": {"account_url": primary["proxy_url"], "account_key": primary["account_key"],
                                                   "ca_bundle": lab["drkit_lab_ca_bundle"]}}}]}]
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play, sort_keys=False))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT, ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="default")
    return subprocess.run([ANSIBLE_PLAYBOOK, "-i", str(tmp_path / "inventory.yml"), str(tmp_path / "play.yml")],
                          capture_output=True, text=True, timeout=600, check=False, env=env)


def task_lines(output):
    return [line for line in output.splitlines() if line.startswith(("TASK [", "changed:", "ok:", "fatal:", "skipping:"))]


@pytest.fixture
def vm(lab):
    primary = lab["drkit_lab_storage"]["primary"]
    service = BlobServiceClient(primary["account_url"], connection_verify=lab["drkit_lab_ca_bundle"],
                                credential=AzureNamedKeyCredential(primary["account_name"], primary["account_key"]))
    return create_vm(service, {"os": 64 << 10, 0: 64 << 10}, lambda blob, size: blob.upload_page(os.urandom(size), 0, size), "ff")


def test_the_mounts_are_frozen_for_the_snapshot_and_thawed_after_it(tmp_path, lab, vm, mount_point):
    ran = run_role(tmp_path, lab, vm, mount_point)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-2000:]
    tasks = "\n".join(task_lines(ran.stdout))
    freeze, snapshot, thaw = (tasks.index(name) for name in (
        "Freeze the file systems", "Snapshot every disk of the VM at once", "Thaw the file systems, whatever happened"))
    assert freeze < snapshot < thaw
    assert "changed: [%s] => (item=%s)" % (vm["name"], mount_point) in tasks.split("Thaw the file systems")[1]
    assert writable(mount_point)


def test_a_failed_snapshot_still_thaws_every_mount(tmp_path, lab, vm, mount_point):
    # The storage proxy refuses every Snapshot Blob while the file systems are frozen.
    admin(lab, "POST", "/faults", {"operation": "snapshot_blob", "status": 403, "code": "AuthorizationPermissionMismatch"})
    try:
        ran = run_role(tmp_path, lab, vm, mount_point)
    finally:
        admin(lab, "DELETE", "/faults")
    assert ran.returncode != 0
    tasks = "\n".join(task_lines(ran.stdout))
    assert "Freeze the file systems" in tasks.split("fatal:", 1)[0]
    after_failure = tasks.split("fatal:", 1)[1]
    assert "AuthorizationPermissionMismatch" in after_failure.splitlines()[0]
    assert "Thaw the file systems, whatever happened" in after_failure
    assert "changed: [%s] => (item=%s)" % (vm["name"], mount_point) in after_failure
    assert writable(mount_point)
