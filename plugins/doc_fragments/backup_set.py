# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The options every backup set module shares: where the files and manifests go, which set, how backups and restores run.
    DOCUMENTATION = r"""
options:
  state:
    description:
      - V(backed_up) takes set O(backup_set_id) unless its manifest already exists.
      - V(verified) checks the set O(backup_set_id), by default the newest set of this kind in O(manifest_directory).
      - V(restored) restores the set O(backup_set_id), by default the newest set of this kind in O(manifest_directory).
    type: str
    choices: [backed_up, verified, restored]
    default: backed_up
  backup_directory:
    description:
      - Directory of the SQL Server's host (V(C:\\Backups)) or a share its service account can write (V(\\\\files\\backup))
        where the backup files go, as C(<backup_set_id>__<database>.bak). It must exist.
      - Required with O(state=backed_up), and with O(state=restored) when O(safety_backup=true) (the safety backups go there).
    type: str
  manifest_directory:
    description: Directory of the controller holding the sets' manifests, one C(<backup_set_id>.json) per set; created if missing.
    type: path
    required: true
  backup_set_id:
    description:
      - Id of the set; 1 to 64 letters, digits, C(.), C(_) and C(-).
      - With O(state=backed_up), when omitted, a new id is made from the current UTC time; give one (an AWX job id) to make reruns
        idempotent.
    type: str
  safety_backup:
    description: With O(state=restored), take a copy-only backup of each database about to be overwritten, to O(backup_directory).
    type: bool
    default: true
  force:
    description: With O(state=restored), restore a database again even when its newest restore came from this set.
    type: bool
    default: false
  compression:
    description: Compress the backups (SQL Server backup compression).
    type: bool
    default: false
  copy_only:
    description: Take copy-only backups, which leave the database's own backup chain untouched.
    type: bool
    default: false
  verify:
    description: Run C(RESTORE VERIFYONLY WITH CHECKSUM) on each file before the manifest is written.
    type: bool
    default: true
"""
