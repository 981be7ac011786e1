"""Benchmark: enabling Azure Backup protection for many VMs through the lab, one at a time against bounded concurrency.

Makes 2 x N VMs in the lab's Resource Manager, two vaults with a daily policy, then protects the first N VMs with
max_concurrency=1 and the other N with --concurrency, each protection operation taking --operation-seconds in the lab.
Prints the wall time of both runs and their ratio, and the Resource Manager requests per VM of the concurrent run (the
lab's request log), by operation.

    .venv/bin/python bench/azure_protection.py [--vms 200] [--concurrency 8] [--operation-seconds 1]

Run from the repository root with the collection importable (make bench does this).
"""
import argparse
import collections
import os
import sys
import tempfile
import time
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(REPO, "tests", "lab"), os.path.join(REPO, "tests", "integration")]

import labctl  # noqa: E402  pylint: disable=wrong-import-position
from labframe.inventory import load_vars  # noqa: E402  pylint: disable=wrong-import-position
from labframe.state import LabState  # noqa: E402  pylint: disable=wrong-import-position
from module_runner import run_module  # noqa: E402  pylint: disable=wrong-import-position
from lab_admin import admin  # noqa: E402  pylint: disable=wrong-import-position

POLICY = {"name": "vm-daily", "schedule": {"frequency": "daily", "times": ["23:30"]}, "retention": {"daily": {"count": 30}}}


def vault_with_policy(lab, azure_args, env, resource_group):
    vault = {"resource_group": resource_group, "name": "rsv-%s" % uuid.uuid4().hex[:8], "location": "westeurope"}
    admin(lab, "PUT", "/vaults", vault, service="arm")
    made = run_module("azure_vm_backup_policy", dict(azure_args, vault_name=vault["name"], resource_group=resource_group, **POLICY), env=env)
    if made.failed:
        sys.exit("policy: %s" % made.result)
    return vault


def protect(lab, azure_args, env, vault, vms, concurrency):
    admin(lab, "DELETE", "/requests", service="arm")
    started = time.time()
    done = run_module("azure_vm_backup_protection", dict(azure_args, vault_name=vault["name"], resource_group=vault["resource_group"],
                                                         policy_name=POLICY["name"], vms=vms, max_concurrency=concurrency,
                                                         wait_timeout=3600), env=env)
    elapsed = time.time() - started
    if done.failed or len(done["protected_items"]) != len(vms):
        sys.exit("protection: %s" % done.result)
    requests = collections.Counter(entry["operation"] for entry in admin(lab, "GET", "/requests", service="arm"))
    return elapsed, requests


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vms", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--operation-seconds", type=float, default=1.0)
    options = parser.parse_args()
    state = tempfile.mkdtemp(prefix="drkit-bench-")
    labctl.start(state)
    try:
        lab = load_vars(LabState(state).inventory_path)
        azure_args, env = dict(lab["drkit_lab_azure"], auth_source="auto"), dict(lab["drkit_lab_azure_environment"])
        admin(lab, "PATCH", "/settings", {"operation_seconds": options.operation_seconds}, service="arm")
        group = "rg-bench-%s" % uuid.uuid4().hex[:6]
        vms = []
        for index in range(2 * options.vms):
            spec = {"resource_group": group, "name": "vm-%04d" % index, "location": "westeurope",
                    "storage_profile": {"osDisk": {"name": "os", "osType": "Linux"}}}
            admin(lab, "PUT", "/virtual-machines", spec, service="arm")
            vms.append({"name": spec["name"], "resource_group": group})
        one_vault, many_vault = (vault_with_policy(lab, azure_args, env, group) for _vault in range(2))
        one, _requests = protect(lab, azure_args, env, one_vault, vms[:options.vms], 1)
        many, requests = protect(lab, azure_args, env, many_vault, vms[options.vms:], options.concurrency)
        print("%d VMs, protection operations of %.1f s in the lab" % (options.vms, options.operation_seconds))
        print("one at a time: %.1f s; %d at a time: %.1f s; ratio %.2f" % (one, options.concurrency, many, one / many))
        print("requests per VM (concurrent run): %.2f" % (sum(requests.values()) / options.vms))
        for operation, count in sorted(requests.items()):
            print("  %-34s %6d  (%.2f per VM)" % (operation, count, count / options.vms))
    finally:
        labctl.stop(state)


if __name__ == "__main__":
    main()
