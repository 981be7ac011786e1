"""The restore preview as set_stats data: counts set_stats adds up over hosts, and each host's actions and notices."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.drkit.microsoft.plugins.filter.preview_stats import preview_stats


def action(name, target, effect, destructive=False, reversible=True):
    return {"action": name, "target": target, "effect": effect, "destructive": destructive, "reversible": reversible, "detail": {"x": 1}}


def test_a_restore_preview_counts_what_it_would_do_and_lists_it_for_the_host():
    preview = {"plan": [action("safety_backup", "[DRMS_Config]", "create"), action("restore_database", "[DRMS_Config]", "overwrite", True, False),
                        action("verify_backup", "x.bak", "verify")],
               "notices": ["Users need a new certificate."]}
    stats = preview_stats([preview, {"skipped": True}, None], "rms-cluster")
    assert stats == {"drkit_preview": {"rms-cluster": {"actions": [
        {"action": "safety_backup", "target": "[DRMS_Config]", "effect": "create", "destructive": False, "reversible": True},
        {"action": "restore_database", "target": "[DRMS_Config]", "effect": "overwrite", "destructive": True, "reversible": False}],
        "notices": ["Users need a new certificate."]}},
        "drkit_preview_hosts": 1, "drkit_preview_actions": 2, "drkit_preview_destructive": 1, "drkit_preview_irreversible": 1,
        "drkit_preview_notices": 1}


def test_a_host_with_nothing_to_do_is_listed_with_zero_counts():
    stats = preview_stats([{"plan": [], "notices": []}], "mabs01")
    assert stats["drkit_preview"] == {"mabs01": {"actions": [], "notices": []}}
    assert (stats["drkit_preview_actions"], stats["drkit_preview_destructive"], stats["drkit_preview_hosts"]) == (0, 0, 1)


def test_anything_but_a_list_is_refused():
    with pytest.raises(AnsibleFilterError, match="list of registered task results"):
        preview_stats({"plan": []}, "h")
