# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Backups of an instance's service master key (SMK): when one is needed, whether an instance has the backed-up key,
and the plan that restores it, gated when other databases or secrets of the instance depend on the key.

A key backup is a file written by SQL Server on its side (BACKUP SERVICE MASTER KEY, encrypted by a password the
collection never records) and a manifest on the controller with the key's identity (key_guid, create and modify
dates from master.sys.symmetric_keys) and the instance's. The manifest is written last.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError
from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import ActionType, Plan
from ansible_collections.drkit.microsoft.plugins.module_utils.sql import keys
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.backup_set import MANIFEST_FORMAT, plain, write_complete_manifest
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.database_set import WRITE_MANIFEST

KIND = "smk"
BACKUP_KEY = ActionType("backup_service_master_key", "create")
CONFIRM_SHARED_INSTANCE = ActionType("confirm_shared_instance", "gate")
RESTORE_KEY = ActionType("restore_service_master_key", "modify")
# FORCE drops what the current key protects and cannot be decrypted: data lost for good.
RESTORE_KEY_FORCED = ActionType("restore_service_master_key_force", "overwrite", destructive=True, reversible=False)
IDENTICAL_KEYS = "The old and new master keys are identical"


def key_file_path(directory, backup_id):
    return "%s\\%s.smk" % (directory.rstrip("\\"), backup_id)


def identity(row):
    """The key's identity as recorded: key_guid and dates, plain text."""
    return plain({"key_guid": str(row["key_guid"]).upper(), "create_date": row["create_date"], "modify_date": row["modify_date"]})


def same_key(recorded, current):
    """Whether *current* is the key *recorded* (its modify date changes when it is restored or re-encrypted)."""
    return (recorded["key_guid"], recorded["create_date"]) == (current["key_guid"], current["create_date"])


def instance_of(params, server_version):
    return {"host": params["login_host"], "port": params.get("login_port"), "instance": params.get("instance"), "version": server_version}


def same_instance(a, b):
    return (a["host"].lower(), a.get("port"), (a.get("instance") or "").lower()) == \
        (b["host"].lower(), b.get("port"), (b.get("instance") or "").lower())


def plan_backup(params, backup_id, current, last, file_path, manifest_path):
    """Back the key up unless the newest backup of this instance (*last*, a manifest or None) holds it unchanged."""
    plan = Plan()
    if last is not None and last["service_master_key"] == current and not params["force"]:
        plan.notice("The service master key has not changed since backup %s (%s): it is not backed up again; force: true does."
                    % (last["backup_set_id"], last["created"]))
        return plan
    plan.add(BACKUP_KEY(file_path, key_guid=current["key_guid"], modify_date=current["modify_date"],
                        protection="encrypted by key_password, which is not recorded anywhere"))
    plan.add(WRITE_MANIFEST(manifest_path, backup_set_id=backup_id))
    plan.notice("Keep the key file and its password off this server: without the password the file cannot be restored.")
    return plan


def affected_items(databases, credentials, linked_logins, own_database):
    """[(kind, name)] of what the SMK protects on the instance besides *own_database*: all of it is re-encrypted by a restore."""
    return ([("database", name) for name in databases if name.lower() != own_database.lower()]
            + [("credential", name) for name in credentials] + [("linked server login", name) for name in linked_logins])


def plan_restore(params, manifest, current, data_opens, affected):
    """Restore the backed-up key unless the instance has it, or the database's keys already open through the current one."""
    plan = Plan()
    recorded = manifest["service_master_key"]
    if same_key(recorded, current):
        plan.notice("The instance's service master key is the one backup %s holds: nothing to restore." % manifest["backup_set_id"])
        return plan
    if data_opens:
        plan.notice("The keys of database %s open through the instance's current service master key: nothing to restore."
                    % params["database"])
        return plan
    if affected:
        plan.add(CONFIRM_SHARED_INSTANCE(instance_name(params), affected=["%s %s" % item for item in affected],
                                         confirmed=params["confirm_shared_instance"]))
        plan.notice("Other items of this instance depend on its service master key; the restore re-encrypts them with the restored "
                    "key, and with force: true drops those it cannot decrypt: %s." % ", ".join("%s %s" % item for item in affected))
    action = RESTORE_KEY_FORCED if params["force"] else RESTORE_KEY
    plan.add(action(manifest["file"], from_backup=manifest["backup_set_id"], key_guid=recorded["key_guid"],
                    backed_up_from=manifest["sql_server"], current_key_guid=current["key_guid"]))
    return plan


def instance_name(params):
    return "%s%s" % (params["login_host"], ("\\" + params["instance"]) if params.get("instance") else
                     (",%s" % params["login_port"]) if params.get("login_port") else "")


class BackupAppliers(object):
    def __init__(self, client, params, backup_id, instance, current):
        self.client, self.params = client, params
        self.manifest = {"format": MANIFEST_FORMAT, "kind": KIND, "backup_set_id": backup_id, "sql_server": instance,
                         "service_master_key": current}

    def as_mapping(self):
        return {BACKUP_KEY: self.backup, WRITE_MANIFEST: self.write}

    def backup(self, action):
        keys.backup_service_master_key(self.client, action.target, self.params["key_password"])
        self.manifest["file"] = action.target
        return action.target

    def write(self, action):
        return write_complete_manifest(action.target, self.manifest)


class RestoreAppliers(object):
    def __init__(self, client, params):
        self.client, self.params = client, params
        self.messages = []

    def as_mapping(self):
        return {CONFIRM_SHARED_INSTANCE: self.confirm, RESTORE_KEY: self.restore, RESTORE_KEY_FORCED: self.restore}

    def confirm(self, action):
        if not action.detail["confirmed"]:
            raise DrkitError("the service master key protects other items of this instance (%s): a restore re-encrypts them all; "
                             "set confirm_shared_instance: true to go ahead. Nothing was changed."
                             % ", ".join(action.detail["affected"]), step="confirm_shared_instance", target=action.target)
        return action.target

    def restore(self, action):
        self.messages.extend(keys.restore_service_master_key(self.client, action.target, self.params["key_password"],
                                                             force=action.type is RESTORE_KEY_FORCED))
        return action.target

    @property
    def identical(self):
        """SQL Server found the file's key to be the current one (message 15588) and changed nothing."""
        return any(IDENTICAL_KEYS in message for message in self.messages)
