"""Faults armed with EXEC drkit_lab.inject_fault: at N percent of a backup, restore or verify, drop
the client's connection (nothing after that point is written) or slow each progress step; and with
EXEC drkit_lab.refuse_logins: the next N logins fail with 18456 whatever their password."""
import threading
import time


class ConnectionDropped(Exception):
    """The session must end now, without an answer, as if the network failed."""


class SqlFaults:
    def __init__(self):
        self._lock = threading.Lock()
        self._armed = []
        self._logins_to_refuse = 0

    def arm(self, operation, at_percent, mode, seconds):
        if operation not in ("backup", "restore", "verify") or mode not in ("drop", "slow") or not 0 <= at_percent <= 100:
            raise ValueError("operation is backup, restore or verify; mode drop or slow; at_percent 0 to 100")
        with self._lock:
            self._armed.append({"operation": operation, "at_percent": at_percent, "mode": mode, "seconds": seconds or 0})

    def refuse_logins(self, count):
        if count < 0:
            raise ValueError("count is 0 or more")
        with self._lock:
            self._logins_to_refuse = count

    def login_refused(self):
        """Whether this login is one of those to refuse (each refusal is used once)."""
        with self._lock:
            if self._logins_to_refuse <= 0:
                return False
            self._logins_to_refuse -= 1
            return True

    def clear(self):
        with self._lock:
            cleared, self._armed = self._armed, []
            self._logins_to_refuse = 0
            return cleared

    def matching(self, operation, percent):
        with self._lock:
            found = [f for f in self._armed if f["operation"] == operation and percent >= f["at_percent"]]
            for fault in found:
                if fault["mode"] == "drop":
                    self._armed.remove(fault)  # a dropped connection happens once
            return found


def at_percent(session, operation, percent):
    """Apply the faults armed for *operation* once it has reached *percent*."""
    for fault in session.server.faults.matching(operation, percent):
        if fault["mode"] == "drop":
            raise ConnectionDropped("%s dropped at %d percent" % (operation, percent))
        time.sleep(fault["seconds"])
