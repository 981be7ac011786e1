"""The lab SQL Server's state on disk: databases (with their data), msdb's backup history, and the
instance's "disks", where BACKUP writes and RESTORE reads.

``<root>/instance.json`` holds the catalog, written atomically after every change;
``<root>/data/<database id>.mdf`` holds a database's pages; Windows paths name files under
``<root>/volumes``: ``C:\\Backups\\x.bak`` is ``volumes/C/Backups/x.bak`` and
``\\\\server\\share\\x.bak`` is ``volumes/UNC/server/share/x.bak`` (a name longer than 255 bytes in UTF-8 is kept
under its SHA-256, see volume_path).
"""
import datetime
import hashlib
import json
import os
import re
import threading
import uuid
from contextlib import contextmanager

PAGE_SIZE = 8192
NEW_DATABASE_PAGES = 16
SYSTEM_DATABASES = ("master", "tempdb", "model", "msdb")
_DRIVE_PATH = re.compile(r"^(?P<drive>[A-Za-z]):\\(?P<rest>.*)$")
_UNC_PATH = re.compile(r"^\\\\(?P<rest>[^\\]+\\[^\\]+(?:\\.*)?)$")
NAME_MAX_BYTES = 255  # Linux's NAME_MAX
TEMPORARY_SUFFIX = ".tmp"


class SqlState:
    def __init__(self, root):
        self.root = root
        self.lock = threading.RLock()
        os.makedirs(os.path.join(root, "data"), exist_ok=True)
        os.makedirs(os.path.join(root, "volumes", "C", "Backups"), exist_ok=True)
        self.catalog_path = os.path.join(root, "instance.json")
        self.catalog = self._load()

    @contextmanager
    def changing(self):
        """The catalog, locked; written back when the block ends without an exception."""
        with self.lock:
            yield self.catalog
            self.save()

    def database(self, name):
        """The catalog entry of database *name* (case-insensitive), or None."""
        return self.catalog["databases"].get(name.lower())

    def create_database(self, name, pages=NEW_DATABASE_PAGES, recovery_model="FULL", guid=None):
        database_id = max([d["database_id"] for d in self.catalog["databases"].values()] + [4]) + 1
        entry = {"name": name, "database_id": database_id, "guid": guid or str(uuid.uuid4()).upper(), "state": "ONLINE",
                 "user_access": "MULTI_USER", "recovery_model": recovery_model, "create_date": now_text(), "lsn": self.next_lsn(),
                 "files": [{"logical_name": name, "physical_name": "C:\\SQLData\\%s.mdf" % name, "type": "D", "file_id": 1},
                           {"logical_name": name + "_log", "physical_name": "C:\\SQLData\\%s_log.ldf" % name, "type": "L", "file_id": 2}]}
        self.catalog["databases"][name.lower()] = entry
        self.write_data(entry, os.urandom(pages * PAGE_SIZE))
        return entry

    def next_lsn(self):
        self.catalog["lsn"] += 100000
        return self.catalog["lsn"]

    def data(self, entry):
        with open(self._data_path(entry), "rb") as handle:
            return handle.read()

    def data_pages(self, entry):
        """How many pages the database holds, from its data file's size (nothing read)."""
        return os.path.getsize(self._data_path(entry)) // PAGE_SIZE

    def write_data(self, entry, data):
        atomic_write(self._data_path(entry), data)

    def digest(self, entry):
        return hashlib.sha256(self.data(entry)).hexdigest()

    def local_path(self, windows_path):
        """The lab file behind a Windows path; ValueError for a path Windows would not take."""
        return volume_path(self.root, windows_path)

    def _data_path(self, entry):
        return os.path.join(self.root, "data", "%s.mdf" % entry["guid"])

    def _load(self):
        try:
            with open(self.catalog_path, encoding="utf-8") as handle:
                return json.load(handle)
        except FileNotFoundError:
            pass
        self.catalog = {"databases": {}, "backupset": [], "lsn": 10000000000000}
        for name in SYSTEM_DATABASES:
            entry = self.create_database(name, pages=4, recovery_model="SIMPLE")
            entry["database_id"] = SYSTEM_DATABASES.index(name) + 1
        self.save()
        return self.catalog

    def save(self):
        atomic_write(self.catalog_path, json.dumps(self.catalog, indent=1, sort_keys=True).encode())


def volume_path(root, windows_path):
    """The file under *root*/volumes behind a Windows path; ValueError for a path Windows would not take."""
    found = _DRIVE_PATH.match(windows_path)
    if found:
        parts = [found.group("drive").upper()] + found.group("rest").split("\\")
    else:
        found = _UNC_PATH.match(windows_path)
        if not found:
            raise ValueError(windows_path)
        parts = ["UNC"] + found.group("rest").split("\\")
    if any(part in ("", ".", "..") or "/" in part or "\0" in part for part in parts[1:]):
        raise ValueError(windows_path)
    return os.path.join(root, "volumes", parts[0], *(_file_name(part) for part in parts[1:]))


def _file_name(name):
    """The name the lab's disk keeps for a Windows file name: the name itself, or its digest when its UTF-8 form is longer
    than Linux takes (255 bytes; Windows counts 255 UTF-16 units, so a name of 128 CJK characters fits there, not here)."""
    encoded = name.encode("utf-8")
    # atomic_write's temporary name must fit too.
    return name if len(encoded) + len(TEMPORARY_SUFFIX) <= NAME_MAX_BYTES else "~" + hashlib.sha256(encoded).hexdigest()


def atomic_write(path, data):
    temporary = path + TEMPORARY_SUFFIX
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def now_text():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None).isoformat(timespec="milliseconds")
