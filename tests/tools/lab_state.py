"""Keep the lab's whole state (tests/integration/lab_snapshot.py) and check that a step left it unchanged; molecule
scenarios run it around their check-mode converge and their idempotence run.

Usage: lab_state.py <lab inventory> save FILE [FOLDER]        write the state, with the files under FOLDER, to FILE
       lab_state.py <lab inventory> unchanged FILE [FOLDER]   exit 1, printing the differences, unless the state is FILE's

FOLDER is the scenario's own folder (its backup-set manifests and key backups); molecule's bookkeeping in it (its
state, configuration and inventory) and FILE itself are left out.
"""
import json
import os
import sys

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(TESTS, "lab"), os.path.join(TESTS, "integration")]

from lab_snapshot import differences, lab_snapshot  # noqa: E402  pylint: disable=wrong-import-position

MOLECULE_FILES = ("state.yml", "ansible.cfg", "inventory")


def main(inventory_path, command, state_file, folder=None):
    ignore = MOLECULE_FILES + (os.path.basename(state_file),)
    state = lab_snapshot(os.path.dirname(os.path.abspath(inventory_path)), [folder] if folder else [], ignore)
    # The folder is recorded by its role, not its path, so the file names the same state wherever it is written.
    state["files"] = list(state["files"].values())
    if command == "save":
        with open(state_file, "w", encoding="utf-8") as stream:
            json.dump(state, stream, sort_keys=True)
        return 0
    with open(state_file, encoding="utf-8") as stream:
        found = differences(json.load(stream), json.loads(json.dumps(state)))
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
