# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan format shared by every module of the collection.

A module reads state, computes a :class:`Plan` (an ordered list of typed actions and
the notices an operator must read), and then either returns it (check mode) or applies
it with :func:`apply_plan`, which runs exactly the listed actions in order and nothing
else. Both paths return the same ``plan`` list, so a check-mode preview is a faithful
description of the real run.

An action is ``{action, target, detail, effect, destructive, reversible}``. Its kind is
declared once as an :class:`ActionType`, so a planner cannot, say, emit a restore over
a live database that is labelled non-destructive. ``effect`` is what a preview groups
by: ``create``, ``modify``, ``overwrite``, ``delete``, ``restart``, ``copy`` change
something; ``verify`` and ``gate`` (a step an operator must do or confirm) do not.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError

EFFECTS = ("create", "modify", "copy", "overwrite", "delete", "restart", "verify", "gate")
_NON_CHANGING_EFFECTS = ("verify", "gate")


class ActionType(object):
    """A kind of action: its name and the nature of its effect, fixed at declaration."""

    def __init__(self, name, effect, destructive=False, reversible=True):
        if effect not in EFFECTS:
            raise ValueError("effect %r is not one of %s" % (effect, ", ".join(EFFECTS)))
        if destructive and effect in _NON_CHANGING_EFFECTS:
            raise ValueError("a %s action cannot be destructive" % effect)
        self.name = name
        self.effect = effect
        self.destructive = destructive
        self.reversible = reversible

    @property
    def changes(self):
        return self.effect not in _NON_CHANGING_EFFECTS

    def __call__(self, target, **detail):
        """Make one action of this type on *target*; *detail* holds plain, JSON-safe values."""
        return Action(self, target, detail)

    def __repr__(self):
        return "ActionType(%r)" % self.name


class Action(object):
    """One step of a plan. Immutable once made: what was previewed is what runs."""

    __slots__ = ("type", "target", "detail")

    def __init__(self, action_type, target, detail):
        self.type = action_type
        self.target = target
        self.detail = dict(detail)

    def as_dict(self):
        return {
            "action": self.type.name,
            "target": self.target,
            "detail": self.detail,
            "effect": self.type.effect,
            "destructive": self.type.destructive,
            "reversible": self.type.reversible,
        }

    def __repr__(self):
        return "Action(%s, %r)" % (self.type.name, self.target)


class Plan(object):
    """What a run will do: ordered actions, operator notices, and an optional diff.

    ``notices`` are sentences an operator must read before approving a restore (users
    who need a new certificate, databases affected by a key change, data written after
    a recovery point that will be lost). ``before``/``after`` feed Ansible's diff mode.
    """

    def __init__(self, actions=None, notices=None, before=None, after=None):
        self.actions = list(actions or [])
        self.notices = list(notices or [])
        self.before = before
        self.after = after

    def add(self, action):
        self.actions.append(action)
        return action

    def extend(self, other):
        """Append another plan's actions and notices, in order."""
        self.actions.extend(other.actions)
        for text in other.notices:
            self.notice(text)
        return self

    def notice(self, text):
        if text not in self.notices:
            self.notices.append(text)

    @property
    def changes(self):
        return any(a.type.changes for a in self.actions)

    def result(self, diff=False):
        """The keys every module returns: ``changed``, ``plan``, ``notices`` and, in diff mode, ``diff``."""
        result = {
            "changed": self.changes,
            "plan": [a.as_dict() for a in self.actions],
            "notices": list(self.notices),
        }
        if diff and (self.before is not None or self.after is not None):
            result["diff"] = {"before": self.before or {}, "after": self.after or {}}
        return result


def apply_plan(plan, appliers):
    """Run every action of *plan* in order with the applier registered for its type.

    *appliers* maps an :class:`ActionType` to a callable taking the :class:`Action`.
    Every action type of the plan must have an applier before the first one runs, so
    a plan is never half-applied for want of code. A failing action raises
    :class:`DrkitError` carrying its name and target, with how many actions had
    already completed in ``details``. Returns the list of the appliers' results.
    """
    missing = sorted(set(a.type.name for a in plan.actions if a.type not in appliers))
    if missing:
        raise DrkitError("no applier for action type(s): %s" % ", ".join(missing), step="apply_plan")
    outcomes = []
    for index, action in enumerate(plan.actions):
        try:
            outcomes.append(appliers[action.type](action))
        except DrkitError as error:
            error.step = error.step or action.type.name
            error.target = error.target or action.target
            error.details.setdefault("completed_actions", index)
            error.details.setdefault("failed_action", action.as_dict())
            raise
        except Exception as error:  # pylint: disable=broad-except
            # Any other failure is still reported against the action that raised it.
            raise DrkitError(
                "%s: %s" % (type(error).__name__, error), step=action.type.name, target=action.target,
                details={"completed_actions": index, "failed_action": action.as_dict()})
    return outcomes
