"""The lab's state directory: where each file lives, and lab.json, the record of what runs.

The directory holds account keys and a TLS private key, so it is private to its owner (0700)
and the files with secrets in it are written 0600. A lock file serialises labctl runs that
share a state directory, so two concurrent starts never launch a service twice.
"""
import contextlib
import fcntl
import json
import os

RECORD = "lab.json"
INVENTORY = "inventory.yml"


class LabState:
    """The files of one lab under its state directory."""

    def __init__(self, root):
        self.root = os.path.abspath(root)

    @property
    def record_path(self):
        return os.path.join(self.root, RECORD)

    @property
    def inventory_path(self):
        return os.path.join(self.root, INVENTORY)

    @property
    def tls_dir(self):
        return os.path.join(self.root, "tls")

    def log_path(self, service_name):
        return os.path.join(self.root, "logs", service_name + ".log")

    def data_dir(self, service_name):
        """A directory of the service's own, kept across lab starts."""
        path = os.path.join(self.root, service_name)
        os.makedirs(path, mode=0o700, exist_ok=True)
        return path

    def prepare(self):
        for path in (self.root, os.path.join(self.root, "logs")):
            os.makedirs(path, mode=0o700, exist_ok=True)
        os.chmod(self.root, 0o700)

    @contextlib.contextmanager
    def locked(self):
        """Hold the state directory's lock for the duration of one labctl operation."""
        self.prepare()
        with open(os.path.join(self.root, "lab.lock"), "w", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def load(self):
        """The record of the running services: {"services": {name: run as a dict}}."""
        try:
            with open(self.record_path, encoding="utf-8") as handle:
                return json.load(handle)
        except FileNotFoundError:
            return {"services": {}}

    def save(self, record):
        write_private(self.record_path, json.dumps(record, indent=2, sort_keys=True) + "\n")


def write_private(path, text):
    """Replace *path* with *text*, readable by the owner only, without a half-written moment."""
    temporary = path + ".tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)
    os.replace(temporary, path)
