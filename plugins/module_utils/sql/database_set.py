# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A set of full database backups: the plans that take, check and restore the databases of a set, and their appliers.

Product modules build on it (rms.py adds master's messages and the RMS gates; the SQL backup set module uses it
as it is): a plan lists, per database, the backup with checksums and its verification; or, to restore, a
copy-only safety backup of the database about to be overwritten, exclusive access, RESTORE WITH REPLACE (MOVE
to the current files' paths) and multi-user access again. The manifest that makes a set exist is written last.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import ActionType, Plan
from ansible_collections.drkit.microsoft.plugins.module_utils.sql import api
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.backup_set import MANIFEST_FORMAT, backup_file_path, plain, write_complete_manifest

BACKUP_DATABASE = ActionType("backup_database", "create")
VERIFY_BACKUP = ActionType("verify_backup", "verify")
WRITE_MANIFEST = ActionType("write_manifest", "create")
SAFETY_BACKUP = ActionType("safety_backup", "create")
SET_SINGLE_USER = ActionType("set_single_user", "restart")
RESTORE_DATABASE = ActionType("restore_database", "overwrite", destructive=True, reversible=False)
SET_MULTI_USER = ActionType("set_multi_user", "modify")


def read_current(client, names, restores=False):
    """{name: (sys.databases row or None, files, last full backup[, last restore])} of the databases *names*."""
    current = {}
    for name in names:
        state = (api.read_database(client, name), api.read_database_files(client, name), api.read_last_full_backup(client, name))
        current[name] = state + (api.read_last_restore(client, name),) if restores else state
    return current


def plan_backups(plan, params, set_id, databases, current):
    """Add to *plan* the backup (and verification) of each of *databases*: [(role, name, parameter naming it)]."""
    for role, name, parameter in databases:
        row, files, last_backup = current[name]
        if row is None:
            raise InvalidParameter(parameter, "database %s does not exist on this instance" % name)
        data_pages = sum(f["size"] for f in files if f["type_desc"] == "ROWS")
        plan.add(BACKUP_DATABASE(name, role=role, file=backup_file_path(params["backup_directory"], set_id, name),
                                 size_bytes=data_pages * 8192, state=row["state_desc"], recovery_model=row["recovery_model_desc"],
                                 last_full_backup=plain(last_backup), checksum=True, compression=params["compression"],
                                 copy_only=params["copy_only"]))
        if params["verify"]:
            plan.add(VERIFY_BACKUP(backup_file_path(params["backup_directory"], set_id, name), database=name, checksum=True))


def plan_file_checks(plan, manifest):
    """Add to *plan* the check of each file of the set: same backup set GUID, RESTORE VERIFYONLY."""
    for database in manifest["databases"]:
        plan.add(VERIFY_BACKUP(database["file"], database=database["name"], checksum=database["has_backup_checksums"],
                               backup_set_guid=database["backup_set_guid"]))


def plan_restores(plan, params, manifest, current, safety_id):
    """Add to *plan* the restore of each database of the set; *current* as read_current(restores=True) gives it.

    A database whose newest restore came from this same backup is left as it is (a notice says so) unless force."""
    for database in manifest["databases"]:
        name = database["name"]
        row, files, last_backup, last_restore = current[name]
        if row is not None and last_restore and last_restore[1].lower() == database["backup_set_guid"].lower() and not params["force"]:
            plan.notice("%s was last restored from this set (%s): it is left as it is; force: true restores it again, losing what was "
                        "written since." % (name, plain(last_restore[0])))
            continue
        if row is not None:
            if params["safety_backup"]:
                plan.add(SAFETY_BACKUP(name, file=backup_file_path(params["backup_directory"], safety_id, name), copy_only=True))
            plan.add(SET_SINGLE_USER(name, sessions="every other session of the database is ended (ROLLBACK IMMEDIATE)"))
        plan.add(RESTORE_DATABASE(name, file=database["file"], backup_finish_date=database["backup_finish_date"],
                                  exists=row is not None, current_size_bytes=sum(f["size"] for f in files if f["type_desc"] == "ROWS") * 8192,
                                  current_last_full_backup=plain(last_backup), moves=_moves(database["files"], files)))
        if row is not None:
            plan.add(SET_MULTI_USER(name))


def restores_any(plan):
    return any(action.type is RESTORE_DATABASE for action in plan.actions)


def new_manifest(kind, set_id, params, server_version):
    """The manifest of a set being taken; the appliers add the databases, then it is written last."""
    return {"format": MANIFEST_FORMAT, "backup_set_id": set_id, "kind": kind,
            "sql_server": {"host": params["login_host"], "port": params.get("login_port"), "instance": params.get("instance"),
                           "version": server_version},
            "databases": []}


def _moves(backup_files, current_files):
    """MOVE pairs that put each restored file where the existing database keeps it (none for a new database)."""
    current = dict((f["name"], f["physical_name"]) for f in current_files)
    return [[f["logical_name"], current[f["logical_name"]]] for f in backup_files
            if f["logical_name"] in current and current[f["logical_name"]] != f["physical_name"]]


class _Appliers(object):
    """What the appliers of a set share: the connection, the set's manifest, and the messages SQL Server sent (progress)."""

    def __init__(self, client, manifest):
        self.client, self.manifest = client, manifest
        self.progress = []


class BackupAppliers(_Appliers):
    """Takes the set the plan describes; each database's entry is built from what SQL Server reports, the manifest written last."""

    def as_mapping(self):
        return {BACKUP_DATABASE: self.backup, VERIFY_BACKUP: self.verify, WRITE_MANIFEST: self.write}

    def backup(self, action):
        detail = action.detail
        self.progress.extend(api.backup_database(self.client, action.target, detail["file"], checksum=True,
                                                 compression=detail["compression"], copy_only=detail["copy_only"]))
        header = api.read_backup_header(self.client, detail["file"])
        if header is None or header["database_name"] != action.target:
            raise DrkitError("the backup file does not hold the database just backed up", step="read_backup_header", target=detail["file"])
        self.manifest["databases"].append(plain({
            "role": detail["role"], "name": action.target, "file": detail["file"], "backup_set_guid": header["backup_set_guid"],
            "first_lsn": header["first_lsn"], "last_lsn": header["last_lsn"], "checkpoint_lsn": header["checkpoint_lsn"],
            "backup_start_date": header["backup_start_date"], "backup_finish_date": header["backup_finish_date"],
            "backup_size": header["backup_size"], "has_backup_checksums": header["has_backup_checksums"],
            "is_copy_only": header["is_copy_only"], "compressed": bool(header["compressed"]), "recovery_model": header["recovery_model"],
            "files": [{"logical_name": f["logical_name"], "physical_name": f["physical_name"], "type": f["type"]}
                      for f in api.read_backup_files(self.client, detail["file"])]}))
        return action.target

    def verify(self, action):
        self.progress.extend(api.verify_backup(self.client, action.target, checksum=action.detail["checksum"]))
        for database in self.manifest["databases"]:
            if database["file"] == action.target:
                database["verified"] = True
        return action.target

    def write(self, action):
        return write_complete_manifest(action.target, self.manifest)


class VerifyAppliers(_Appliers):
    """Checks a set's files without restoring them: each still holds the backup the manifest names and passes RESTORE VERIFYONLY."""

    def as_mapping(self):
        return {VERIFY_BACKUP: self.verify}

    def verify(self, action):
        header = api.read_backup_header(self.client, action.target)
        expected = action.detail["backup_set_guid"]
        if header is None or str(header["backup_set_guid"]).lower() != str(expected).lower():
            raise DrkitError("the file holds another backup (backup set %s, the manifest records %s)"
                             % (header and header["backup_set_guid"], expected), step="verify_backup", target=action.target)
        self.progress.extend(api.verify_backup(self.client, action.target, checksum=action.detail["checksum"]))
        return action.target


class RestoreAppliers(_Appliers):
    """Restores the plan's databases; a failed restore puts the database back to MULTI_USER before failing, or says it could not."""

    def as_mapping(self):
        return {SAFETY_BACKUP: self.safety_backup, SET_SINGLE_USER: self.single_user, RESTORE_DATABASE: self.restore,
                SET_MULTI_USER: self.multi_user}

    def safety_backup(self, action):
        self.progress.extend(api.backup_database(self.client, action.target, action.detail["file"], copy_only=True))
        return action.detail["file"]

    def single_user(self, action):
        self.progress.extend(api.set_user_access(self.client, action.target, single_user=True))
        return action.target

    def restore(self, action):
        detail = action.detail
        try:
            self.progress.extend(api.restore_database(self.client, action.target, detail["file"], [tuple(m) for m in detail["moves"]]))
        except DrkitError as error:
            if detail["exists"]:
                try:
                    api.set_user_access(self.client, action.target, single_user=False)
                except DrkitError as cleanup:
                    # The restore is what failed (a dropped connection fails both): its error is reported, with why the
                    # database may still be SINGLE_USER.
                    error.details["multi_user_not_set_back"] = str(cleanup)
            raise
        return action.target

    def multi_user(self, action):
        api.set_user_access(self.client, action.target, single_user=False)
        return action.target


def validate_databases_request(params):
    names = params.get("databases") or []
    if not names:
        raise InvalidParameter("databases", "is required with state=backed_up: the databases the set holds")
    if len(set(name.lower() for name in names)) != len(names):
        raise InvalidParameter("databases", "names a database twice")


def databases_requested(params):
    return [("database", name, "databases") for name in params["databases"]]


def plan_databases_backup(params, set_id, current, manifest_path):
    plan = Plan()
    plan_backups(plan, params, set_id, databases_requested(params), current)
    plan.add(WRITE_MANIFEST(manifest_path, backup_set_id=set_id))
    return plan


def plan_databases_verify(manifest, _manifest_path):
    plan = Plan()
    plan_file_checks(plan, manifest)
    return plan


def no_restore_gate(_manifest, _params):
    """Nothing beyond the files' checks gates a restore of databases alone."""


def plan_databases_restore(_client, params, manifest, current, safety_id):
    plan = Plan()
    plan_restores(plan, params, manifest, current, safety_id)
    return plan


class DatabaseSets(object):
    """Sets of full backups of the databases a request names (O(databases)), nothing else (for set_states)."""

    name = "databases"
    validate_backup_request = staticmethod(validate_databases_request)
    databases_of = staticmethod(databases_requested)
    plan_backup = staticmethod(plan_databases_backup)

    @staticmethod
    def backup_appliers(client, params, set_id, server_version):
        return BackupAppliers(client, new_manifest("databases", set_id, params, server_version))

    plan_verify = staticmethod(plan_databases_verify)
    verify_appliers = VerifyAppliers
    check_restore_request = staticmethod(no_restore_gate)
    plan_restore = staticmethod(plan_databases_restore)
    restore_appliers = RestoreAppliers
