"""A lab's state as one JSON document on disk: changed under one lock and written before an answer goes out, so a
restarted lab serves what the last run left. The service gives the keys a document has (and their empty values) and the
document a new lab starts with."""
import copy
import json
import os
import threading
from contextlib import contextmanager


class JsonStore:
    def __init__(self, path, empty, initial):
        """*empty*: every top-level key with its value when missing; *initial()*: the document of a new lab."""
        self.path, self.empty = path, empty
        self._lock = threading.Lock()
        self._document = self._load(initial)

    @contextmanager
    def locked(self):
        """The document, locked; written back when the block ends without an exception."""
        with self._lock:
            working = copy.deepcopy(self._document)
            yield working
            self._document = working
            self._save()

    def replace(self, document):
        with self._lock:
            self._document = self._complete(document)
            self._save()

    def snapshot(self):
        with self._lock:
            return copy.deepcopy(self._document)

    def _complete(self, document):
        return {key: copy.deepcopy(document.get(key, value)) for key, value in self.empty.items()}

    def _load(self, initial):
        try:
            with open(self.path, encoding="utf-8") as handle:
                return self._complete(json.load(handle))
        except FileNotFoundError:
            return self._complete(initial())

    def _save(self):
        temporary = self.path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(self._document, handle, indent=1, sort_keys=True)
        os.replace(temporary, self.path)
