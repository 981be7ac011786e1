# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Backup sets: database backup files on the SQL Server's side, and a manifest (JSON) on the controller.

The manifest lists every file with the backup's identity (backup set GUID, LSNs, times, size,
checksums) and carries the scripted user-defined messages with their SHA-256. It is written
last, to a temporary name renamed into place, so a run that stops early never leaves a set
that looks complete: without its manifest there is no set.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re
import tempfile
from datetime import date, datetime, timezone
from decimal import Decimal

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.timestamps import utc_stamp

MANIFEST_FORMAT = "drkit.microsoft.backup_set/1"
_SET_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_WINDOWS_DIRECTORY = re.compile(r"^(?:[A-Za-z]:\\|\\\\[^\\/:*?\"<>|]+\\[^\\/:*?\"<>|]+)(?:[^/:*?\"<>|]*)$")
# Characters Windows refuses in a file name, replaced in the names made from database names.
_NOT_IN_FILE_NAMES = re.compile(r"[\\/:*?\"<>|\x00-\x1f]")


def validate_set_id(set_id, parameter="backup_set_id"):
    if not _SET_ID.match(set_id):
        raise InvalidParameter(parameter, "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")


def validate_windows_directory(path, parameter):
    if not _WINDOWS_DIRECTORY.match(path) or "\\.." in path or len(path) > 200:
        raise InvalidParameter(parameter, "must be an absolute Windows directory of the SQL Server's host (C:\\Backups\\RMS) or a "
                                          "share it reaches (\\\\server\\share\\RMS), without '..', at most 200 characters")


def backup_file_path(directory, set_id, database):
    """``<directory>\\<set id>__<database>.bak``; characters Windows refuses in file names become '_'."""
    return "%s\\%s__%s.bak" % (directory.rstrip("\\"), set_id, _NOT_IN_FILE_NAMES.sub("_", database))


def manifest_path(directory, set_id):
    return os.path.join(directory, "%s.json" % set_id)


def messages_digest(messages):
    """SHA-256 of the scripted messages, canonical JSON: what verification recomputes."""
    return hashlib.sha256(json.dumps(messages, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def plain(value):
    """A value from SQL Server made JSON-safe: LSNs (Decimal) as strings, times in ISO 8601, GUIDs as text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return dict((key, plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def write_manifest(path, manifest):
    """Write *manifest* to *path* atomically (temporary file in the same directory, then rename)."""
    directory = os.path.dirname(path) or "."
    try:
        if not os.path.isdir(directory):
            os.makedirs(directory, mode=0o700)
        handle, temporary = tempfile.mkstemp(prefix=".manifest-", suffix=".partial", dir=directory)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(manifest, stream, indent=2, sort_keys=True, ensure_ascii=False)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:
        raise DrkitError("cannot write the manifest: %s" % error, step="write_manifest", target=path)


def write_complete_manifest(path, manifest):
    """Stamp *manifest* as complete, now, and write it: the last step of taking a backup."""
    manifest["created"] = utc_stamp(datetime.now(timezone.utc))
    manifest["complete"] = True
    write_manifest(path, manifest)
    return path


def read_manifest(path):
    """The manifest at *path*, or None when there is none; a damaged one raises."""
    try:
        with open(path, encoding="utf-8") as stream:
            manifest = json.load(stream)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise DrkitError("cannot read the manifest: %s" % error, step="read_manifest", target=path)
    found_format = manifest.get("format") if isinstance(manifest, dict) else None
    if found_format != MANIFEST_FORMAT:
        raise DrkitError("not a backup set manifest of this collection (format %r)" % found_format, step="read_manifest", target=path)
    return manifest


def list_manifests(directory):
    """[(path, manifest)] of every set in *directory*, oldest first (by the creation time each records)."""
    found = []
    for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else ():
        if name.endswith(".json") and not name.startswith("."):
            manifest = read_manifest(os.path.join(directory, name))
            found.append((manifest.get("created", ""), os.path.join(directory, name), manifest))
    return [(path, manifest) for _created, path, manifest in sorted(found, key=lambda entry: (entry[0], entry[1]))]


def latest_manifest(directory, kind):
    """(path, manifest) of the newest set of *kind* ("rms") in *directory*, or (None, None)."""
    found = [(path, manifest) for path, manifest in list_manifests(directory) if manifest.get("kind") == kind]
    return found[-1] if found else (None, None)


def chosen_manifest(directory, set_id, kind, parameter):
    """(path, manifest) of set *set_id* in *directory*, else of the newest set of *kind*; refused when there is none or it is
    of another kind. *parameter* names the module option that holds *set_id*."""
    if set_id:
        validate_set_id(set_id, parameter)
        path = manifest_path(directory, set_id)
        manifest = read_manifest(path)
    else:
        path, manifest = latest_manifest(directory, kind)
    if manifest is None:
        raise InvalidParameter(parameter, "no %sbackup in %s" % ("%s " % set_id if set_id else "", directory))
    if manifest.get("kind") != kind:
        raise InvalidParameter(parameter, "%s is not a backup of kind %s (kind %r)" % (path, kind, manifest.get("kind")))
    return path, manifest
