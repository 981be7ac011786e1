"""Run one of the collection's modules the way Ansible does, in a child process.

The module file is executed with its arguments in ``ANSIBLE_MODULE_ARGS`` (plus the
check/diff flags Ansible passes) and the collection importable, exactly as AnsiballZ
runs it on the controller; its JSON result is returned with its raw output for greps.

Every run is also checked for leaks: no value of a secret option it was given (the options the collection marks
``no_log``, at any depth: a destination's account key too) may be in anything it printed, result or traceback.
"""
import json
import os
import subprocess
import sys
import tempfile

COLLECTION = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# The collection's no_log options.
SECRET_OPTIONS = ("password", "secret", "login_password", "winrm_password", "hyperv_host_password", "key_password", "account_key", "sas_token")
# Shorter values (a weak password a test expects to be refused) are words that error messages hold anyway.
SHORTEST_SECRET = 10


class ModuleRun(object):
    def __init__(self, result, stdout, stderr):
        self.result = result
        self.stdout = stdout
        self.stderr = stderr

    def __getitem__(self, key):
        return self.result[key]

    def get(self, key, default=None):
        return self.result.get(key, default)

    @property
    def failed(self):
        return bool(self.result.get("failed"))

    @property
    def output(self):
        return self.stdout + self.stderr


def run_module(name, args, check=False, diff=False, env=None):
    """Run ``drkit.microsoft.<name>`` with *args* and *env* added to the environment; returns a :class:`ModuleRun`."""
    module_args = dict(args, _ansible_check_mode=check, _ansible_diff=diff, _ansible_no_log=False)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": module_args}, handle)
    try:
        # The collection is importable through the PYTHONPATH the test run was given.
        process = subprocess.run([sys.executable, os.path.join(COLLECTION, "plugins", "modules", name + ".py"), handle.name],
                                 capture_output=True, text=True, timeout=600, check=False,
                                 env=dict(os.environ, **(env or {})))
    finally:
        os.unlink(handle.name)
    try:
        result = json.loads(process.stdout)
    except ValueError:
        raise AssertionError("module %s printed no JSON:\n%s\n%s" % (name, process.stdout, process.stderr))
    printed = process.stdout + process.stderr
    # The result is JSON: a secret with a quote or a backslash is escaped there.
    leaked = sorted(option for option, value in secrets_given(args) if value in printed or json.dumps(value)[1:-1] in printed)
    assert not leaked, "module %s printed the value of %s" % (name, ", ".join(leaked))
    return ModuleRun(result, process.stdout, process.stderr)


def secrets_given(args):
    """(option, value) of every secret option in *args*, nested ones included."""
    found, pending = [], [args]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in SECRET_OPTIONS and isinstance(value, str) and len(value) >= SHORTEST_SECRET:
                    found.append((key, value))
                else:
                    pending.append(value)
        elif isinstance(item, list):
            pending.extend(item)
    return found
