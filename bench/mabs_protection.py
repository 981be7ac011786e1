"""Benchmark: round trips of hyperv_protection_group for protection groups of 10, 100 and 800 Hyper-V VMs.

For each size, an estate of that many VMs over 8 Hyper-V hosts attached to one lab MABS server; then the module creates the
group, runs again on the converged group, and adds one VM (refused at 800: MABS protects at most 800 VMs per server).
For each run it prints the scripts the MABS server ran (a round trip each: one PowerShell run), the WinRM HTTP requests
they took (shell, command, stdin, output, cleanup; NTLM handshakes included) and the bytes the server sent back (the
lab's request log). The scripts per run do not grow with the group; the
HTTP requests grow only with the size of the answer (WinRM hands output out in envelopes of at most 150 KiB).

    .venv/bin/python bench/mabs_protection.py [--sizes 10,100,800]

Run from the repository root with the collection importable (make bench does this).
"""
import argparse
import collections
import os
import sys
import tempfile
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(REPO, "tests", "lab"), os.path.join(REPO, "tests", "integration")]

import labctl  # noqa: E402  pylint: disable=wrong-import-position
from labframe.inventory import load_vars  # noqa: E402  pylint: disable=wrong-import-position
from labframe.state import LabState  # noqa: E402  pylint: disable=wrong-import-position
from lab_admin import admin  # noqa: E402  pylint: disable=wrong-import-position
from mabslab import estate as estates  # noqa: E402  pylint: disable=wrong-import-position
from module_runner import run_module  # noqa: E402  pylint: disable=wrong-import-position

HOSTS = 8
SERVER = "mabs01.contoso.com"


def estate_of(size):
    """The demo estate with *size* more VMs of 40 GiB over 8 hosts, all attached to MABS01."""
    estate = estates.demo_estate()
    for number in range(HOSTS):
        key = "hvb%02d.contoso.com" % number
        estate["hosts"][key] = {"name": "HVB%02d.contoso.com" % number, "os_version": "10.0.20348", "cluster": None,
                                "integration_services_version": None, "volumes": {"D:\\": 100 * 1024 ** 4}}
        estate["servers"][SERVER]["production_servers"][key] = {"agent_state": "ok"}
    for number in range(size + 1):
        host = "hvb%02d.contoso.com" % (number % HOSTS)
        name = "BENCH%04d" % number
        estate["vms"][str(uuid.UUID(int=number + 1))] = estates.new_vm(name, host, [{"path": "D:\\VMs\\%s.vhdx" % name, "size_bytes": 40 * estates.GIB}])
    return estate


def run(lab, args):
    admin(lab, "DELETE", "/requests", service="mabs")
    done = run_module("hyperv_protection_group", args)
    if done.failed and done.get("step") != "check_prerequisites":
        sys.exit("hyperv_protection_group failed at %s: %s" % (done.get("step"), done.get("msg", "")[:500]))
    outcome = done.get("changed")
    if done.failed:
        # At 800 VMs the 801st is refused before any change: MABS's limit, which the run must enforce.
        outcome = "refused: " + ", ".join(sorted(set(entry["check"] for entry in done["error_details"]["prerequisites"] if entry["blocking"])))
    entries = admin(lab, "GET", "/requests", service="mabs")
    scripts = collections.Counter(entry["script"] for entry in entries if entry["operation"] == "script")
    http = [entry for entry in entries if entry["operation"] != "script"]
    return {"changed": outcome, "scripts": scripts, "http": len(http), "bytes": sum(entry.get("bytes_out", 0) for entry in http),
            "receives": sum(1 for entry in http if entry["operation"] == "receive")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,800")
    options = parser.parse_args()
    state = tempfile.mkdtemp(prefix="drkit-bench-")
    labctl.start(state, ["mabs"])
    try:
        lab = load_vars(LabState(state).inventory_path)
        details = lab["drkit_lab_mabs"]
        connection = dict(details["servers"]["MABS01.contoso.com"], hyperv_host_user=details["hyperv_host_user"],
                          hyperv_host_password=details["hyperv_host_password"])
        print("%6s  %-10s %-26s %-44s %6s %8s %11s" % ("VMs", "run", "changed", "scripts (round trips)", "HTTP", "receives", "bytes back"))
        for size in (int(value) for value in options.sizes.split(",")):
            admin(lab, "PUT", "/estate", estate_of(size), service="mabs")
            members = [{"host": "hvb%02d.contoso.com" % (number % HOSTS), "vm": "BENCH%04d" % number} for number in range(size + 1)]
            args = dict(connection, name="Bench %d" % size, members=members[:size], retention_days=14,
                        prerequisites={"churn_rate_percent_per_hour": 2, "backup_window_hours": 4})
            for label, run_args in (("create", args), ("converged", args), ("add one", dict(args, members=members))):
                figures = run(lab, run_args)
                scripts = ", ".join("%s %d" % (name.split("/")[1], count) for name, count in sorted(figures["scripts"].items()))
                row = (size, label, figures["changed"], scripts, figures["http"], figures["receives"], figures["bytes"])
                print("%6d  %-10s %-26s %-44s %6d %8d %11d" % row)
    finally:
        labctl.stop(state)


if __name__ == "__main__":
    main()
