"""The lab's Resource Manager state: one JSON document on disk, changed under one lock.

Every change is written (atomically: a temporary file renamed over the old one) before the
answer goes out, so a restarted lab serves what the last run left, as Azure would. Time moves
operations on: whoever reads the state first after an operation's end time applies its effect.
"""
import json
import os
import threading
from contextlib import contextmanager

EMPTY = {"settings": {"operation_seconds": 1.0}, "virtual_machines": {}, "vaults": {}, "operations": {}, "jobs": {}}


class ArmState:
    def __init__(self, path):
        self.path = path
        self._lock = threading.Lock()
        self._document = self._load()
        self._saved = None  # the text last written: an unchanged document is not written again

    @contextmanager
    def locked(self):
        """The state document, locked; written back when the block ends without an exception and changed it.

        Reads take it too: reading settles operations whose time has come, which changes it."""
        with self._lock:
            yield self._document
            self._save()

    def _load(self):
        try:
            with open(self.path, encoding="utf-8") as handle:
                document = json.load(handle)
        except FileNotFoundError:
            document = {}
        return {key: document.get(key, json.loads(json.dumps(value))) for key, value in EMPTY.items()}

    def _save(self):
        text = json.dumps(self._document, indent=1, sort_keys=True)
        if text == self._saved:
            return
        temporary = self.path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, self.path)
        self._saved = text
