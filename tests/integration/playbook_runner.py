"""Running the collection's playbooks through ansible-runner (AWX's engine), and reading what they did to the lab.

Every run's artifacts are checked as AWX would keep them: the status agrees with the return code, there are events,
and no secret of the inventory (any value under a key naming a password, secret, key or token) is in any artifact:
events, stdout, command line.
"""
import glob
import hashlib
import json
import os
import shlex
import sys
import tempfile

import ansible_runner
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRET_KEYS = ("password", "secret", "key", "token", "sas")


class PlaybookOutput(str):
    """A run's stdout, with ``stats``: the set_stats data AWX passes to a workflow's next nodes (the stats event's artifact_data)."""

    stats = None


def ansible_playbook(*arguments, cwd=REPO, env=None, extravars=None, secrets=()):
    """(return code, stdout) of ansible-playbook with *arguments* (``-i INVENTORY``, the playbook, options), run by
    ansible-runner with the collection and its dependencies on the collections path; *env* adds to the environment,
    *extravars* are passed as AWX passes them (ansible-runner's env/extravars), and *secrets* are checked for in the
    artifacts beside the inventory's."""
    arguments, inventories = list(arguments), []
    while "-i" in arguments:
        inventories.append(arguments.pop(arguments.index("-i") + 1))
        arguments.remove("-i")
    playbook = next(argument for argument in arguments if argument.endswith(".yml") and not argument.startswith("-"))
    arguments.remove(playbook)
    inventory_files = [os.path.abspath(os.path.join(cwd, inventory)) for inventory in inventories if os.path.isfile(os.path.join(cwd, inventory))]
    # ansible-runner takes inventory files, or inventory text: a list of hosts ("a,b,") becomes one host per line.
    runner_inventory = inventory_files or "\n".join(host for host in inventories[0].split(",") if host)
    private = tempfile.mkdtemp(prefix="drkit-runner-")
    envvars = dict(ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1", PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"],
                   **(env or {}))
    run = ansible_runner.run(private_data_dir=private, project_dir=cwd, playbook=os.path.join(cwd, playbook), inventory=runner_inventory,
                             cmdline=shlex.join(arguments), envvars=envvars, extravars=extravars, quiet=True, timeout=600,
                             # ansible-runner gives the run a terminal: an operator gate's pause is answered with an empty
                             # line, as a run without one answers it (only DONE passes a gate).
                             passwords={r"Type DONE and press Enter[^\n]*:": ""})
    output = run.stdout.read()
    plays = not {"--list-tasks", "--list-hosts", "--syntax-check"} & set(arguments)
    secrets = set(secrets).union(*[inventory_secrets(path) for path in inventory_files])
    _check_artifacts(run, private, secrets, output, plays, set(env or ()))
    output = PlaybookOutput(output)
    output.stats = next((event["event_data"].get("artifact_data", {}) for event in run.events if event["event"] == "playbook_on_stats"), {})
    return run.rc, output


def inventory_secrets(path):
    """Every string under a key that names a secret, anywhere in the inventory file."""
    with open(path, encoding="utf-8") as handle:
        found, pending = set(), [yaml.safe_load(handle)]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if isinstance(value, str) and any(word in str(key).lower() for word in SECRET_KEYS) and len(value) >= 8:
                    found.add(value)
                else:
                    pending.append(value)
        elif isinstance(item, list):
            pending.extend(item)
    return found


def _check_artifacts(run, private, secrets, output, plays, given_env):
    assert run.status == ("successful" if run.rc == 0 else "failed"), (run.status, run.rc, output[-3000:])
    kinds = [event["event"] for event in run.events]
    if plays:
        assert "playbook_on_start" in kinds and ("playbook_on_stats" in kinds or run.rc != 0), "events %s:\n%s" % (sorted(set(kinds)), output[-3000:])
    for path in glob.glob(os.path.join(private, "artifacts", "**", "*"), recursive=True):
        if os.path.isfile(path):
            with open(path, encoding="utf-8", errors="replace") as handle:
                text = handle.read()
            if os.path.basename(path) == "command":
                # ansible-runner records the environment it was given (mode 0600), as AWX's private job folder does; the
                # variables the run was given (a credential's injectors) are in it by design, nothing else may be.
                record = json.loads(text)
                text = json.dumps(dict(record, env=dict((key, value) for key, value in record["env"].items() if key not in given_env)))
            # Events and the command record are JSON: a secret with a quote or a backslash is escaped there.
            leaked = [secret[:4] + "..." for secret in secrets if secret in text or json.dumps(secret)[1:-1] in text]
            assert not leaked, "%s holds secret(s) %s" % (os.path.relpath(path, private), leaked)


def lab_sql_state(lab_state_dir):
    """SHA-256 of every file of the lab's SQL Server (instance, databases, backup files)."""
    root = os.path.join(lab_state_dir, "sql_server")
    state = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as stream:
                state[os.path.relpath(path, root)] = hashlib.sha256(stream.read()).hexdigest()
    return state


def recap_changed(output, host=None):
    """How many tasks changed something on *host*, or on all hosts, from the PLAY RECAP."""
    lines = [line for line in output.splitlines() if "ok=" in line and "changed=" in line
             and (host is None or line.startswith(host + " "))]
    assert lines, "no PLAY RECAP line for %s in:\n%s" % (host or "any host", output[-3000:])
    return sum(int(line.split("changed=")[1].split()[0]) for line in lines)
