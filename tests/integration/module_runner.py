"""Run one of the collection's modules the way Ansible does, in a child process.

The module file is executed with its arguments in ``ANSIBLE_MODULE_ARGS`` (plus the
check/diff flags Ansible passes) and the collection importable, exactly as AnsiballZ
runs it on the controller; its JSON result is returned with its raw output for greps.
"""
import json
import os
import subprocess
import sys
import tempfile

COLLECTION = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


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
    return ModuleRun(result, process.stdout, process.stderr)
