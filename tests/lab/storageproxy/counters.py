"""Requests per operation and bytes of page data moved, for tests and benchmarks.

Bytes counted: Put Page request bodies Azurite accepted ("put_page"), bytes the proxy read
from copy sources for Put Page From URL ("put_page_from_url") and Get Blob response bodies
sent to clients ("get_blob"). Requests are counted as they arrive, refused or faulted ones too.
"""
import threading

BYTE_KINDS = ("put_page", "put_page_from_url", "get_blob")


class Counters:
    def __init__(self):
        self._lock = threading.Lock()
        self._requests, self._bytes = {}, {}
        self.reset()

    def request(self, operation):
        with self._lock:
            self._requests[operation] = self._requests.get(operation, 0) + 1

    def moved(self, kind, count):
        with self._lock:
            self._bytes[kind] += count

    def snapshot(self):
        with self._lock:
            return {"requests": dict(sorted(self._requests.items())), "bytes": dict(self._bytes)}

    def reset(self):
        """Zero everything; returns what was counted until now."""
        with self._lock:
            before = {"requests": dict(sorted(self._requests.items())), "bytes": dict(self._bytes)}
            self._requests = {}
            self._bytes = dict.fromkeys(BYTE_KINDS, 0)
            return before
