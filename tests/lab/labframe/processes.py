"""The lab's service processes: free ports, detached start, liveness, stop, TCP readiness.

A process is known by its pid and its start time (from /proc), so a pid the kernel has since
given to another program is never mistaken for a lab service, nor signalled. Linux only, as is
the lab.
"""
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

DETACH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "detach.py")
HOST = "127.0.0.1"
# More loopback addresses, for a service that stands for several computers: clients such as Ansible tell hosts apart by
# address (a connection to one host is reused for the next with the same address), so each computer gets its own.
HOST_ALIASES = tuple("127.0.0.%d" % number for number in range(11, 31))


def free_ports(names):
    """{name: a TCP port on 127.0.0.1 that nothing listens on now} (the kernel's picks for port 0)."""
    # All probes stay bound until every name has its port, so no two names get the same one.
    with contextlib.ExitStack() as probes:
        ports = {}
        for name in names:
            probe = probes.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            probe.bind((HOST, 0))
            ports[name] = probe.getsockname()[1]
        return ports


def spawn(argv, env, cwd, log_path):
    """Start *argv* detached, its output in *log_path*; returns (pid, start time)."""
    os.makedirs(os.path.dirname(log_path), mode=0o700, exist_ok=True)
    launched = subprocess.run([sys.executable, DETACH, log_path, "--"] + list(argv), env=env, cwd=cwd,
                              capture_output=True, text=True, check=False)
    if launched.returncode != 0:
        raise OSError("cannot start %s: %s" % (argv[0], launched.stderr.strip()))
    pid = int(launched.stdout)
    return pid, _stat(pid).get("start_time")


def is_alive(pid, start_time):
    """Whether the process we started as *pid* at *start_time* still runs (a zombie does not)."""
    stat = _stat(pid)
    return bool(stat) and stat["state"] != "Z" and stat["start_time"] == start_time


def stop(pid, start_time, timeout):
    """SIGTERM the process group of the service, SIGKILL it if it is still there after *timeout*."""
    if not is_alive(pid, start_time):
        return
    # The service leads its own session and group (see detach.py): pid == process group id.
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _group_alive(pid):
                return
            time.sleep(0.1)
    raise OSError("process group %d survived SIGKILL" % pid)


def accepts_tcp(port, address=HOST):
    """Whether something accepts TCP connections on *address* (127.0.0.1):*port*."""
    try:
        with socket.create_connection((address, port), timeout=1):
            return True
    except OSError:
        return False


def _group_alive(pgid):
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat and stat["pgrp"] == pgid and stat["state"] != "Z":
                return True
    return False


def _stat(pid):
    """State, process group and start time of *pid* from /proc/<pid>/stat; {} if it is gone."""
    try:
        with open("/proc/%d/stat" % pid, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return {}
    # The command name in parentheses may hold spaces; the fields after its last ')' start at field 3.
    fields = text[text.rindex(")") + 2:].split()
    return {"state": fields[0], "pgrp": int(fields[2]), "start_time": int(fields[19])}
