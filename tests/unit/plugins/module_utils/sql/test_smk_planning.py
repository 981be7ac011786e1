"""The service master key's plans: when a backup is needed, when a restore is, and its gate. Pure functions, no SQL Server."""
import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError
from ansible_collections.drkit.microsoft.plugins.module_utils.sql import smk

KEY = {"key_guid": "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0", "create_date": "2026-01-05T10:00:00", "modify_date": "2026-01-05T10:00:00"}
OTHER_KEY = dict(KEY, key_guid="11111111-2222-3333-4444-555555555555")
PARAMS = {"force": False, "database": "Orchestrator", "confirm_shared_instance": False, "login_host": "sql02", "instance": "SCO",
          "login_port": None}
MANIFEST = {"backup_set_id": "k1", "created": "2026-01-06T00:00:00Z", "file": "C:\\Keys\\k1.smk", "service_master_key": KEY,
            "sql_server": {"host": "sql01", "port": None, "instance": None}}


def test_a_key_is_backed_up_unless_the_newest_backup_holds_it_unchanged():
    plan = smk.plan_backup(PARAMS, "k2", KEY, None, "C:\\Keys\\k2.smk", "/m/k2.json")
    assert [(a.type.name, a.target) for a in plan.actions] == [("backup_service_master_key", "C:\\Keys\\k2.smk"),
                                                               ("write_manifest", "/m/k2.json")]
    unchanged = smk.plan_backup(PARAMS, "k2", KEY, MANIFEST, "C:\\Keys\\k2.smk", "/m/k2.json")
    assert unchanged.actions == [] and "has not changed since backup k1" in unchanged.notices[0]
    # A regenerated or restored key has a new modify date: backed up again.
    assert smk.plan_backup(PARAMS, "k2", dict(KEY, modify_date="2026-02-01T00:00:00"), MANIFEST, "f", "m").actions
    assert smk.plan_backup(dict(PARAMS, force=True), "k2", KEY, MANIFEST, "f", "m").actions


def test_no_restore_when_the_instance_has_the_key_or_the_data_already_opens():
    assert smk.plan_restore(PARAMS, MANIFEST, dict(KEY, modify_date="2026-03-01T00:00:00"), None, []).actions == []
    opened = smk.plan_restore(PARAMS, MANIFEST, OTHER_KEY, True, [])
    assert opened.actions == [] and "open through the instance's current service master key" in opened.notices[0]


def test_a_restore_on_a_shared_instance_is_gated_first_and_force_is_destructive():
    affected = [("database", "SharePoint_Config"), ("credential", "backup_cred")]
    plan = smk.plan_restore(PARAMS, MANIFEST, OTHER_KEY, False, affected)
    assert [a.type.name for a in plan.actions] == ["confirm_shared_instance", "restore_service_master_key"]
    gate, restore = plan.actions
    assert gate.type.effect == "gate" and gate.target == "sql02\\SCO" and gate.detail["confirmed"] is False
    assert restore.type.destructive is False and "SharePoint_Config" in plan.notices[0]
    forced = smk.plan_restore(dict(PARAMS, force=True), MANIFEST, OTHER_KEY, False, [])
    assert [(a.type.destructive, a.type.reversible) for a in forced.actions] == [(True, False)]


def test_the_gate_refuses_until_the_operator_confirms():
    plan = smk.plan_restore(PARAMS, MANIFEST, OTHER_KEY, None, [("database", "SharePoint_Config")])
    appliers = smk.RestoreAppliers(client=None, params=PARAMS)
    with pytest.raises(DrkitError) as refused:
        appliers.confirm(plan.actions[0])
    assert refused.value.step == "confirm_shared_instance" and "database SharePoint_Config" in refused.value.message
    confirmed = smk.plan_restore(dict(PARAMS, confirm_shared_instance=True), MANIFEST, OTHER_KEY, None, [("database", "x")])
    assert appliers.confirm(confirmed.actions[0]) == "sql02\\SCO"


def test_the_orchestrator_database_is_not_counted_among_the_other_dependents():
    items = smk.affected_items(["orchestrator", "SharePoint_Config"], ["cred"], ["LINKED1"], "Orchestrator")
    assert items == [("database", "SharePoint_Config"), ("credential", "cred"), ("linked server login", "LINKED1")]
