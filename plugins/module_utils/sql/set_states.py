# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The states of a backup set module (backed_up, verified, restored), for any kind of set.

A *kind* (database_set.DatabaseSets, rms.RmsSets) says what its sets hold: the databases a request names, what it
refuses, the plans and their appliers. These functions read state, plan, and preview or apply, the same way for all.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime, timezone

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.module import run_plan
from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import Plan
from ansible_collections.drkit.microsoft.plugins.module_utils.sql import api, database_set
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.backup_set import (chosen_manifest, manifest_path, read_manifest,
                                                                                     validate_set_id, validate_windows_directory)
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.client import SqlClient
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.connection import odbc_connection_string
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import validate_name


def backed_up(module, params, kind):
    if not params["backup_directory"]:
        raise InvalidParameter("backup_directory", "is required with state=backed_up")
    validate_windows_directory(params["backup_directory"], "backup_directory")
    kind.validate_backup_request(params)
    for _role, name, parameter in kind.databases_of(params):
        validate_name(name, parameter)
    set_id = params["backup_set_id"] or datetime.now(timezone.utc).strftime(kind.name + "-%Y%m%dT%H%M%SZ")
    validate_set_id(set_id)
    path = manifest_path(params["manifest_directory"], set_id)
    odbc_connection_string(params)  # refuses bad connection options before the existing set is looked at
    existing = read_manifest(path)
    if existing is not None:
        # The set exists whole (its manifest is written last): nothing to do, and the run says so.
        run_plan(module, Plan(), {}, lambda _outcomes: {"backup_set": existing, "manifest": path})
        return
    client = SqlClient(params)
    current = database_set.read_current(client, [name for _role, name, _parameter in kind.databases_of(params)])
    plan = kind.plan_backup(params, set_id, current, path)
    appliers = kind.backup_appliers(client, params, set_id, api.read_server_version(client))

    def summarize(outcomes):
        result = {"manifest": path}
        if outcomes is not None:
            result.update(backup_set=appliers.manifest, progress=appliers.progress)
        return result

    run_plan(module, plan, appliers.as_mapping(), summarize)


def verified(module, params, kind):
    path, manifest = chosen_manifest(params["manifest_directory"], params["backup_set_id"], kind.name, "backup_set_id")
    client = SqlClient(params)
    appliers = kind.verify_appliers(client, manifest)

    def summarize(outcomes):
        result = {"manifest": path, "backup_set": manifest}
        if outcomes is not None:
            result["progress"] = appliers.progress
        return result

    run_plan(module, kind.plan_verify(manifest, path), appliers.as_mapping(), summarize)


def restored(module, params, kind):
    if params["safety_backup"]:
        if not params["backup_directory"]:
            raise InvalidParameter("backup_directory", "is required with state=restored and safety_backup=true: the safety backups go there")
        validate_windows_directory(params["backup_directory"], "backup_directory")
    path, manifest = chosen_manifest(params["manifest_directory"], params["backup_set_id"], kind.name, "backup_set_id")
    kind.check_restore_request(manifest, params)
    odbc_connection_string(params)
    client = SqlClient(params)
    checker = kind.verify_appliers(client, manifest)
    # Every file (and what else the set holds) is checked before the first change: a bad set is refused whole.
    for action in kind.plan_verify(manifest, path).actions:
        checker.verify(action)
    current = database_set.read_current(client, [database["name"] for database in manifest["databases"]], restores=True)
    safety_id = datetime.now(timezone.utc).strftime("safety-%Y%m%dT%H%M%SZ")
    plan = kind.plan_restore(client, params, manifest, current, safety_id)
    appliers = kind.restore_appliers(client, manifest)

    def summarize(outcomes):
        result = {"manifest": path, "backup_set": manifest}
        if outcomes is not None:
            result["progress"] = checker.progress + appliers.progress
        return result

    run_plan(module, plan, appliers.as_mapping(), summarize)


STATES = {"backed_up": backed_up, "verified": verified, "restored": restored}

# The options of the drkit.microsoft.backup_set doc fragment.
BACKUP_SET_ARGUMENT_SPEC = dict(
    state=dict(type="str", choices=list(STATES), default="backed_up"),
    backup_directory=dict(type="str"),
    manifest_directory=dict(type="path", required=True),
    backup_set_id=dict(type="str"),
    safety_backup=dict(type="bool", default=True),
    force=dict(type="bool", default=False),
    compression=dict(type="bool", default=False),
    copy_only=dict(type="bool", default=False),
    verify=dict(type="bool", default=True),
)
