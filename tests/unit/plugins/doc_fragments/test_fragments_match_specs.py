"""Every shared doc fragment documents its argument spec exactly: names, types, defaults, choices, required."""

import importlib

import pytest
import yaml

from ansible_collections.drkit.microsoft.plugins.module_utils.azure.auth import AZURE_AUTH_ARGUMENT_SPEC
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.connection import DESTINATION_OPTION, STORAGE_ARGUMENT_SPEC
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.recovery_points import UNMANAGED_DISKS_ARGUMENT_SPEC
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.connection import SQL_SERVER_ARGUMENT_SPEC
from ansible_collections.drkit.microsoft.plugins.module_utils.winrm.connection import WINRM_ARGUMENT_SPEC

FRAGMENTS = {
    "sql_server": SQL_SERVER_ARGUMENT_SPEC,
    "winrm": WINRM_ARGUMENT_SPEC,
    "azure": AZURE_AUTH_ARGUMENT_SPEC,
    "storage": STORAGE_ARGUMENT_SPEC,
    "storage_destination": {"destination": DESTINATION_OPTION},
    "unmanaged_disks": UNMANAGED_DISKS_ARGUMENT_SPEC,
}


def assert_documented(documented, specs, where):
    assert sorted(documented) == sorted(specs), where
    for name, spec in specs.items():
        doc = documented[name]
        assert (doc["type"], doc.get("default"), doc.get("choices"), doc.get("required", False), doc.get("elements")) == \
            (spec["type"], spec.get("default"), spec.get("choices"), spec.get("required", False), spec.get("elements")), where + name
        description = doc["description"] if isinstance(doc["description"], list) else [doc["description"]]
        assert all(sentence.rstrip().endswith(".") for sentence in description), where + name
        if "options" in spec:
            assert_documented(doc["suboptions"], spec["options"], where + name + ".")


@pytest.mark.parametrize("fragment", sorted(FRAGMENTS))
def test_the_doc_fragment_documents_the_argument_spec_exactly(fragment):
    module = importlib.import_module("ansible_collections.drkit.microsoft.plugins.doc_fragments." + fragment)
    assert_documented(yaml.safe_load(module.ModuleDocFragment.DOCUMENTATION)["options"], FRAGMENTS[fragment], fragment + ": ")
