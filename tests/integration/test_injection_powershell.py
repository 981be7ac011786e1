"""Injection, PowerShell: every user string hyperv_protection_group and hyperv_vm_recovery send to a MABS server reaches it
as data of one of the collection's own scripts, and every string a rule refuses is refused before anything is sent.

Hypothesis generates names, hosts, paths and addresses made of what means something to PowerShell; the lab's MABS servers
(mabslab behind winrmlab, reached by the real pywinrm client) record each script run: the SHA-256 of the script text, of the
bootstrap on the command line, and the data decoded from stdin. A run proves the property when every script a host received
is, byte for byte, one the collection ships (so no value can be inside its text) and each value came back from the data equal
to what the task was given.
"""
import hashlib
import ipaddress
import re
import uuid

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lab_admin import admin
from mabs_recovery import protected_estate, recovery_args
from mabslab.estate import GIB, new_vm
from module_runner import run_module

from ansible_collections.drkit.microsoft.plugins.module_utils.mabs import protection_scripts, recovery_scripts
from ansible_collections.drkit.microsoft.plugins.module_utils.winrm import powershell

# Each example runs a module in a process of its own against the lab: few examples, no deadline, and no shrinking (it would
# take minutes; a failing example is reported as found). The fixtures put a fresh estate and clear the request log per
# example, so sharing them between examples is intended; no example database is written in the tree.
PROPERTY = settings(max_examples=15, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
FEW = settings(PROPERTY, max_examples=8)

# What means something to PowerShell in a script or a string: quotes (the typographic ones too, which PowerShell takes as
# quotes), the backtick escape, subexpressions, variables and casts, here-strings, blocks, statement separators, comments,
# pipes, redirection and call operators, the dashes PowerShell takes as a hyphen, line breaks, NUL, a no-break space and
# characters beyond the Basic Multilingual Plane.
POWERSHELL_PIECES = ("'", '"', "''", "\u2018", "\u2019", "\u201c", "\u201d", "`", "`n", "`0", "$(whoami)", "$(", ")", "${env:PATH}",
                     "$null", "$_", "@'\n", "\n'@", '@"\n', '\n"@', "@(", "@{", "{", "}", "[", "]", "[char]39", ";", "--", "\u2013",
                     "\u2014", "#", "<#", "#>", "|", "||", "&", "&&", ">", ">>", "2>&1", "<", "\\", "%", "*", "?", "/", ":", "\r\n", "\n",
                     "\x00", "\t", "\u00a0", "\U0001f600", "\U0001d54f", "\u03a9")
# Any character a JSON document and UTF-8 can carry (lone surrogates cannot be encoded).
ANY_CHARACTER = st.characters(blacklist_categories=("Cs",))
PIECES = st.one_of(st.sampled_from(POWERSHELL_PIECES), st.text(ANY_CHARACTER, min_size=1, max_size=6))
HOSTILE = st.lists(PIECES, min_size=1, max_size=12).map("".join)
LONG = st.builds(lambda text, length: (text * (length // len(text) + 1))[:length], HOSTILE, st.integers(2000, 20000))
# Values the modules take as they are: hostile, or long enough to need several WinRM Sends.
VALUES = st.one_of(HOSTILE, HOSTILE, LONG)
# Names the modules refuse to start or end with blanks (str.strip's), so those travel without them.
UNBLANKED = VALUES.filter(lambda value: value.strip() == value)

# Characters that break every form checked below (times, GUIDs, ISO times, host names): a refused value holds one, so that no
# generated value is valid by accident.
BREAKING = "'\"`$;[]{}|&<>"
BROKEN = st.tuples(VALUES, st.sampled_from(BREAKING), VALUES).map("".join)

SHIPPED = dict((hashlib.sha256(script.text.encode("utf-8")).hexdigest(), script)
               for source in (protection_scripts, recovery_scripts) for script in vars(source).values()
               if isinstance(script, powershell.PowerShellScript))
BOOTSTRAP_SHA256 = hashlib.sha256(powershell.BOOTSTRAP.encode("utf-8")).hexdigest()
PREREQUISITES = {"churn_rate_percent_per_hour": 5, "backup_window_hours": 2}
# The demo estate's VM names: a generated name equal to one of them (Windows compares case-insensitively) would be that VM.
DEMO_VMS = ("sql01", "app01", "legacy01", "fs01", "fs02")
RECOVERY_VM = "4e0a6f1e-0000-4000-8000-0000000000cc"
NOT_DEMO = VALUES.filter(lambda value: value.lower() not in DEMO_VMS)


def requests(lab):
    return admin(lab, "GET", "/requests", service="mabs")


def scripts_run(lab):
    """The script runs the lab's MABS servers recorded, each checked to be a shipped script under the shipped bootstrap."""
    runs = [entry for entry in requests(lab) if entry["operation"] == "script"]
    for entry in runs:
        assert entry["script_sha256"] in SHIPPED, "a host received a script the collection does not ship: %s" % entry["script"]
        script = SHIPPED[entry["script_sha256"]]
        assert entry["script"] == script.name and entry["script_length"] == len(script.text)
        # The text the host kept is the shipped one: no value can be part of it.
        assert admin(lab, "GET", "/scripts/" + entry["script_sha256"], service="mabs")["text"] == script.text
        assert entry["bootstrap_sha256"] == BOOTSTRAP_SHA256, "the command line carried something else than the bootstrap"
    return runs


def data_of(runs, name):
    return [entry["data"] for entry in runs if entry["script"] == name]


def vm_named(name, vm_id):
    """An estate change adding a healthy VM *name* (id *vm_id*) on HV01."""
    def change(estate):
        estate["vms"][vm_id] = new_vm(name, "hv01.contoso.com", [{"path": "D:\\VMs\\x.vhdx", "size_bytes": 10 * GIB}])
    return change


@PROPERTY
@given(group=UNBLANKED, vm=NOT_DEMO)
def test_a_group_and_a_vm_with_hostile_names_are_protected_and_their_names_travel_as_data(lab, mabs_estate, mabs_args, group, vm):
    vm_id = str(uuid.uuid4())
    mabs_estate(vm_named(vm, vm_id))
    done = run_module("hyperv_protection_group", mabs_args(name=group, members=[{"host": "HV01.contoso.com", "vm": vm}], prerequisites=PREREQUISITES))
    assert not done.failed and done["changed"], done.result
    runs = scripts_run(lab)
    assert [entry["script"] for entry in runs] == ["mabs/read_protection_state", "mabs/apply_protection_plan"]
    [read] = data_of(runs, "mabs/read_protection_state")
    assert read["group_name"] == group and read["hyperv_hosts"] == ["HV01.contoso.com"]
    [apply] = data_of(runs, "mabs/apply_protection_plan")
    assert apply["group_name"] == group and [member["name"] for member in apply["actions"][0]["detail"]["members"]] == [vm]
    [saved] = admin(lab, "GET", "/estate", service="mabs")["servers"]["mabs01.contoso.com"]["groups"].values()
    assert saved["name"] == group and saved["members"] == [vm_id]


@PROPERTY
@given(host=VALUES.filter(lambda value: value.strip() != ""), user=VALUES)
def test_hostile_host_names_and_a_hostile_host_account_reach_the_read_as_data(lab, mabs_estate, mabs_args, host, user):
    mabs_estate()
    run = run_module("hyperv_protection_group", mabs_args(name="G", members=[{"host": host, "vm": "SQL01"}], hyperv_host_user=user,
                                                          prerequisites=dict(PREREQUISITES, on_failure="warn")), check=True)
    # No such host: the lab's MABS finds no VM on it, which the module reports as such.
    assert run.failed and run["step"] == "resolve_members", run.result
    [read] = data_of(scripts_run(lab), "mabs/read_protection_state")
    assert read["hyperv_hosts"] == [host.strip()] and read["host_credential"] == {"user": user, "password": "********"}


@PROPERTY
@given(vm=NOT_DEMO, target_host=VALUES, folder=HOSTILE,
       local_part=st.text(ANY_CHARACTER, min_size=1, max_size=40))
def test_a_hostile_vm_name_target_host_folder_and_address_reach_the_recovery_as_data(lab, mabs_estate, mabs_args, vm, target_host, folder,
                                                                                     local_part):
    # The rules of target_path (an absolute Windows path under 248 characters, none of / * ? " < > |, no control character
    # and no ':' but a drive's) and of notify (one '@', no blank, ';' or ','): what they let through must arrive as given.
    path = ("D:\\Recovered\\" + re.sub(r"[/*?\"<>|:\x00-\x1f]", "", folder))[:200]
    address = re.sub(r"[@\s;,]", "", local_part) or "x"
    address += "@contoso.com"
    protect = protected_estate()

    def change(estate):
        protect(estate)
        vm_named(vm, RECOVERY_VM)(estate)
        server = estate["servers"]["mabs01.contoso.com"]
        server["groups"]["g1"]["members"].append(RECOVERY_VM)
        server["production_servers"][target_host.lower()] = {"agent_state": "ok"}
        estate["recovery_points"][RECOVERY_VM] = [{"server": "mabs01.contoso.com", "time": "2026-11-20T20:00:00.000000Z", "location": "Disk"}]

    mabs_estate(change)
    done = run_module("hyperv_vm_recovery", recovery_args(mabs_args, vm={"host": "HV01.contoso.com", "vm": vm}, location="network_folder",
                                                          target_host=target_host, target_path=path, notify=[address]))
    assert not done.failed and done["job"]["status"] == "Succeeded", done.result
    runs = scripts_run(lab)
    [read] = data_of(runs, "mabs/read_recovery_state")
    assert read == {"host": "HV01.contoso.com", "vm_name": vm, "vm_id": None}
    [start] = data_of(runs, "mabs/start_recovery")
    assert (start["target_server"], start["target_path"], start["notify"]) == (target_host, path, [address])
    [recovered] = admin(lab, "GET", "/estate", service="mabs")["recovered"]
    assert (recovered["name"], recovered["target_server"], recovered["target_path"]) == (vm, target_host, path)


@FEW
@given(host=VALUES.filter(lambda value: value.strip() != "" and not "hv01.contoso.com".endswith("." + value.strip().lower())))
def test_a_hostile_host_of_the_vm_to_recover_reaches_the_read_as_data(lab, mabs_estate, mabs_args, host):
    mabs_estate(protected_estate())
    run = run_module("hyperv_vm_recovery", recovery_args(mabs_args, vm={"host": host, "vm": "SQL01"}), check=True)
    assert run.failed and run["step"] == "choose_datasource", run.result
    [read] = data_of(scripts_run(lab), "mabs/read_recovery_state")
    assert read["host"] == host.strip() and read["vm_name"] == "SQL01"


def blank_edged(values):
    """*values* with blanks before or after them, or blanks alone."""
    return st.one_of(st.tuples(st.sampled_from(" \t\n\u00a0\u3000"), values).map("".join), values.map(lambda value: value + " "),
                     st.sampled_from(["", " ", "\t\r\n"]))


def not_an_address(value):
    return not (ipaddress_or_none(value) or ipaddress_or_none(value[1:-1]))


def ipaddress_or_none(value):
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def group(mabs_args, **options):
    """hyperv_protection_group's options with *options*: a valid group of SQL01 but for what they break."""
    args = dict(name="G", members=[{"host": "HV01.contoso.com", "vm": "SQL01"}], prerequisites=PREREQUISITES)
    args.update(options)
    return mabs_args(**args)


# (module, parameter the refusal must name, strategy of refused values, the task's options given one of them)
REFUSALS = {
    "group name": ("hyperv_protection_group", "name", blank_edged(HOSTILE), lambda args, value: group(args, name=value)),
    "member host": ("hyperv_protection_group", "members[0].host", st.sampled_from(["", " ", "\t", "\u3000\n"]),
                    lambda args, value: group(args, members=[{"host": value, "vm": "SQL01"}])),
    "member vm_id": ("hyperv_protection_group", "members[0].vm_id", BROKEN,
                     lambda args, value: group(args, members=[{"host": "HV01.contoso.com", "vm_id": value}])),
    "recovery point time": ("hyperv_protection_group", "recovery_point_times", BROKEN, lambda args, value: group(args, recovery_point_times=[value])),
    "online time": ("hyperv_protection_group", "online_protection.times", BROKEN,
                    lambda args, value: group(args, online_protection={"retention_days": 30, "times": [value]})),
    "consistency check start": ("hyperv_protection_group", "consistency_check.start", BROKEN,
                                lambda args, value: group(args, consistency_check={"mode": "scheduled", "start": value, "duration_hours": 2})),
    "replica creation time": ("hyperv_protection_group", "replica_creation.at", BROKEN,
                              lambda args, value: group(args, replica_creation={"method": "later", "at": value})),
    "winrm host": ("hyperv_protection_group", "winrm_host", BROKEN.filter(not_an_address), lambda args, value: group(args, winrm_host=value)),
    "winrm path": ("hyperv_vm_recovery", "winrm_path", BROKEN, lambda args, value: recovery_args(args, winrm_path=value)),
    "target path form": ("hyperv_vm_recovery", "target_path", BROKEN.map(lambda value: "D:\\" + value + "|"),
                         lambda args, value: recovery_args(args, location="network_folder", target_host="HV01.contoso.com", target_path=value)),
    "target path length": ("hyperv_vm_recovery", "target_path", LONG.map(lambda value: "D:\\" + re.sub(r"[/*?\"<>|:]", "", value) + "x" * 248),
                           lambda args, value: recovery_args(args, location="alternate_host", target_host="HV02.contoso.com", target_path=value)),
    "notify": ("hyperv_vm_recovery", "notify", st.tuples(VALUES, st.sampled_from(" ;,@"), VALUES).map(lambda parts: "".join(parts) + "@x@y"),
               lambda args, value: recovery_args(args, notify=[value])),
    "recovery point time of a recovery": ("hyperv_vm_recovery", "recovery_point_time", BROKEN,
                                          lambda args, value: recovery_args(args, recovery_point_time=value)),
}


@pytest.mark.parametrize("field", sorted(REFUSALS))
@FEW
@given(data=st.data())
def test_values_a_rule_refuses_are_refused_naming_the_parameter_before_anything_is_sent(lab, mabs_estate, mabs_args, field, data):
    module, parameter, values, options = REFUSALS[field]
    mabs_estate(protected_estate())
    value = data.draw(values, label=parameter)
    refused = run_module(module, options(mabs_args, value), check=True)
    assert refused.failed and refused["step"] == "validate_parameters" and refused["target"] == parameter, refused.result
    assert requests(lab) == []


# A value with a trailing newline (which ^...$ with re.match would let through) and a recovery vm_id that is no GUID are refused
# under the option's own name.
RULE_EDGES = [
    pytest.param("hyperv_protection_group", "recovery_point_times", lambda args: group(args, recovery_point_times=["20:00\n"]), id="time-newline"),
    pytest.param("hyperv_protection_group", "winrm_host", lambda args: group(args, winrm_host="mabs01.contoso.com\n"), id="winrm-host-newline"),
    pytest.param("hyperv_vm_recovery", "notify", lambda args: recovery_args(args, notify=["team@contoso.com\n"]), id="notify-newline"),
    pytest.param("hyperv_vm_recovery", "vm.vm_id", lambda args: recovery_args(args, vm={"host": "HV01.contoso.com", "vm_id": "$(x)"}),
                 id="recovery-vm-id-name"),
]


@pytest.mark.parametrize("module,parameter,options", RULE_EDGES)
def test_rule_edges_are_refused_under_the_option_s_name(lab, mabs_estate, mabs_args, module, parameter, options):
    mabs_estate(protected_estate())
    refused = run_module(module, options(mabs_args), check=True)
    assert refused.failed and refused["step"] == "validate_parameters" and refused["target"] == parameter, refused.result
    assert requests(lab) == []
