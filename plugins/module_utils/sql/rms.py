# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AD RMS backup set: what it holds, the plans that take and verify it, and their appliers.

A set holds a full backup of the configuration database (and of the logging database if asked;
never the directory services database, a cache of Active Directory), every user-defined
message of master in every language (us_english first, as sp_addmessage needs), the RMS
version and where the cluster key lives (software, HSM or another CSP), and its manifest.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from datetime import datetime, timezone

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import ActionType, Plan
from ansible_collections.drkit.microsoft.plugins.module_utils.core.timestamps import utc_stamp
from ansible_collections.drkit.microsoft.plugins.module_utils.sql import api
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.backup_set import (MANIFEST_FORMAT, backup_file_path, messages_digest, plain,
                                                                                     write_manifest)

BACKUP_DATABASE = ActionType("backup_database", "create")
SCRIPT_MESSAGES = ActionType("script_user_messages", "create")
VERIFY_BACKUP = ActionType("verify_backup", "verify")
WRITE_MANIFEST = ActionType("write_manifest", "create")
SAFETY_BACKUP = ActionType("safety_backup", "create")
SET_SINGLE_USER = ActionType("set_single_user", "restart")
RESTORE_DATABASE = ActionType("restore_database", "overwrite", destructive=True, reversible=False)
SET_MULTI_USER = ActionType("set_multi_user", "modify")
ADD_MESSAGE = ActionType("add_user_message", "create")
CERTIFICATE_NOTICE = ("Users who used RMS after %s (when this set was taken) need a new rights account certificate; "
                      "no protected content is lost.")

KEY_STORAGE = ("software", "hsm", "csp")
_VERSION = re.compile(r"^\d+(\.\d+){1,3}$")
_DIRECTORY_SERVICES = re.compile(r"^DRMS_DirectoryServices", re.IGNORECASE)
KEY_NOTICES = {
    "hsm": "A hardware security module holds the RMS cluster key: this set does not contain it. Back up the HSM's configuration "
           "with the HSM vendor's tools; a restore will ask for hsm_confirmed.",
    "csp": "A non-default cryptographic service provider holds the RMS cluster key: this set does not contain it. Back the key up "
           "with that provider's own procedure; a restore will ask for hsm_confirmed.",
}


def validate_backup_request(params):
    """Refuse what a backup set must not be, before anything is read or written."""
    for parameter in ("config_database", "logging_database"):
        name = params.get(parameter)
        if name and _DIRECTORY_SERVICES.match(name):
            raise InvalidParameter(parameter, "names the directory services database, a cache of Active Directory that RMS rebuilds: "
                                              "it is never part of a backup set")
    if not _VERSION.match(params.get("rms_version") or ""):
        raise InvalidParameter("rms_version", "is required with state=backed_up, as the RMS servers report it (10.0.14393.0), so a "
                                              "restore can refuse another version")
    if params["config_database"] == params.get("logging_database"):
        raise InvalidParameter("logging_database", "must differ from config_database")


def databases_of(params):
    """[(role, database name)] of the set, configuration first."""
    databases = [("configuration", params["config_database"])]
    if params.get("logging_database"):
        databases.append(("logging", params["logging_database"]))
    return databases


def plan_backup(params, set_id, current, manifest_path):
    """The plan of a new set; *current* maps each database name to (its sys.databases row or None, its files, last full backup)."""
    plan = Plan()
    for role, name in databases_of(params):
        row, files, last_backup = current[name]
        if row is None:
            raise InvalidParameter("config_database" if role == "configuration" else "logging_database",
                                   "database %s does not exist on this instance" % name)
        data_pages = sum(f["size"] for f in files if f["type_desc"] == "ROWS")
        plan.add(BACKUP_DATABASE(name, role=role, file=backup_file_path(params["backup_directory"], set_id, name),
                                 size_bytes=data_pages * 8192, state=row["state_desc"], recovery_model=row["recovery_model_desc"],
                                 last_full_backup=plain(last_backup), checksum=True, compression=params["compression"],
                                 copy_only=params["copy_only"]))
        if params["verify"]:
            plan.add(VERIFY_BACKUP(backup_file_path(params["backup_directory"], set_id, name), database=name, checksum=True))
    plan.add(SCRIPT_MESSAGES("master", scope="every user-defined message (id > 50000), every language, us_english first"))
    plan.add(WRITE_MANIFEST(manifest_path, backup_set_id=set_id, rms_version=params["rms_version"], key_storage=params["key_storage"]))
    if params["key_storage"] in KEY_NOTICES:
        plan.notice(KEY_NOTICES[params["key_storage"]])
    return plan


def plan_verify(manifest, manifest_path):
    plan = Plan()
    for database in manifest["databases"]:
        plan.add(VERIFY_BACKUP(database["file"], database=database["name"], checksum=database["has_backup_checksums"],
                               backup_set_guid=database["backup_set_guid"]))
    plan.add(VERIFY_BACKUP(manifest_path, check="the scripted messages match their SHA-256", messages=manifest["messages"]["count"]))
    return plan


def check_restore_request(manifest, params):
    """Refuse a restore before anything is touched: another RMS version, or a key outside the set not confirmed."""
    recorded = manifest["rms"]["version"]
    if not params.get("rms_version"):
        raise InvalidParameter("rms_version", "is required with state=restored: the version RMS runs now, compared with the set's (%s)"
                               % recorded)
    if params["rms_version"] != recorded:
        raise DrkitError("the RMS version running now (%s) differs from the one this set was taken with (%s): restore refused, nothing "
                         "was changed" % (params["rms_version"], recorded), step="version_gate", target=manifest["backup_set_id"])
    storage = manifest["rms"]["key_storage"]
    if storage in KEY_NOTICES and not params.get("hsm_confirmed"):
        raise DrkitError("the set records that %s holds the RMS cluster key, outside the set: restore it with that tool, then set "
                         "hsm_confirmed: true; nothing was changed" % ("a hardware security module" if storage == "hsm" else
                                                                       "a non-default cryptographic provider"),
                         step="key_gate", target=manifest["backup_set_id"])


def plan_restore(params, manifest, current, messages_now, safety_id):
    """The plan that restores every database of the set and re-adds the messages master lacks.

    *current* maps each database name to (sys.databases row or None, its files, last full backup, last restore or None);
    *messages_now* is master's user-defined messages ({(message_id, language): text})."""
    plan = Plan()
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
    for item in manifest["messages"]["items"]:
        key = (item["message_id"], item["language"])
        if key not in messages_now:
            plan.add(ADD_MESSAGE("%d (%s)" % key, message_id=item["message_id"], language=item["language"], severity=item["severity"]))
        elif messages_now[key] != item["text"]:
            plan.notice("Message %d (%s) in master differs from the set's; it is kept as it is." % key)
    if any(action.type is RESTORE_DATABASE for action in plan.actions):
        plan.notice(CERTIFICATE_NOTICE % manifest["databases"][0]["backup_finish_date"])
    if manifest["rms"]["key_storage"] in KEY_NOTICES:
        plan.notice("The operator confirmed that the cluster key was restored outside the set (hsm_confirmed).")
    return plan


def _moves(backup_files, current_files):
    """MOVE pairs that put each restored file where the existing database keeps it (none for a new database)."""
    current = dict((f["name"], f["physical_name"]) for f in current_files)
    return [[f["logical_name"], current[f["logical_name"]]] for f in backup_files
            if f["logical_name"] in current and current[f["logical_name"]] != f["physical_name"]]


class RestoreAppliers(object):
    """Restores the plan's databases; a failed restore puts the database back to MULTI_USER before failing."""

    def __init__(self, client, manifest):
        self.client, self.manifest = client, manifest
        self.progress = []

    def as_mapping(self):
        return {SAFETY_BACKUP: self.safety_backup, SET_SINGLE_USER: self.single_user, RESTORE_DATABASE: self.restore,
                SET_MULTI_USER: self.multi_user, ADD_MESSAGE: self.add_message}

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
        except DrkitError:
            if detail["exists"]:
                api.set_user_access(self.client, action.target, single_user=False)
            raise
        return action.target

    def multi_user(self, action):
        api.set_user_access(self.client, action.target, single_user=False)
        return action.target

    def add_message(self, action):
        item = next(m for m in self.manifest["messages"]["items"]
                    if (m["message_id"], m["language"]) == (action.detail["message_id"], action.detail["language"]))
        api.add_user_message(self.client, item, item["language"])
        return action.target


class BackupAppliers(object):
    """Takes the set the plan describes; the manifest is built from what SQL Server reports, then written last."""

    def __init__(self, client, params, set_id, server_version):
        self.client, self.params, self.set_id = client, params, set_id
        self.manifest = {"format": MANIFEST_FORMAT, "backup_set_id": set_id, "kind": "rms",
                         "sql_server": {"host": params["login_host"], "port": params.get("login_port"), "instance": params.get("instance"),
                                        "version": server_version},
                         "rms": {"version": params["rms_version"], "key_storage": params["key_storage"]}, "databases": []}
        self.progress = []

    def as_mapping(self):
        return {BACKUP_DATABASE: self.backup, VERIFY_BACKUP: self.verify, SCRIPT_MESSAGES: self.script_messages,
                WRITE_MANIFEST: self.write}

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

    def script_messages(self, _action):
        names = api.read_languages(self.client)
        items = []
        for row in api.read_user_messages(self.client):
            items.append({"message_id": row["message_id"], "language": names.get(row["language_id"], str(row["language_id"])),
                          "severity": row["severity"], "is_event_logged": bool(row["is_event_logged"]), "text": row["text"]})
        # us_english before any other language of the same message: sp_addmessage refuses the others first.
        items.sort(key=lambda item: (item["message_id"], item["language"] != "us_english", item["language"]))
        self.manifest["messages"] = {"count": len(items), "sha256": messages_digest(items), "items": items}
        return len(items)

    def write(self, action):
        self.manifest["created"] = utc_stamp(datetime.now(timezone.utc))
        self.manifest["complete"] = True
        write_manifest(action.target, self.manifest)
        return action.target


class VerifyAppliers(object):
    """Checks a set without restoring it: each file still holds the backup the manifest names and
    passes RESTORE VERIFYONLY, and the scripted messages match their recorded SHA-256."""

    def __init__(self, client, manifest):
        self.client, self.manifest = client, manifest
        self.progress = []

    def as_mapping(self):
        return {VERIFY_BACKUP: self.verify}

    def verify(self, action):
        if "messages" in action.detail:
            messages = self.manifest["messages"]
            if messages_digest(messages["items"]) != messages.get("sha256"):
                raise DrkitError("the scripted messages do not match their SHA-256: the manifest was changed", step="verify_messages",
                                 target=action.target)
            return action.target
        header = api.read_backup_header(self.client, action.target)
        expected = action.detail["backup_set_guid"]
        if header is None or str(header["backup_set_guid"]).lower() != str(expected).lower():
            raise DrkitError("the file holds another backup (backup set %s, the manifest records %s)"
                             % (header and header["backup_set_guid"], expected), step="verify_backup", target=action.target)
        self.progress.extend(api.verify_backup(self.client, action.target, checksum=action.detail["checksum"]))
        return action.target
