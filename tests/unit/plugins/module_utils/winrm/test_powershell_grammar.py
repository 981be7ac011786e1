"""Every PowerShell script the collection ships parses with a real PowerShell grammar (tree-sitter-powershell).

A syntax error in a script would otherwise show only on a Windows host; here it fails the suite."""
import re

import pytest
import tree_sitter
import tree_sitter_powershell

from ansible_collections.drkit.microsoft.plugins.module_utils.mabs import protection_scripts, recovery_scripts
from ansible_collections.drkit.microsoft.plugins.module_utils.winrm import powershell
from ansible_collections.drkit.microsoft.plugins.module_utils.winrm.powershell import PowerShellScript

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
SCRIPT_MODULES = (protection_scripts, recovery_scripts)
# Automatic variables PowerShell sets itself; assigning $host fails, the others silently mislead.
AUTOMATIC_VARIABLES = re.compile(r"\$(host|input|args|error|pid|home|psitem|this|matches|true|false|null|_)\s*=(?!=)", re.IGNORECASE)


def shipped_scripts():
    scripts = [("bootstrap", powershell.BOOTSTRAP)]
    for module in SCRIPT_MODULES:
        scripts.extend((value.name, value.text) for value in vars(module).values() if isinstance(value, PowerShellScript))
    return scripts


def syntax_errors(text):
    """(line, column, text) of each ERROR or MISSING node of the parse tree."""
    found, pending = [], [PARSER.parse(text.encode("utf-8")).root_node]
    while pending:
        node = pending.pop()
        if node.type == "ERROR" or node.is_missing:
            found.append((node.start_point[0] + 1, node.start_point[1] + 1, node.text[:60].decode("utf-8", "replace")))
        pending.extend(node.children)
    return sorted(found)


@pytest.mark.parametrize("name,text", shipped_scripts(), ids=[name for name, _text in shipped_scripts()])
def test_script_parses(name, text):
    assert syntax_errors(text) == [], "%s does not parse" % name


@pytest.mark.parametrize("name,text", shipped_scripts(), ids=[name for name, _text in shipped_scripts()])
def test_no_script_assigns_an_automatic_variable(name, text):
    assert AUTOMATIC_VARIABLES.findall(text) == [], name


# Ways PowerShell turns text into code; the scripts' data must never meet one. The bootstrap alone makes a script block,
# from the collection's own script text.
EVALUATES_TEXT = re.compile(r"Invoke-Expression|\biex\b|ExpandString|ScriptBlock\]::Create|NewScriptBlock|Add-Type|\$ExecutionContext", re.IGNORECASE)
# The format operator with a format string that is not a literal could take its format from data.
FORMAT_OPERATOR = re.compile(r"(\S+)\s+-f\s", re.IGNORECASE)


@pytest.mark.parametrize("name,text", [item for item in shipped_scripts() if item[0] != "bootstrap"], ids=lambda value: str(value)[:40])
def test_no_script_evaluates_text_as_code(name, text):
    assert EVALUATES_TEXT.findall(text) == [], name
    assert [token for token in FORMAT_OPERATOR.findall(text) if not token.endswith(("'", '"'))] == [], name


def test_the_grammar_finds_errors():
    # Guards the test itself: a broken script must be reported.
    assert syntax_errors("if ($x { Write-Output 1 }")
    assert syntax_errors("$a = 'unterminated")


def test_every_script_module_is_checked():
    assert {name for name, _text in shipped_scripts()} >= {"mabs/read_protection_state", "mabs/apply_protection_plan", "mabs/read_recovery_state",
                                                           "mabs/start_recovery", "mabs/read_recovery_job"}
    assert AUTOMATIC_VARIABLES.findall("$host = 1") and not AUTOMATIC_VARIABLES.findall("$hostName = 1; if ($host -eq 1) {}")
    assert EVALUATES_TEXT.findall("Invoke-Expression $x") and EVALUATES_TEXT.findall("[ScriptBlock]::Create($d)")
    assert FORMAT_OPERATOR.findall("$template -f $a") == ["$template"]
