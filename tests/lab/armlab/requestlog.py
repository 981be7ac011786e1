"""What the lab's Resource Manager received, in order, with the UTC time of arrival: what tests check
reached the service as data, how many round trips a module made, and in what order. Token request
bodies (client secrets) are never kept."""
import datetime
import json
import threading

MAX_ENTRIES = 10000


class RequestLog:
    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []

    def record(self, operation, method, path, query, body):
        try:
            document = json.loads(body) if body else None
        except ValueError:
            document = {"undecodable_bytes": len(body)}
        with self._lock:
            now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")
            self._entries.append({"operation": operation, "method": method, "path": path, "query": query, "body": document, "time": now})
            del self._entries[:-MAX_ENTRIES]

    def entries(self):
        with self._lock:
            return list(self._entries)

    def clear(self):
        with self._lock:
            cleared, self._entries = self._entries, []
            return cleared
