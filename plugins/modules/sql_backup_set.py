#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: sql_backup_set
short_description: Verified sets of full SQL Server database backups, their checks and their restore
version_added: 0.1.0
description:
  - Takes and checks a B(backup set) of one or more databases of a SQL Server instance, for example System Center Orchestrator's
    database, and restores it. It works as M(drkit.microsoft.rms_backup) does for AD RMS, without what is particular to AD RMS.
  - O(state=backed_up) writes one full backup per database, with checksums, to O(backup_directory) on the SQL Server's side as
    C(<backup_set_id>__<database>.bak), verifies each with C(RESTORE VERIFYONLY WITH CHECKSUM) when O(verify=true), and writes
    the set's manifest (JSON, with each backup's identity, LSNs, times and size) to O(manifest_directory) on the controller. The
    manifest is written last, so a run that stops early never leaves a set that looks complete. A set whose manifest exists is
    not taken again.
  - O(state=verified) checks a set without restoring it. Each file must still hold the backup its manifest records (same backup
    set GUID) and pass C(RESTORE VERIFYONLY).
  - O(state=restored) restores every database of a set. It refuses the whole set before any change when a file is missing, holds
    another backup or fails verification. Then, per database, it takes a copy-only safety backup of the current database
    (O(safety_backup)), sets SINGLE_USER WITH ROLLBACK IMMEDIATE, runs C(RESTORE WITH REPLACE) (with MOVE to the current files'
    paths where they differ), and sets MULTI_USER again. A failed restore still puts the database back to MULTI_USER.
  - In check mode the plan lists the databases overwritten (current size, last full backup) and the file moves.
  - A database whose newest restore came from this same set is left as it is (the run reports no change) unless O(force=true).
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
      - Returns the plan and changes nothing. With O(state=restored) the set's files are still checked (HEADERONLY, VERIFYONLY),
        which only reads them.
  diff_mode:
    support: none
    description: A backup set is new files and a new manifest; there is no before and after to compare.
options:
  databases:
    description: The databases of the set, in the order they are backed up. Required with O(state=backed_up).
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Back up Orchestrator's database
  drkit.microsoft.sql_backup_set:
    login_host: sql01.contoso.com
    login_user: sco_backup
    login_password: "{{ vault_sco_backup_password }}"
    databases: [Orchestrator]
    backup_directory: '\\files01\backup\sco'
    manifest_directory: /srv/backup-sets/sco

- name: Preview the restore of the newest set
  drkit.microsoft.sql_backup_set:
    state: restored
    login_host: sql02.contoso.com
    login_user: sco_restore
    login_password: "{{ vault_sco_restore_password }}"
    backup_directory: 'D:\Safety'
    manifest_directory: /srv/backup-sets/sco
  check_mode: true
"""

RETURN = r"""
plan:
  description: The actions taken, or in check mode that would be taken, in order (see the collection's plan format).
  returned: always
  type: list
  elements: dict
notices:
  description: What the operator must know (databases left as they are because they were restored from this set).
  returned: always
  type: list
  elements: str
backup_set:
  description: The set's manifest (what O(state=backed_up) wrote or found, what was checked or restored); absent in check mode for a new set.
  returned: when the set exists
  type: dict
  contains:
    backup_set_id:
      description: Id of the set.
      type: str
    created:
      description: When the manifest was written (UTC).
      type: str
    databases:
      description: Per database, its name, file, backup set GUID, LSNs, times, size, checksums and whether it was verified.
      type: list
      elements: dict
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
from ansible_collections.drkit.microsoft.plugins.module_utils.sql import set_states
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.connection import (SQL_SERVER_ARGUMENT_SPEC, SQL_SERVER_MUTUALLY_EXCLUSIVE,
                                                                                     SQL_SERVER_REQUIRED_IF)
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.database_set import DatabaseSets


def argument_spec():
    spec = dict(set_states.BACKUP_SET_ARGUMENT_SPEC, databases=dict(type="list", elements="str"))
    spec.update(SQL_SERVER_ARGUMENT_SPEC)
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), mutually_exclusive=SQL_SERVER_MUTUALLY_EXCLUSIVE,
                           required_if=SQL_SERVER_REQUIRED_IF, supports_check_mode=True)
    with reported_errors(module):
        set_states.STATES[module.params["state"]](module, module.params, DatabaseSets())


if __name__ == "__main__":
    main()
