"""The plan format: typed actions, the result shape, and apply-only-what-was-planned."""

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError
from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import ActionType, Plan, apply_plan

RESTORE = ActionType("restore_database", "overwrite", destructive=True, reversible=False)
VERIFY = ActionType("verify_backup", "verify")
RESTART = ActionType("restart_service", "restart")


def test_action_dict_carries_the_declared_nature_of_its_type():
    action = RESTORE("[DRMS_Config]", size=1024)
    assert action.as_dict() == {
        "action": "restore_database", "target": "[DRMS_Config]", "detail": {"size": 1024},
        "effect": "overwrite", "destructive": True, "reversible": False,
    }


@pytest.mark.parametrize("effect", ["verify", "gate"])
def test_non_changing_effects_cannot_be_destructive(effect):
    with pytest.raises(ValueError):
        ActionType("x", effect, destructive=True)


def test_unknown_effect_is_refused():
    with pytest.raises(ValueError):
        ActionType("x", "explode")


def test_result_of_a_plan_lists_actions_in_order_and_its_notices():
    plan = Plan([VERIFY("a.bak"), RESTORE("db")], notices=["users need a new certificate"])
    result = plan.result()
    assert [a["action"] for a in result["plan"]] == ["verify_backup", "restore_database"]
    assert result["changed"] is True
    assert result["notices"] == ["users need a new certificate"]
    assert "diff" not in result


def test_a_plan_of_only_verifications_changes_nothing():
    assert Plan([VERIFY("a.bak")]).result()["changed"] is False
    assert Plan().result() == {"changed": False, "plan": [], "notices": []}


def test_diff_is_returned_only_in_diff_mode_and_only_when_known():
    plan = Plan([RESTORE("db")], before={"db": 1}, after={"db": 2})
    assert plan.result(diff=True)["diff"] == {"before": {"db": 1}, "after": {"db": 2}}
    assert "diff" not in plan.result(diff=False)
    assert "diff" not in Plan([RESTORE("db")]).result(diff=True)


def test_notices_are_not_repeated():
    plan = Plan()
    plan.notice("a")
    plan.notice("a")
    assert plan.notices == ["a"]


def test_apply_runs_each_action_once_in_order():
    ran = []
    plan = Plan([VERIFY("f"), RESTORE("db"), RESTART("svc")])
    appliers = {t: (lambda action: ran.append((action.type.name, action.target)) or action.target) for t in (VERIFY, RESTORE, RESTART)}
    assert apply_plan(plan, appliers) == ["f", "db", "svc"]
    assert ran == [("verify_backup", "f"), ("restore_database", "db"), ("restart_service", "svc")]


def test_apply_refuses_a_plan_with_an_unknown_action_before_running_any():
    ran = []
    plan = Plan([VERIFY("f"), RESTART("svc")])
    with pytest.raises(DrkitError) as caught:
        apply_plan(plan, {VERIFY: ran.append})
    assert "restart_service" in str(caught.value)
    assert ran == []


def test_a_failing_action_is_named_and_later_actions_do_not_run():
    ran = []

    def broken(action):
        raise DrkitError("Cannot open backup device", code=3201)

    plan = Plan([VERIFY("f"), RESTORE("db"), RESTART("svc")])
    with pytest.raises(DrkitError) as caught:
        apply_plan(plan, {VERIFY: ran.append, RESTORE: broken, RESTART: ran.append})
    error = caught.value
    assert (error.step, error.target, error.code) == ("restore_database", "db", 3201)
    assert error.details["completed_actions"] == 1
    assert [a.type for a in ran] == [VERIFY]


def test_an_unexpected_exception_becomes_a_named_error():
    def broken(action):
        raise OSError("disk full")

    with pytest.raises(DrkitError) as caught:
        apply_plan(Plan([RESTORE("db")]), {RESTORE: broken})
    assert caught.value.step == "restore_database"
    assert "disk full" in str(caught.value)
