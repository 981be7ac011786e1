"""What a lab service received, in order, with the UTC time of arrival: what tests check reached the
service as data, how many round trips a module made, and in what order. Services decide what an entry
holds; secrets (passwords, client secrets, stdin) are never kept."""
import copy
import datetime
import threading

MAX_ENTRIES = 10000
REDACTED = "********"


class RequestLog:
    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []

    def record(self, operation, **details):
        """Keep an entry {"operation": *operation*, "time": now, **details}."""
        with self._lock:
            now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")
            self._entries.append(dict(details, operation=operation, time=now))
            del self._entries[:-MAX_ENTRIES]

    def entries(self):
        with self._lock:
            return list(self._entries)

    def clear(self):
        with self._lock:
            cleared, self._entries = self._entries, []
            return cleared


def redacted(data, secret=lambda key, item: "password" in key.lower()):
    """A copy of *data* (JSON) for the log, with the value of every dictionary entry that *secret(key, dictionary)* calls
    secret replaced (by default, under a key naming a password)."""
    data = copy.deepcopy(data)
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if value is not None and secret(key, item):
                    item[key] = REDACTED
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return data
