"""Modules import the vendors' SDKs only when they use them: importing a module (what Ansible does on every host before
the options are even checked) loads none of azure-*, pyodbc, pywinrm or requests, so a fleet preview does not pay for
them on a failed validation and each module pays only for its own backend."""
import glob
import os
import subprocess
import sys

import pytest

MODULES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))),
                       "plugins", "modules")
HEAVY = ("azure", "pyodbc", "winrm", "requests", "msal", "spnego")
PROBE = """
import sys
import ansible_collections.drkit.microsoft.plugins.modules.{name}
print(",".join(sorted({{module.split(".")[0] for module in sys.modules}} & set({heavy!r}))))
"""


@pytest.mark.parametrize("name", sorted(os.path.basename(path)[:-3] for path in glob.glob(os.path.join(MODULES, "*.py"))))
def test_importing_a_module_loads_no_vendor_sdk(name):
    loaded = subprocess.run([sys.executable, "-c", PROBE.format(name=name, heavy=HEAVY)], capture_output=True, text=True, check=True,
                            env=dict(os.environ)).stdout.strip()
    assert loaded == "", "importing %s loads %s" % (name, loaded)
