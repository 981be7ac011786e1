#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: orchestrator_smk
short_description: Back up, compare and restore the SQL Server service master key that System Center Orchestrator's data depends on
version_added: 0.1.0
description:
  - System Center Orchestrator encrypts runbook data with SQL Server cell-level encryption. Its database's keys are protected by
    the database master key, itself encrypted by the instance's B(service master key) (SMK). On another server, or after the
    SMK changed, the restored Orchestrator database cannot decrypt its data until the SMK it was protected by is restored.
  - O(state=backed_up) runs C(BACKUP SERVICE MASTER KEY) to C(<backup_directory>\<backup_id>.smk) on the SQL Server's side,
    encrypted by O(key_password), and writes a manifest to O(manifest_directory) on the controller with the key's identity
    (C(key_guid), create and modify dates) and the instance's. The manifest is written last. When the newest backup of this
    instance holds the key unchanged, nothing is done (C(changed=false)) unless O(force=true).
  - O(state=compared) tells whether the instance has the backed-up key (its identity) and, decisively, whether the keys of
    O(database) open (its symmetric key by its asymmetric key, which works only when its master key opens through the current SMK).
  - O(state=restored) runs C(RESTORE SERVICE MASTER KEY) only when the instance's key differs from the backup's and the keys of
    O(database) do not already open; never with C(FORCE) unless O(force=true). Every other database whose master key the SMK
    encrypts, every credential and every linked server login with a password depends on the key and is re-encrypted by the
    restore. The plan lists them, and the restore is refused unless O(confirm_shared_instance=true) when there are any.
  - The password reaches SQL Server only inside the statement, as an escaped literal (T-SQL takes no parameter there); it is
    never returned, logged or written to the manifest.
author:
  - drkit.microsoft maintainers (@drkit-microsoft)
requirements:
  - pyodbc >= 5.1.0, with FreeTDS or Microsoft ODBC Driver 18 for SQL Server
  - CONTROL SERVER permission on the instance (sysadmin)
extends_documentation_fragment:
  - drkit.microsoft.sql_server
attributes:
  check_mode:
    support: full
    description:
      - Returns the plan (the key file to write, or the restore with the gate and every item it re-encrypts) and changes nothing.
      - With O(state=restored) and O(state=compared) the keys of O(database) are opened and closed again to test them, which
        changes nothing.
  diff_mode:
    support: none
    description: The key itself is never read; there is no before and after to show.
options:
  state:
    description:
      - V(backed_up) backs the key up unless the newest backup of this instance holds it unchanged.
      - V(compared) reports whether the instance has the backed-up key and whether the keys of O(database) open.
      - V(restored) restores the backed-up key when the instance's differs.
    type: str
    choices: [backed_up, compared, restored]
    default: backed_up
  backup_directory:
    description:
      - Directory of the SQL Server's host (V(C:\\Backups\\SMK)) or a share its service account writes (V(\\\\files\\keys)), for
        the key file C(<backup_id>.smk). It must exist. Required with O(state=backed_up).
    type: str
  manifest_directory:
    description: Directory of the controller holding the key backups' manifests, one C(<backup_id>.json) each; created if missing.
    type: path
    required: true
  backup_id:
    description:
      - Id of the key backup; 1 to 64 letters, digits, C(.), C(_) and C(-).
      - With O(state=backed_up), when omitted, one is made from the current UTC time. An id whose manifest exists with another key
        is refused.
      - With O(state=compared) and O(state=restored), the backup to use; by default the newest key backup in O(manifest_directory),
        whichever instance it came from.
    type: str
  key_password:
    description:
      - The password that encrypts the key file. Required with O(state=backed_up) and O(state=restored).
      - SQL Server applies the Windows password policy to it (error 15118 when it is not complex enough).
      - Without it the file cannot be restored; keep it apart from the file. Never logged or recorded.
    type: str
  database:
    description: The Orchestrator database, whose keys are tested and which is not counted among the other dependents.
    type: str
    default: Orchestrator
  symmetric_key:
    description: The symmetric key of O(database) that protects Orchestrator's data.
    type: str
    default: ORCHESTRATOR_SYM_KEY
  asymmetric_key:
    description: The asymmetric key of O(database) that protects O(symmetric_key).
    type: str
    default: ORCHESTRATOR_ASYM_KEY
  confirm_shared_instance:
    description:
      - With O(state=restored), go ahead although other databases, credentials or linked server logins of the instance depend on
        the service master key (the restore re-encrypts them all with the restored key).
    type: bool
    default: false
  force:
    description:
      - With O(state=backed_up), back the key up even when the newest backup holds it unchanged.
      - With O(state=restored), C(RESTORE SERVICE MASTER KEY ... FORCE), which drops whatever the current key protects and cannot
        be decrypted. Data protected only by such an item is lost.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Back up the service master key of Orchestrator's SQL Server (when it changed)
  drkit.microsoft.orchestrator_smk:
    login_host: sql01.contoso.com
    login_user: sco_backup
    login_password: "{{ vault_sco_backup_password }}"
    backup_directory: '\\files01\keys\sco'
    manifest_directory: /srv/backup-sets/sco
    key_password: "{{ vault_smk_backup_password }}"

- name: Does the new server have the key Orchestrator's data needs?
  drkit.microsoft.orchestrator_smk:
    state: compared
    login_host: sql02.contoso.com
    login_user: sco_restore
    login_password: "{{ vault_sco_restore_password }}"
    manifest_directory: /srv/backup-sets/sco
  register: sco_key

- name: Preview the key restore (what depends on the key)
  drkit.microsoft.orchestrator_smk:
    state: restored
    login_host: sql02.contoso.com
    login_user: sco_restore
    login_password: "{{ vault_sco_restore_password }}"
    manifest_directory: /srv/backup-sets/sco
    key_password: "{{ vault_smk_backup_password }}"
  check_mode: true
"""

RETURN = r"""
plan:
  description: The actions taken, or in check mode that would be taken, in order (see the collection's plan format).
  returned: always
  type: list
  elements: dict
notices:
  description: What the operator must know (key unchanged, what a restore re-encrypts, where to keep the file).
  returned: always
  type: list
  elements: str
service_master_key:
  description: The instance's service master key now, C(key_guid), C(create_date) and C(modify_date) (the key itself is never read).
  returned: always
  type: dict
backup:
  description: The key backup's manifest (C(backup_set_id), C(file), C(created), C(sql_server), C(service_master_key)); the one
    written, found unchanged, compared or restored. Absent in check mode for a new backup.
  returned: when there is one
  type: dict
manifest:
  description: Path of the key backup's manifest on the controller.
  returned: always
  type: str
matches:
  description: With O(state=compared), whether the instance's key is the backed-up one.
  returned: when state is compared
  type: bool
data_opens:
  description:
    - With O(state=compared) and O(state=restored), whether the keys of O(database) open (before any restore); C(null) when the
      database does not exist on the instance.
  returned: when state is compared or restored
  type: bool
data_error:
  description: SQL Server's error when the keys of O(database) do not open (15581 when its master key does not open through the SMK).
  returned: when state is compared and the keys do not open
  type: str
affected:
  description: With O(state=restored), every other item the service master key protects, re-encrypted by a restore.
  returned: when state is restored
  type: list
  elements: str
messages:
  description: The messages SQL Server sent with the restore.
  returned: when a restore ran
  type: list
  elements: str
"""

from datetime import datetime, timezone

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.module import reported_errors, run_plan
from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import Plan
from ansible_collections.drkit.microsoft.plugins.module_utils.sql import api, keys, smk
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.backup_set import (chosen_manifest, list_manifests, manifest_path,
                                                                                     read_manifest, validate_set_id, validate_windows_directory)
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.client import SqlClient
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.connection import (SQL_SERVER_ARGUMENT_SPEC, SQL_SERVER_MUTUALLY_EXCLUSIVE,
                                                                                     SQL_SERVER_REQUIRED_IF, odbc_connection_string)
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import validate_name


def argument_spec():
    spec = dict(
        state=dict(type="str", choices=["backed_up", "compared", "restored"], default="backed_up"),
        backup_directory=dict(type="str"),
        manifest_directory=dict(type="path", required=True),
        backup_id=dict(type="str"),
        key_password=dict(type="str", no_log=True),
        database=dict(type="str", default="Orchestrator"),
        symmetric_key=dict(type="str", default="ORCHESTRATOR_SYM_KEY", no_log=False),
        asymmetric_key=dict(type="str", default="ORCHESTRATOR_ASYM_KEY", no_log=False),
        confirm_shared_instance=dict(type="bool", default=False),
        force=dict(type="bool", default=False),
    )
    spec.update(SQL_SERVER_ARGUMENT_SPEC)
    return spec


def require_password(params):
    if not params["key_password"]:
        raise InvalidParameter("key_password", "is required with state=%s: it %s the key file" % (
            params["state"], "encrypts" if params["state"] == "backed_up" else "decrypts"))


def backed_up(module, params):
    if not params["backup_directory"]:
        raise InvalidParameter("backup_directory", "is required with state=backed_up")
    validate_windows_directory(params["backup_directory"], "backup_directory")
    require_password(params)
    backup_id = params["backup_id"] or datetime.now(timezone.utc).strftime("smk-%Y%m%dT%H%M%SZ")
    validate_set_id(backup_id, "backup_id")
    path = manifest_path(params["manifest_directory"], backup_id)
    odbc_connection_string(params)
    client = SqlClient(params)
    current = smk.identity(keys.read_service_master_key(client))
    instance = smk.instance_of(params, api.read_server_version(client))
    named = read_manifest(path)
    if named is not None and named["service_master_key"] != current:
        raise InvalidParameter("backup_id", "backup %s exists and holds another key (%s); choose a new id" % (
            backup_id, named["service_master_key"]["key_guid"]))
    last = named or newest_backup_of(params["manifest_directory"], instance)
    plan = smk.plan_backup(params, backup_id, current, last, smk.key_file_path(params["backup_directory"], backup_id), path)
    appliers = smk.BackupAppliers(client, params, backup_id, instance, current)

    def summarize(outcomes):
        result = {"service_master_key": current, "manifest": path}
        if not plan.actions:
            result.update(backup=last, manifest=manifest_path(params["manifest_directory"], last["backup_set_id"]))
        elif outcomes is not None:
            result["backup"] = appliers.manifest
        return result

    run_plan(module, plan, appliers.as_mapping(), summarize)


def newest_backup_of(directory, instance):
    found = [manifest for _path, manifest in list_manifests(directory)
             if manifest.get("kind") == smk.KIND and smk.same_instance(manifest["sql_server"], instance)]
    return found[-1] if found else None


def database_keys_open(client, params):
    """(True/False, error or None) of the keys test in O(database); (None, None) when the database does not exist."""
    if api.read_database(client, params["database"]) is None:
        return None, None
    return keys.symmetric_key_opens(client, params["database"], params["symmetric_key"], params["asymmetric_key"])


def compared(module, params):
    path, manifest = chosen_manifest(params["manifest_directory"], params["backup_id"], smk.KIND, "backup_id")
    client = SqlClient(params)
    current = smk.identity(keys.read_service_master_key(client))
    opens, error = database_keys_open(client, params)
    result = {"service_master_key": current, "manifest": path, "backup": manifest,
              "matches": smk.same_key(manifest["service_master_key"], current), "data_opens": opens}
    if error:
        result["data_error"] = error
    run_plan(module, Plan(), {}, lambda _outcomes: result)


def restored(module, params):
    require_password(params)
    path, manifest = chosen_manifest(params["manifest_directory"], params["backup_id"], smk.KIND, "backup_id")
    client = SqlClient(params)
    current = smk.identity(keys.read_service_master_key(client))
    opens, _error = database_keys_open(client, params)
    affected = smk.affected_items(keys.read_databases_with_server_encrypted_master_key(client), keys.read_credentials(client),
                                  keys.read_linked_logins_with_password(client), params["database"])
    plan = smk.plan_restore(params, manifest, current, opens, affected)
    appliers = smk.RestoreAppliers(client, params)

    def summarize(outcomes):
        result = {"service_master_key": current, "manifest": path, "backup": manifest, "data_opens": opens,
                  "affected": ["%s %s" % item for item in affected]}
        if outcomes is not None and plan.actions:
            result.update(messages=appliers.messages, service_master_key=smk.identity(keys.read_service_master_key(client)))
            if appliers.identical:
                result["changed"] = False  # SQL Server found the file's key to be the current one and changed nothing
        return result

    run_plan(module, plan, appliers.as_mapping(), summarize)


def main():
    module = AnsibleModule(argument_spec=argument_spec(), mutually_exclusive=SQL_SERVER_MUTUALLY_EXCLUSIVE,
                           required_if=SQL_SERVER_REQUIRED_IF, supports_check_mode=True)
    if module.params["key_password"]:
        # SQL Server quotes parts of a failed statement in some errors (102 "Incorrect syntax near ..."): mask the escaped form too.
        module.no_log_values.add(module.params["key_password"].replace("'", "''"))
    with reported_errors(module):
        for option in ("database", "symmetric_key", "asymmetric_key"):
            if module.params[option] is not None:
                validate_name(module.params[option], option)
        {"backed_up": backed_up, "compared": compared, "restored": restored}[module.params["state"]](module, module.params)


if __name__ == "__main__":
    main()
