"""Running the collection's playbooks with ansible-playbook, and reading what they did to the lab."""
import hashlib
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")


def ansible_playbook(*arguments, cwd=REPO, env=None):
    """(return code, stdout + stderr) of ansible-playbook with the collection and its dependencies on the collections path;
    *env* adds to the environment (the lab's CA for Azure, for example)."""
    env = dict(os.environ, ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="default", **(env or {}))
    done = subprocess.run([ANSIBLE_PLAYBOOK] + list(arguments), cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    return done.returncode, done.stdout + done.stderr


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
