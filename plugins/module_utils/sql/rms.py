# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AD RMS backup set: what it holds beyond its databases, the plans that take, verify and restore it, and their appliers.

A set holds a full backup of the configuration database (and of the logging database if asked;
never the directory services database, a cache of Active Directory), every user-defined
message of master in every language (us_english first, as sp_addmessage needs), the RMS
version and where the cluster key lives (software, HSM or another CSP), and its manifest.
The databases are handled as every set's are (database_set.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import ActionType, Plan
from ansible_collections.drkit.microsoft.plugins.module_utils.sql import api, database_set
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.backup_set import messages_digest
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.database_set import VERIFY_BACKUP, WRITE_MANIFEST

SCRIPT_MESSAGES = ActionType("script_user_messages", "create")
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
    """[(role, database name, the parameter naming it)] of the set, configuration first."""
    databases = [("configuration", params["config_database"], "config_database")]
    if params.get("logging_database"):
        databases.append(("logging", params["logging_database"], "logging_database"))
    return databases


def plan_backup(params, set_id, current, manifest_path):
    """The plan of a new set; *current* as database_set.read_current gives it."""
    plan = Plan()
    database_set.plan_backups(plan, params, set_id, databases_of(params), current)
    plan.add(SCRIPT_MESSAGES("master", scope="every user-defined message (id > 50000), every language, us_english first"))
    plan.add(WRITE_MANIFEST(manifest_path, backup_set_id=set_id, rms_version=params["rms_version"], key_storage=params["key_storage"]))
    if params["key_storage"] in KEY_NOTICES:
        plan.notice(KEY_NOTICES[params["key_storage"]])
    return plan


def plan_verify(manifest, manifest_path):
    plan = Plan()
    database_set.plan_file_checks(plan, manifest)
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

    *current* as database_set.read_current(restores=True) gives it; *messages_now* is master's user-defined messages
    ({(message_id, language): text})."""
    plan = Plan()
    database_set.plan_restores(plan, params, manifest, current, safety_id)
    for item in manifest["messages"]["items"]:
        key = (item["message_id"], item["language"])
        if key not in messages_now:
            plan.add(ADD_MESSAGE("%d (%s)" % key, message_id=item["message_id"], language=item["language"], severity=item["severity"]))
        elif messages_now[key] != item["text"]:
            plan.notice("Message %d (%s) in master differs from the set's; it is kept as it is." % key)
    if database_set.restores_any(plan):
        plan.notice(CERTIFICATE_NOTICE % manifest["databases"][0]["backup_finish_date"])
    if manifest["rms"]["key_storage"] in KEY_NOTICES:
        plan.notice("The operator confirmed that the cluster key was restored outside the set (hsm_confirmed).")
    return plan


class RestoreAppliers(database_set.RestoreAppliers):
    """Restores the set's databases, then re-adds the messages master lacks."""

    def as_mapping(self):
        mapping = super(RestoreAppliers, self).as_mapping()
        mapping[ADD_MESSAGE] = self.add_message
        return mapping

    def add_message(self, action):
        item = next(m for m in self.manifest["messages"]["items"]
                    if (m["message_id"], m["language"]) == (action.detail["message_id"], action.detail["language"]))
        api.add_user_message(self.client, item, item["language"])
        return action.target


class BackupAppliers(database_set.BackupAppliers):
    """Takes the set's databases, scripts master's messages, and writes the manifest last."""

    def __init__(self, client, params, set_id, server_version):
        manifest = database_set.new_manifest("rms", set_id, params, server_version)
        manifest["rms"] = {"version": params["rms_version"], "key_storage": params["key_storage"]}
        super(BackupAppliers, self).__init__(client, manifest)

    def as_mapping(self):
        mapping = super(BackupAppliers, self).as_mapping()
        mapping[SCRIPT_MESSAGES] = self.script_messages
        return mapping

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


class VerifyAppliers(database_set.VerifyAppliers):
    """Checks the set's files, and that the scripted messages match their recorded SHA-256."""

    def verify(self, action):
        if "messages" not in action.detail:
            return super(VerifyAppliers, self).verify(action)
        messages = self.manifest["messages"]
        if messages_digest(messages["items"]) != messages.get("sha256"):
            raise DrkitError("the scripted messages do not match their SHA-256: the manifest was changed", step="verify_messages",
                             target=action.target)
        return action.target


def _plan_restore_reading_messages(client, params, manifest, current, safety_id):
    names = api.read_languages(client)
    messages_now = dict(((m["message_id"], names.get(m["language_id"], str(m["language_id"]))), m["text"])
                        for m in api.read_user_messages(client))
    return plan_restore(params, manifest, current, messages_now, safety_id)


class RmsSets(object):
    """AD RMS sets (for set_states): the configuration (and logging) database, master's messages, the RMS version and key storage."""

    name = "rms"
    validate_backup_request = staticmethod(validate_backup_request)
    databases_of = staticmethod(databases_of)
    plan_backup = staticmethod(plan_backup)
    backup_appliers = BackupAppliers
    plan_verify = staticmethod(plan_verify)
    verify_appliers = VerifyAppliers
    check_restore_request = staticmethod(check_restore_request)
    plan_restore = staticmethod(_plan_restore_reading_messages)
    restore_appliers = RestoreAppliers
