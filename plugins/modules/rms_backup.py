#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rms_backup
short_description: Backup sets of an AD RMS cluster's databases and of master's RMS messages
version_added: 0.1.0
description:
  - Takes and checks a B(backup set) of one Active Directory Rights Management Services cluster, as the AD RMS backup procedure
    asks. A set holds a full backup of the configuration database (C(DRMS_Config_*)), of the logging database if
    O(logging_database) is given, every user-defined message of master in every language (RMS needs its messages there, and
    without them the cluster does not start), the RMS version and where the cluster key lives.
  - The directory services database (C(DRMS_DirectoryServices_*)), a cache of Active Directory, is never part of a set.
  - O(state=backed_up) writes one backup file per database to O(backup_directory) on the SQL Server's side, with checksums,
    verifies them with C(RESTORE VERIFYONLY WITH CHECKSUM) when O(verify=true), scripts the messages, and writes the set's
    manifest (JSON) to O(manifest_directory) on the controller. The manifest is written last, so a run that stops early never
    leaves a set that looks complete. A set whose manifest exists is not taken again.
  - O(state=verified) checks a set without restoring it. Each file must still hold the backup its manifest records (same backup
    set GUID) and pass C(RESTORE VERIFYONLY). The scripted messages must match their recorded SHA-256.
  - O(state=restored) restores a set. Before anything is touched it refuses when the RMS version running now (O(rms_version))
    differs from the set's, when a file is missing, holds another backup or fails verification, when the messages were changed,
    or when the set records an HSM or another provider and O(hsm_confirmed) is not set. Then, for each database, a copy-only safety
    backup of the current database (O(safety_backup)), SINGLE_USER WITH ROLLBACK IMMEDIATE, C(RESTORE WITH REPLACE) (with MOVE
    to the current files' paths where they differ), MULTI_USER again; a failed restore still puts the database back to
    MULTI_USER. Messages master lacks are added, us_english first.
  - In check mode the plan lists the databases overwritten (current size, last full backup), the file moves, the messages added,
    and that users who used RMS after the set was taken need a new rights account certificate (no protected content is lost).
  - A database whose newest restore came from this same set is left as it is (the run reports no change) unless O(force=true),
    so a rerun after a later step failed does not restore again.
author:
  - drkit.microsoft maintainers (@drkit-microsoft)
requirements:
  - pyodbc >= 5.1.0, with FreeTDS or Microsoft ODBC Driver 18 for SQL Server
extends_documentation_fragment:
  - drkit.microsoft.sql_server
  - drkit.microsoft.backup_set
attributes:
  check_mode:
    support: full
    description:
      - Returns the plan (files to write or restore, sizes, the last full backup of each database, messages, notices) and changes nothing.
      - With O(state=restored) the set's files are still checked (HEADERONLY, VERIFYONLY), which only reads them.
  diff_mode:
    support: none
    description: A backup set is new files and a new manifest; there is no before and after to compare.
options:
  state:
    description:
      - V(backed_up) takes backup set O(backup_set_id) unless its manifest already exists.
      - V(verified) checks the set O(backup_set_id), by default the newest set in O(manifest_directory).
      - V(restored) restores the set O(backup_set_id), by default the newest set in O(manifest_directory).
    type: str
    choices: [backed_up, verified, restored]
    default: backed_up
  config_database:
    description: The RMS configuration database, for example V(DRMS_Config_rms_contoso_com_443).
    type: str
    required: true
  logging_database:
    description: The RMS logging database, to include it in the set (troubleshooting and statistics only).
    type: str
  backup_directory:
    description:
      - Directory of the SQL Server's host (V(C:\\Backups\\RMS)) or a share its service account can write (V(\\\\files\\backup\\RMS))
        where the backup files go, as C(<backup_set_id>__<database>.bak). It must exist.
      - Required with O(state=backed_up), and with O(state=restored) when O(safety_backup=true) (the safety backups go there).
    type: str
  rms_version:
    description:
      - Version of AD RMS on the cluster's servers. Required with O(state=backed_up), which records it in the set, and with
        O(state=restored), which refuses a set taken with another version.
      - AD RMS is a role of Windows Server; the collection's roles read the Windows build that serves it (major.minor.build, for
        example V(10.0.20348)) on every server of the cluster.
    type: str
  hsm_confirmed:
    description:
      - With O(state=restored) of a set whose key storage is C(hsm) or C(csp), the operator's confirmation that the cluster key
        was restored with the HSM's or provider's own tools. Without it such a restore is refused.
    type: bool
    default: false
  key_storage:
    description:
      - Where the cluster key lives. V(software) keeps it in the configuration database (the set has it).
      - V(hsm) and V(csp) mean a hardware security module or another cryptographic provider holds it, outside the set; the plan says
        so and a restore asks for confirmation.
    type: str
    choices: [software, hsm, csp]
    default: software
"""

EXAMPLES = r"""
- name: Back up the RMS cluster
  drkit.microsoft.rms_backup:
    login_host: sql01.contoso.com
    login_user: rms_backup
    login_password: "{{ vault_rms_backup_password }}"
    config_database: DRMS_Config_rms_contoso_com_443
    logging_database: DRMS_Logging_rms_contoso_com_443
    backup_directory: '\\files01\backup\rms'
    manifest_directory: /srv/backup-sets/rms
    backup_set_id: "awx-{{ awx_job_id }}"
    rms_version: "10.0.20348"

- name: Preview the restore of the newest set
  drkit.microsoft.rms_backup:
    state: restored
    login_host: sql01.contoso.com
    login_user: rms_backup
    login_password: "{{ vault_rms_backup_password }}"
    config_database: DRMS_Config_rms_contoso_com_443
    backup_directory: '\\files01\backup\rms\safety'
    manifest_directory: /srv/backup-sets/rms
    rms_version: "10.0.20348"
  check_mode: true
  register: rms_restore_preview

- name: Check the newest set
  drkit.microsoft.rms_backup:
    state: verified
    login_host: sql01.contoso.com
    login_user: rms_backup
    login_password: "{{ vault_rms_backup_password }}"
    config_database: DRMS_Config_rms_contoso_com_443
    manifest_directory: /srv/backup-sets/rms
"""

RETURN = r"""
plan:
  description: The actions taken, or in check mode that would be taken, in order (see the collection's plan format).
  returned: always
  type: list
  elements: dict
notices:
  description: What the operator must know (an HSM or another provider holds the key, outside the set).
  returned: always
  type: list
  elements: str
backup_set:
  description: The set's manifest (what O(state=backed_up) wrote, or found; what O(state=verified) checked); absent in check mode for a new set.
  returned: when the set exists
  type: dict
  contains:
    backup_set_id:
      description: Id of the set.
      type: str
    created:
      description: When the manifest was written (UTC).
      type: str
    rms:
      description: C(version) and C(key_storage).
      type: dict
    databases:
      description: Per database, its role, name, file, backup set GUID, LSNs, times, size, checksums and whether it was verified.
      type: list
      elements: dict
    messages:
      description: C(count), C(sha256) and C(items) (message_id, language, severity, is_event_logged, text), us_english first.
      type: dict
manifest:
  description: Path of the set's manifest on the controller.
  returned: always
  type: str
progress:
  description: The messages SQL Server sent (STATS progress, completion, "The backup set on file 1 is valid.").
  returned: when actions ran
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.drkit.microsoft.plugins.module_utils.core.module import reported_errors
from ansible_collections.drkit.microsoft.plugins.module_utils.sql import rms, set_states
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.connection import (SQL_SERVER_ARGUMENT_SPEC, SQL_SERVER_MUTUALLY_EXCLUSIVE,
                                                                                     SQL_SERVER_REQUIRED_IF)


def argument_spec():
    spec = dict(set_states.BACKUP_SET_ARGUMENT_SPEC)
    spec.update(
        config_database=dict(type="str", required=True),
        logging_database=dict(type="str"),
        rms_version=dict(type="str"),
        key_storage=dict(type="str", choices=list(rms.KEY_STORAGE), default="software"),
        hsm_confirmed=dict(type="bool", default=False),
    )
    spec.update(SQL_SERVER_ARGUMENT_SPEC)
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), mutually_exclusive=SQL_SERVER_MUTUALLY_EXCLUSIVE,
                           required_if=SQL_SERVER_REQUIRED_IF, supports_check_mode=True)
    with reported_errors(module):
        set_states.STATES[module.params["state"]](module, module.params, rms.RmsSets())


if __name__ == "__main__":
    main()
