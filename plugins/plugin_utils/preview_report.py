# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One preview for a whole run: the plans the collection's modules returned, per host and in total.

Pure: the restore_preview callback feeds it task results and prints or writes what it returns.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import html

# The order a reader needs: what is lost first, then what is changed, then what to do by hand.
EFFECT_ORDER = ("delete", "overwrite", "restart", "modify", "create", "copy", "gate", "verify")


class PreviewReport(object):
    def __init__(self):
        self.hosts = {}  # host -> {"actions": [...], "notices": [...]}

    def include(self, host):
        """The entry of *host*, listed even when no task gave it a plan (it would change nothing)."""
        return self.hosts.setdefault(host, {"actions": [], "notices": []})

    def add(self, host, task, result):
        """Take the plan and notices of one task result (and of each loop item)."""
        for item in [result] + list(result.get("results") or []):
            if not isinstance(item, dict) or not isinstance(item.get("plan"), list):
                continue
            entry = self.include(host)
            for action in item["plan"]:
                if not isinstance(action, dict) or action.get("effect") == "verify":
                    continue
                # A preview task and the task that applies the same plan describe one effect: it is listed once.
                key = (action.get("action"), action.get("target"), action.get("effect"))
                if all((known["action"], known["target"], known["effect"]) != key for known in entry["actions"]):
                    entry["actions"].append(dict(action, task=task))
            for notice in item.get("notices") or []:
                if notice not in entry["notices"]:
                    entry["notices"].append(notice)

    def totals(self):
        """{"hosts": n, "destructive": n, "irreversible": n, "notices": n, <effect>: n ...} over every host."""
        counts = {"hosts": len(self.hosts), "destructive": 0, "irreversible": 0, "notices": 0}
        for entry in self.hosts.values():
            counts["notices"] += len(entry["notices"])
            for action in entry["actions"]:
                counts[action["effect"]] = counts.get(action["effect"], 0) + 1
                counts["destructive"] += 1 if action.get("destructive") else 0
                counts["irreversible"] += 0 if action.get("reversible", True) else 1
        return counts

    def stats(self):
        """What set_stats-style consumers (AWX workflows) gate on: the totals and, per host, its actions and notices."""
        return {"totals": self.totals(),
                "hosts": dict((host, {"actions": [dict((key, action.get(key)) for key in ("action", "target", "effect", "destructive", "reversible"))
                                                  for action in entry["actions"]],
                                      "notices": list(entry["notices"])}) for host, entry in sorted(self.hosts.items()))}

    def lines(self):
        """(text, kind) per line of the summary; kind is header, destructive, action, notice or total, for colouring."""
        out = []
        for host, entry in sorted(self.hosts.items()):
            out.append((host, "header"))
            for effect in EFFECT_ORDER:
                actions = [action for action in entry["actions"] if action["effect"] == effect]
                if actions:
                    out.append(("  %s (%d)" % (_effect_title(effect), len(actions)), "header"))
                for action in actions:
                    flags = [flag for flag, on in (("destructive", action.get("destructive")), ("irreversible", not action.get("reversible", True)))
                             if on]
                    text = "    %s %s%s  [%s]" % (action["action"], action["target"], " (%s)" % ", ".join(flags) if flags else "", action["task"])
                    out.append((text, "destructive" if action.get("destructive") else "action"))
            if not entry["actions"]:
                out.append(("  nothing would change", "action"))
            if entry["notices"]:
                out.append(("  operators must know:", "header"))
                out.extend(("    - %s" % notice, "notice") for notice in entry["notices"])
        totals = self.totals()
        effects = ", ".join("%d %s" % (totals[effect], effect) for effect in EFFECT_ORDER if totals.get(effect))
        out.append(("TOTAL: %d host(s); %s; %d destructive, %d irreversible; %d notice(s)" % (
            totals["hosts"], effects or "no change", totals["destructive"], totals["irreversible"], totals["notices"]), "total"))
        return out

    def html(self, title):
        """A self-contained HTML page of the summary, every value escaped."""
        rows = []
        for host, entry in sorted(self.hosts.items()):
            rows.append("<h2>%s</h2>" % html.escape(host))
            rows.append("<table><tr><th>effect</th><th>action</th><th>target</th><th>destructive</th><th>reversible</th><th>task</th></tr>")
            for effect in EFFECT_ORDER:
                for action in (action for action in entry["actions"] if action["effect"] == effect):
                    rows.append('<tr class="%s"><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>' % (
                        "destructive" if action.get("destructive") else "", html.escape(effect), html.escape(str(action["action"])),
                        html.escape(str(action["target"])), "yes" if action.get("destructive") else "no",
                        "yes" if action.get("reversible", True) else "no", html.escape(str(action["task"]))))
            rows.append("</table>")
            if entry["notices"]:
                rows.append("<h3>Operators must know</h3><ul>%s</ul>" % "".join("<li>%s</li>" % html.escape(notice) for notice in entry["notices"]))
        total = html.escape(self.lines()[-1][0])
        return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title><style>"
                "body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}"
                "tr.destructive{background:#fdd}</style></head><body><h1>%s</h1>%s<p><strong>%s</strong></p></body></html>\n"
                % (html.escape(title), html.escape(title), "\n".join(rows), total))


def _effect_title(effect):
    return {"delete": "would delete", "overwrite": "would overwrite", "restart": "would restart", "modify": "would change",
            "create": "would create", "copy": "would copy", "gate": "needs an operator", "verify": "would check"}[effect]
