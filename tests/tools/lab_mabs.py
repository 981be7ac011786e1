"""Set up and inspect the lab's MABS estate from molecule scenarios, through its admin endpoint.

Usage: lab_mabs.py <lab inventory> estate spread     the demo estate with every host attached to both servers and
                                                      room for two more VMs on MABS01
       lab_mabs.py <lab inventory> estate protected  the demo estate with SQL01 in group "Hyper-V VMs" on MABS01 and
                                                      one disk recovery point, 2026-11-20T20:00:00Z
       lab_mabs.py <lab inventory> members SERVER     print the VM ids the server's groups protect, one per line
       lab_mabs.py <lab inventory> restored VM_ID     print the recovery point the VM was restored from, or nothing
"""
import copy
import os
import sys

import yaml

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(TESTS, "lab"), os.path.join(TESTS, "integration")]

from lab_admin import admin  # noqa: E402  pylint: disable=wrong-import-position
from mabslab import estate as estates  # noqa: E402  pylint: disable=wrong-import-position

SQL01 = "1f0a6f1e-0000-4000-8000-000000000001"


def spread(estate):
    estate["servers"]["mabs02.contoso.com"]["production_servers"] = copy.deepcopy(estate["servers"]["mabs01.contoso.com"]["production_servers"])
    estate["servers"]["mabs01.contoso.com"]["other_protected_vm_count"] = 798


def protected(estate):
    estate["servers"]["mabs01.contoso.com"]["groups"]["molecule"] = {"name": "Hyper-V VMs", "members": [SQL01], "policy": None,
                                                                     "replica_creation": {"method": "now", "at": None}, "created": "molecule"}
    estate["recovery_points"][SQL01] = [{"server": "mabs01.contoso.com", "time": "2026-11-20T20:00:00.000000Z", "location": "Disk"}]


ESTATES = {"spread": spread, "protected": protected}


def main(inventory_path, command, argument):
    with open(inventory_path, encoding="utf-8") as stream:
        lab = yaml.safe_load(stream)["all"]["vars"]
    if command == "estate":
        estate = estates.demo_estate()
        ESTATES[argument](estate)
        admin(lab, "PUT", "/estate", estate, service="mabs")
    elif command == "members":
        server = admin(lab, "GET", "/estate", service="mabs")["servers"][argument.lower()]
        print("\n".join(sorted(vm_id for group in server["groups"].values() for vm_id in group["members"])))
    elif command == "restored":
        print(admin(lab, "GET", "/estate", service="mabs")["vms"][argument].get("restored_from") or "")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
