"""Set up and inspect the lab's Windows servers from molecule scenarios, through their admin endpoint.

Usage: lab_windows.py <lab inventory> reset            the demo estate (windowslab/estate.py)
       lab_windows.py <lab inventory> server NAME      print the server's record as JSON
       lab_windows.py <lab inventory> modules          print how many modules ran and how many of them in check mode, as JSON
"""
import json
import os
import sys

import yaml

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(TESTS, "lab"), os.path.join(TESTS, "integration")]

from lab_admin import admin  # noqa: E402  pylint: disable=wrong-import-position
from windowslab import estate as estates  # noqa: E402  pylint: disable=wrong-import-position


def main(inventory_path, command, argument=None):
    with open(inventory_path, encoding="utf-8") as stream:
        lab = yaml.safe_load(stream)["all"]["vars"]
    if command == "reset":
        admin(lab, "PUT", "/estate", estates.demo_estate(), service="windows")
        admin(lab, "DELETE", "/requests", service="windows")
    elif command == "server":
        print(json.dumps(admin(lab, "GET", "/estate", service="windows")["servers"][argument.lower()]))
    elif command == "modules":
        runs = [entry for entry in admin(lab, "GET", "/requests", service="windows") if entry["operation"] == "module"]
        print(json.dumps({"modules": len(runs), "check_mode": sum(1 for entry in runs if entry["check_mode"])}))


if __name__ == "__main__":
    main(*sys.argv[1:])
