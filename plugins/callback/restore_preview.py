# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: restore_preview
type: aggregate
short_description: One preview of a whole check-mode run - what would be overwritten, deleted, restarted, and what to know
version_added: 0.1.0
description:
  - Gathers the C(plan) and C(notices) every drkit.microsoft module returns and, at the end of the run, prints one summary per
    host and a total - what would be deleted, overwritten, restarted, changed, created or copied (destructive and irreversible
    actions marked), the steps an operator must do or confirm, and the notices (version gates, key changes, certificates to
    reissue, data written after a recovery point that would be lost).
  - By default only in check mode (C(--check)), where it is the preview of the run; O(when=always) summarizes real runs too.
  - Colour on a terminal; plain text where colour is off (AWX, C(ANSIBLE_NOCOLOR)).
  - Optionally writes the same summary as a self-contained HTML page (O(html_report)).
requirements:
  - Enabled in C(callbacks_enabled) (C(ANSIBLE_CALLBACKS_ENABLED=drkit.microsoft.restore_preview)).
options:
  when:
    description: V(check_mode) summarizes check-mode runs only; V(always) every run.
    type: str
    choices: [check_mode, always]
    default: check_mode
    env:
      - name: DRKIT_RESTORE_PREVIEW_WHEN
    ini:
      - section: drkit_restore_preview
        key: when
  html_report:
    description: Path of an HTML file to write the summary to; not written when empty.
    type: path
    env:
      - name: DRKIT_RESTORE_PREVIEW_HTML
    ini:
      - section: drkit_restore_preview
        key: html_report
author:
  - drkit.microsoft maintainers (@drkit-microsoft)
"""

from ansible import constants as C
from ansible import context
from ansible.plugins.callback import CallbackBase

from ansible_collections.drkit.microsoft.plugins.plugin_utils.preview_report import PreviewReport

COLOURS = {"header": C.COLOR_HIGHLIGHT, "destructive": C.COLOR_ERROR, "action": C.COLOR_CHANGED, "notice": C.COLOR_WARN, "total": C.COLOR_OK}


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "drkit.microsoft.restore_preview"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.report = PreviewReport()
        self.checked = False

    def v2_runner_on_ok(self, result):
        self._take(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._take(result)

    def _take(self, result):
        task = result._task
        in_check_mode = bool(task.check_mode) if task.check_mode is not None else bool(context.CLIARGS.get("check"))
        if not in_check_mode and self.get_option("when") == "check_mode":
            return
        self.checked = self.checked or in_check_mode
        outcome = result._result
        # A module that stopped before acting (a failed prerequisite) still says what it would have done.
        details = outcome.get("error_details") if isinstance(outcome.get("error_details"), dict) else {}
        self.report.add(result._host.get_name(), task.name or task.get_name(), dict(outcome, plan=outcome.get("plan", details.get("plan"))))

    def v2_playbook_on_stats(self, stats):
        if not self.report.hosts:
            return
        title = "RESTORE PREVIEW (check mode: nothing was changed)" if self.checked else "PLANS APPLIED BY THIS RUN"
        self._display.banner(title)
        for text, kind in self.report.lines():
            self._display.display(text, color=COLOURS[kind])
        path = self.get_option("html_report")
        if path:
            with open(path, "w") as handle:
                handle.write(self.report.html(title))
            self._display.display("HTML report: %s" % path)
