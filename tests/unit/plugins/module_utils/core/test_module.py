"""The module shell: check mode applies nothing, real runs apply the plan, failures are masked."""

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError
from ansible_collections.drkit.microsoft.plugins.module_utils.core.module import remember_secret, reported_errors, run_plan
from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import ActionType, Plan

OVERWRITE = ActionType("overwrite_thing", "overwrite", destructive=True, reversible=False)


class Exited(Exception):
    pass


class FakeModule(object):
    def __init__(self, check_mode=False, diff=False):
        self.check_mode = check_mode
        self._diff = diff
        self.no_log_values = set()
        self.exited = self.failed = None

    def exit_json(self, **result):
        self.exited = result
        raise Exited()

    def fail_json(self, **result):
        self.failed = result
        raise Exited()


def run(module, plan, appliers, summarize=None):
    with pytest.raises(Exited):
        with reported_errors(module):
            run_plan(module, plan, appliers, summarize)


def test_check_mode_returns_the_plan_and_applies_nothing():
    applied = []
    module = FakeModule(check_mode=True)
    run(module, Plan([OVERWRITE("a")]), {OVERWRITE: applied.append}, lambda outcomes: {"outcomes": outcomes})
    assert applied == []
    assert module.exited["changed"] is True
    assert module.exited["plan"][0]["action"] == "overwrite_thing"
    assert module.exited["outcomes"] is None


def test_a_real_run_applies_the_plan_and_reports_the_same_list():
    applied = []
    module = FakeModule(diff=True)
    plan = Plan([OVERWRITE("a")], before={"a": 1}, after={"a": 2})
    run(module, plan, {OVERWRITE: lambda action: applied.append(action.target) or "done"},
        lambda outcomes: {"outcomes": outcomes})
    assert applied == ["a"]
    assert module.exited["outcomes"] == ["done"]
    assert module.exited["diff"] == {"before": {"a": 1}, "after": {"a": 2}}


def test_a_failure_is_reported_with_step_and_code_and_no_secret():
    module = FakeModule()
    remember_secret(module, "sv=2024&sig=generated-sas-value")

    def broken(action):
        raise DrkitError("copy failed for https://x/c/b?sv=2024&sig=generated-sas-value", code="CannotVerifyCopySource")

    run(module, Plan([OVERWRITE("c/b")]), {OVERWRITE: broken})
    assert module.exited is None
    assert module.failed["step"] == "overwrite_thing" and module.failed["error_code"] == "CannotVerifyCopySource"
    assert "generated-sas-value" not in repr(module.failed)


def test_results_are_scrubbed_of_secrets_the_module_made():
    module = FakeModule()
    remember_secret(module, "made-up-token-value")
    run(module, Plan(), {}, lambda outcomes: {"url": "https://x/y?token=made-up-token-value"})
    assert "made-up-token-value" not in repr(module.exited)
