#!/usr/bin/env bash
# The demo: back up a VM's three unmanaged disks in the lab (snapshot, copy to the secondary
# account, prune), change them, preview an in-place restore (check mode), then restore the point
# from the secondary account into new blobs and compare fingerprints.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
lab_inventory=$1
python=${VENV_BIN:-$repo/.venv/bin}/python
playbook=${VENV_BIN:-$repo/.venv/bin}/ansible-playbook
inventories=(-i "$lab_inventory" -i "$repo/tests/tools/demo/inventory.yml")
state=$(dirname "$lab_inventory")
point=demo-$(date -u +%Y%m%dT%H%M%S)

step() { printf '\n=== %s\n' "$*"; }

step "Creating the demo VM's disks in the lab (Azurite)"
"$python" "$repo/tests/tools/demo/disks.py" "$lab_inventory" create
"$python" "$repo/tests/tools/demo/disks.py" "$lab_inventory" digest | tee "$state/demo-before.sha256"

step "Backing up: one recovery point of all three disks ($point), copied to the secondary account"
"$playbook" "${inventories[@]}" "$repo/playbooks/unmanaged_disk_backup.yml" -e "drkit_recovery_point_id=$point"

step "The VM keeps writing after the backup"
"$python" "$repo/tests/tools/demo/disks.py" "$lab_inventory" write

step "Check mode: what an in-place restore of $point would do (nothing is changed)"
ANSIBLE_CALLBACKS_ENABLED=drkit.microsoft.restore_preview \
  "$playbook" "${inventories[@]}" "$repo/playbooks/unmanaged_disk_restore.yml" --check \
  -e "drkit_recovery_point_id=$point" -e drkit_restore_target=in_place

step "Restoring $point from the secondary account into new blobs beside the originals"
"$playbook" "${inventories[@]}" "$repo/playbooks/unmanaged_disk_restore.yml" \
  -e "drkit_recovery_point_id=$point" -e drkit_restore_target=new -e drkit_restore_from=secondary

step "Fingerprints of the restored disks equal those taken at backup time"
"$python" "$repo/tests/tools/demo/disks.py" "$lab_inventory" digest "restored-$point/" | tee "$state/demo-after.sha256"
if diff <(awk '{print $1}' "$state/demo-before.sha256") <(awk '{print $1}' "$state/demo-after.sha256") >/dev/null; then
  echo "OK: all 3 restored disks match the recovery point."
else
  echo "MISMATCH between backed-up and restored disks" >&2
  exit 1
fi
