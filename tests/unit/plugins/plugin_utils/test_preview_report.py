"""The whole-run preview: plans and notices per host, totals, the text lines and the HTML page."""
from ansible_collections.drkit.microsoft.plugins.plugin_utils.preview_report import PreviewReport


def action(name, target, effect, destructive=False, reversible=True):
    return {"action": name, "target": target, "effect": effect, "destructive": destructive, "reversible": reversible, "detail": {}}


def report():
    made = PreviewReport()
    made.add("rms-cluster", "Preview the restore", {"plan": [action("restore_database", "[DRMS_Config]", "overwrite", True, False),
                                                             action("verify_backup", "x.bak", "verify")],
                                                    "notices": ["Users need a new RAC certificate."]})
    made.add("mabs01", "Recover", {"results": [{"plan": [action("recover_vm_to_original_instance", "<SQL01> & co", "overwrite", True, False)],
                                                "notices": ["VHDs deleted and replaced"]},
                                               {"plan": [action("start_pool", "RMS", "restart")], "notices": ["VHDs deleted and replaced"]},
                                               {"skipped": True}]})
    made.add("mabs01", "Not a drkit task", {"changed": True})
    made.add("mabs01", "Apply what was previewed", {"plan": [action("recover_vm_to_original_instance", "<SQL01> & co", "overwrite", True, False)]})
    return made


def test_totals_count_effects_and_flags_but_not_checks():
    assert report().totals() == {"hosts": 2, "destructive": 2, "irreversible": 2, "notices": 2, "overwrite": 2, "restart": 1}


def test_lines_put_what_is_lost_first_and_end_with_the_total():
    lines = report().lines()
    texts = [text for text, _kind in lines]
    assert texts[:4] == ["mabs01", "  would overwrite (1)", "    recover_vm_to_original_instance <SQL01> & co (destructive, irreversible)  [Recover]",
                         "  would restart (1)"]
    assert ("    - VHDs deleted and replaced", "notice") in lines and texts.count("    - VHDs deleted and replaced") == 1
    assert lines[-1] == ("TOTAL: 2 host(s); 2 overwrite, 1 restart; 2 destructive, 2 irreversible; 2 notice(s)", "total")


def test_the_html_page_escapes_every_value():
    page = report().html("Preview")
    assert "&lt;SQL01&gt; &amp; co" in page and "<SQL01>" not in page
    assert page.count('<tr class="destructive">') == 2


def test_stats_give_totals_and_actions_per_host():
    stats = report().stats()
    assert stats["totals"]["destructive"] == 2
    assert [item["action"] for item in stats["hosts"]["rms-cluster"]["actions"]] == ["restore_database"]
