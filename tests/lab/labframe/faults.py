"""Injected faults, shared by the lab's HTTP services: after N matching requests, drop the
connection, answer an error status or answer late.

A fault is {"operation": name or "*", "after": N, "mode": "drop" | "status" | "delay", "status": 503,
"count": how many requests to fault (absent: all later ones), "code"/"message" to override
the error's, "retry_after": seconds for a Retry-After header, "seconds": how long a delayed
request waits}. Services match requests as they arrive, before acting on them, so a dropped or
refused request changes nothing: a dropped Put Page writes nothing, a throttled power-off stops
no VM. A delayed request is served as usual once its seconds have passed, whether or not the
client still waits for the answer (a slow host, which a client's read timeout gives up on).
"""
import itertools
import threading

MODES = ("drop", "status", "delay")


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []
        self._ids = itertools.count(1)

    def add(self, spec):
        """Validate *spec* (a dict from JSON) and arm it; returns the armed fault. ValueError if invalid."""
        fault = {"operation": spec.get("operation", "*"), "after": spec.get("after", 0), "mode": spec.get("mode", "status"),
                 "status": spec.get("status", 503), "count": spec.get("count"), "code": spec.get("code"),
                 "message": spec.get("message"), "retry_after": spec.get("retry_after"), "seconds": spec.get("seconds")}
        unknown = set(spec) - set(fault)
        if unknown:
            raise ValueError("unknown fault field(s): %s" % ", ".join(sorted(unknown)))
        if not isinstance(fault["operation"], str) or fault["mode"] not in MODES:
            raise ValueError("operation must be a name or \"*\", mode one of %s" % ", ".join(MODES))
        for name, low in (("after", 0), ("count", 1), ("retry_after", 0)):
            value = fault[name]
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < low):
                raise ValueError("%s must be an integer >= %d" % (name, low))
        if not isinstance(fault["status"], int) or not 400 <= fault["status"] <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        seconds = fault["seconds"]
        if (fault["mode"] == "delay") != (seconds is not None):
            raise ValueError("seconds is required with mode delay, and only with it")
        if seconds is not None and (not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not 0 < seconds <= 600):
            raise ValueError("seconds must be a number of seconds, more than 0 and at most 600")
        with self._lock:
            fault.update(id=next(self._ids), seen=0, fired=0)
            self._faults.append(fault)
            return dict(fault)

    def clear(self):
        with self._lock:
            cleared, self._faults = self._faults, []
            return [dict(fault) for fault in cleared]

    def list(self):
        with self._lock:
            return [dict(fault) for fault in self._faults]

    def trigger(self, operation):
        """The fault this request runs into, if any (the first armed one that fires)."""
        with self._lock:
            for fault in self._faults:
                if fault["operation"] not in ("*", operation):
                    continue
                fault["seen"] += 1
                if fault["seen"] > fault["after"] and (fault["count"] is None or fault["fired"] < fault["count"]):
                    fault["fired"] += 1
                    return dict(fault)
            return None
