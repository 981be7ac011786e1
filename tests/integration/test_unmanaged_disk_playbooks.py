"""playbooks/unmanaged_disk_backup.yml and unmanaged_disk_restore.yml through ansible-runner, with the demo's inventory
(tests/tools/demo) on the lab's Azurite: the backup, the check-mode preview (the restore_preview summary README.md shows,
and Azurite's listings unchanged), the restore from the secondary account and its second run."""
import os
import re
import subprocess
import sys
import uuid

from labframe.state import LabState
from playbook_runner import REPO, ansible_playbook, recap_changed

DEMO = os.path.join(REPO, "tests", "tools", "demo")
PREVIEW = "RESTORE PREVIEW (check mode: nothing was changed)"


def disks(lab_inventory, *command):
    return subprocess.run([sys.executable, os.path.join(DEMO, "disks.py"), lab_inventory] + list(command),
                          check=True, capture_output=True, text=True).stdout


def listing(blob_service):
    """Every blob and snapshot of both accounts with its properties that a change would alter."""
    state = {}
    for account in ("primary", "secondary"):
        service = blob_service(account)
        for container in service.list_containers():
            for blob in service.get_container_client(container.name).list_blobs(include=["snapshots", "metadata"]):
                state[(account, container.name, blob.name, blob.snapshot)] = (blob.etag, blob.size, dict(blob.metadata or {}))
    return state


def summary(text):
    """The restore_preview summary in *text*, with the recovery point's name and time made neutral."""
    block = text[text.index(PREVIEW):]
    block = block[:block.index("\n", block.index("TOTAL:"))]
    return re.sub(r"taken [0-9T:.Z-]+", "taken TIME", re.sub(r"recovery point [\w-]+", "recovery point POINT", block))


def test_backup_preview_restore_and_rerun_as_the_demo_runs_them(lab_state_dir, blob_service):
    lab_inventory = LabState(lab_state_dir).inventory_path
    inventories = ["-i", lab_inventory, "-i", os.path.join(DEMO, "inventory.yml")]
    point = "pb-%s" % uuid.uuid4().hex[:8]
    disks(lab_inventory, "create")
    at_backup = disks(lab_inventory, "digest")

    code, output = ansible_playbook(*inventories, "playbooks/unmanaged_disk_backup.yml", "-e", "drkit_recovery_point_id=%s" % point)
    assert code == 0, output[-4000:]
    disks(lab_inventory, "write")

    before = listing(blob_service)
    code, output = ansible_playbook(*inventories, "playbooks/unmanaged_disk_restore.yml", "--check", "-e", "drkit_recovery_point_id=%s" % point,
                                    "-e", "drkit_restore_target=in_place", env={"ANSIBLE_CALLBACKS_ENABLED": "drkit.microsoft.restore_preview"})
    assert code == 0, output[-4000:]
    assert listing(blob_service) == before
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        assert summary(output) == summary(handle.read())
    assert output.stats["drkit_preview_destructive"] == 3 and output.stats["drkit_preview_irreversible"] == 3

    restore = ["playbooks/unmanaged_disk_restore.yml", "-e", "drkit_recovery_point_id=%s" % point, "-e", "drkit_restore_target=new",
               "-e", "drkit_restore_from=secondary"]
    code, output = ansible_playbook(*inventories, *restore)
    assert code == 0, output[-4000:]
    restored = disks(lab_inventory, "digest", "restored-%s/" % point)
    assert [line.split()[0] for line in restored.splitlines()] == [line.split()[0] for line in at_backup.splitlines()]

    code, output = ansible_playbook(*inventories, *restore)
    assert code == 0 and recap_changed(output, "demo-app01") == 0, output[-4000:]
