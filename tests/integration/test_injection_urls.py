"""Injection, URLs: every user string the Azure and Blob modules put in a URL reaches the service as one percent-encoded path
segment (a blob name as its own path, its slashes kept), and every string Azure's naming rules refuse is refused, naming the
option, before anything is sent.

Hypothesis generates names and paths made of what means something in a URL (delimiters, percent signs, dot segments,
quotes, line breaks, characters beyond the BMP, long strings). The lab records the raw path of every request: the lab's
Resource Manager (armlab) and the storage proxy in front of Azurite. A Resource Manager path must fit one of the lab's
routes as it was sent, still encoded, and each of its names must decode to exactly the value given; a storage path must be
/account/container/blob with the container and the blob decoding to exactly the values given, and the query must hold
only the parameters the service's operations use. Metadata the modules write (the VM's name, the recovery point's id) must
arrive unchanged.
"""
import copy
import re
import uuid
from urllib.parse import unquote

import pytest
from armlab import routes
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lab_admin import admin
from module_runner import run_module

# Each example runs modules in processes of their own against the lab: few examples, no deadline, and no shrinking (it would
# take minutes; a failing example is reported as found). The fixtures are shared between examples on purpose (one vault, one
# container factory); no example database is written in the tree.
PROPERTY = settings(max_examples=15, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])
FEW = settings(PROPERTY, max_examples=8)

# What means something in a URL or to the service behind it: path, query and fragment delimiters, percent signs and
# sequences that look encoded already, sub-delimiters, dot segments, quotes, brackets, backslashes, a subexpression, a
# comment, line breaks, NUL, a byte order mark, a line separator and characters beyond the Basic Multilingual Plane.
URL_PIECES = ("/", "//", "?", "#", "%", "%2F", "%2e%2e", "%00", "&", "=", "+", ";", ",", ":", "@", "!", "$", "'", '"', "(", ")", "*", "[",
              "]", "{", "}", "<", ">", "|", "\\", "^", "`", " ", "~", "$(whoami)", "--", ".", "..", "./", "../", "/..", "?api-version=1&x=",
              "#frag", "\r\n", "\t", "\x00", "\u00e9", "\u00a0", "\u2028", "\ufeff", "\U0001f600", "\U00010348")
# Any character UTF-8 can encode (lone surrogates cannot).
ANY_CHARACTER = st.characters(blacklist_categories=("Cs",))


def hostile(pieces, shortest, longest, characters=ANY_CHARACTER):
    """Strings of *pieces* and random *characters*, and long ones of *shortest* to *longest* characters repeating them."""
    short = st.lists(st.one_of(st.sampled_from(pieces), st.text(characters, min_size=1, max_size=6)), min_size=1, max_size=12).map("".join)
    long = st.builds(lambda text, length: (text * (length // len(text) + 1))[:length], short, st.integers(shortest, longest))
    return st.one_of(short, short, long)


# Names no URL can carry as one path segment (HTTP clients drop dot segments, an empty one changes the path's shape): the
# modules refuse them, see test_names_no_url_can_carry_are_refused_before_anything_is_sent.
UNADDRESSABLE = ("", ".", "..")
ARM_NAMES = hostile(URL_PIECES, 300, 3000).filter(lambda name: name not in UNADDRESSABLE)


def near(valid):
    """Names a rule accepts (*valid*) with one piece before or after: the edge of the rule (a trailing line break, a slash
    after a valid name)."""
    return st.one_of(st.tuples(valid, st.sampled_from(URL_PIECES)).map("".join), st.tuples(st.sampled_from(URL_PIECES), valid).map("".join))


def around(valid, others):
    """Names a rule accepts, names at its edge, and *others*, a third each."""
    return st.one_of(valid, near(valid), others)


# Resource Manager: the requests the modules build, matched against the lab's routes.
IDENTITY = ("cloud_metadata", "openid_configuration", "token")
# A long-running operation is followed at the URL the service answered with (Azure-AsyncOperation, Location), which the
# module does not build: those requests are left out.
FOLLOWED = re.compile(r"/(operationsStatus|operationResults|operations)/[0-9a-f-]{36}/?", re.IGNORECASE)
# The query parameters the modules and the SDK's pollers send; a name never adds one.
ARM_QUERY = {"api-version", "$expand", "$filter", "skipShutdown"}
VM_ROLES = ("subscription", "vm_resource_group", "vm")
VAULT_ROLES = ("subscription", "resource_group", "vault")
ITEM_ROLES = VAULT_ROLES + ("container", "item")
POLICY_ROLES = VAULT_ROLES + ("policy",)
# What each path segment a route of the lab captures is, by the route's operation (armlab/routes.py).
ROLES = {
    "get_vm": VM_ROLES, "get_vm_instance_view": VM_ROLES, "vm_power_operation": VM_ROLES + ("verb",),
    "compute_operation": ("subscription", "location", "operation"),
    "get_vault": VAULT_ROLES, "put_vault": VAULT_ROLES, "list_protected_items": VAULT_ROLES, "list_protectable_items": VAULT_ROLES,
    "refresh_containers": VAULT_ROLES, "refresh_containers_result": VAULT_ROLES + ("operation",),
    "backup_status": ("subscription", "location"),
    "get_protected_item": ITEM_ROLES, "put_protected_item": ITEM_ROLES, "delete_protected_item": ITEM_ROLES, "trigger_backup": ITEM_ROLES,
    "protected_item_operation_status": ITEM_ROLES + ("operation",), "protected_item_operation_result": ITEM_ROLES + ("operation",),
    "get_backup_job": VAULT_ROLES + ("job",),
    "get_backup_policy": POLICY_ROLES, "put_backup_policy": POLICY_ROLES,
    "backup_policy_operation_status": POLICY_ROLES + ("operation",), "backup_policy_operation_result": POLICY_ROLES + ("operation",),
}
# Azure's naming rules the modules apply: a vault is 2-50 letters, digits and hyphens starting with a letter; a backup policy
# 3-150 of them, starting with a letter and not ending with a hyphen.
VAULT_RULE = re.compile(r"[A-Za-z][A-Za-z0-9-]{1,49}")
POLICY_RULE = re.compile(r"[A-Za-z][A-Za-z0-9-]{1,148}[A-Za-z0-9]")
DAILY = dict(schedule={"frequency": "daily", "times": ["23:30"]}, retention={"daily": {"count": 30}})
OS_DISK = {"osDisk": {"name": "os", "osType": "Linux"}}


def clear_arm(lab):
    admin(lab, "DELETE", "/requests", service="arm")


def arm_requests(lab):
    """The Resource Manager requests the modules built, as the lab recorded them."""
    return [entry for entry in admin(lab, "GET", "/requests", service="arm")
            if entry["operation"] not in IDENTITY and not FOLLOWED.search(entry["path"])]


def names_sent(lab):
    """[(operation, {role: name})] of the Resource Manager requests the lab recorded. Each path is matched as it was sent,
    still encoded, against the lab's routes: a name that was not percent-encoded would add a segment or a query, and fit no
    route or another one."""
    sent = []
    for entry in arm_requests(lab):
        operation, segments = routes.match(entry["method"], entry["path"])
        assert operation is not None, "%s %s fits no Resource Manager route: a name changed the path" % (entry["method"], entry["path"])
        assert set(entry["query"]) <= ARM_QUERY, "a name added a query parameter: %s" % entry["query"]
        sent.append((operation, dict(zip(ROLES[operation], (unquote(segment) for segment in segments)))))
    return sent


def assert_names(lab, expected, carried):
    """Every name the recorded requests carried in a role of *expected* is exactly that value, and each role of *carried*
    was carried at least once."""
    seen = set()
    for operation, names in names_sent(lab):
        for role, value in names.items():
            if role in expected:
                assert value == expected[role], "%s carried %s %r, not %r" % (operation, role, value, expected[role])
                seen.add(role)
    assert seen >= set(carried), "no request carried %s" % ", ".join(sorted(set(carried) - seen))


def refused_before_sending(run, parameter, requests):
    assert run.failed and run["step"] == "validate_parameters" and run["target"] == parameter, run.result
    assert requests() == []


def lab_can_route(*names):
    """Whether the lab's Resource Manager can find a resource so named: it decodes a path before matching its routes, so a
    name holding '/' or '?' is not found there (the module then fails at its first read, which still shows what it sent)."""
    return not any(character in name for name in names for character in "/?")


# The lab writes names as they are into the operation URLs it answers with, in ISO-8859-1 headers, and azure-core takes
# such a URL for a template: names the lab could not put whole in one (a path or query delimiter, '#', a percent sign, a
# brace, a control character, a character beyond ISO-8859-1) are left to the tests that start no operation.
LAB_URL_CHARACTERS = st.characters(min_codepoint=0x20, max_codepoint=0xff, blacklist_categories=("Cc",), blacklist_characters="/?#%{}")
LAB_URL_NAMES = hostile(tuple(piece for piece in URL_PIECES if not re.search(r"[^ -~\xa0-\xff]|[/?#%{}]", piece)), 300, 1000,
                        LAB_URL_CHARACTERS).filter(lambda name: name not in UNADDRESSABLE)


def put_vm(lab, resource_group, name):
    return admin(lab, "PUT", "/virtual-machines", {"resource_group": resource_group, "name": name, "location": "westeurope",
                                                   "storage_profile": OS_DISK}, service="arm")


def backup_names(resource_group, vm):
    """The container and protected item names Azure Backup gives an Azure VM (resource group and VM lower-cased)."""
    suffix = "iaasvmcontainerv2;%s;%s" % (resource_group.lower(), vm.lower())
    return "IaasVMContainer;" + suffix, "VM;" + suffix


@pytest.fixture
def subscription(lab):
    return lab["drkit_lab_azure"]["subscription_id"]


@PROPERTY
@given(name=around(st.from_regex(VAULT_RULE, fullmatch=True), ARM_NAMES), resource_group=ARM_NAMES)
def test_a_vault_name_outside_azure_s_rule_is_refused_and_any_other_name_travels_encoded(lab, azure_args, azure_env, subscription, name,
                                                                                         resource_group):
    clear_arm(lab)
    run = run_module("azure_recovery_services_vault", dict(azure_args, name=name, resource_group=resource_group, location="westeurope"),
                     env=azure_env)
    if not VAULT_RULE.fullmatch(name):
        refused_before_sending(run, "name", lambda: admin(lab, "GET", "/requests", service="arm"))
        return
    assert_names(lab, {"subscription": subscription, "resource_group": resource_group, "vault": name}, carried=("resource_group", "vault"))


@PROPERTY
@given(name=around(st.from_regex(POLICY_RULE, fullmatch=True), ARM_NAMES), vault=ARM_NAMES, resource_group=ARM_NAMES)
def test_a_policy_name_outside_azure_s_rule_is_refused_and_any_other_name_travels_encoded(lab, azure_args, azure_env, subscription, name,
                                                                                          vault, resource_group):
    clear_arm(lab)
    run = run_module("azure_vm_backup_policy", dict(azure_args, name=name, vault_name=vault, resource_group=resource_group, **DAILY),
                     env=azure_env)
    if not POLICY_RULE.fullmatch(name):
        refused_before_sending(run, "name", lambda: admin(lab, "GET", "/requests", service="arm"))
        return
    assert_names(lab, {"subscription": subscription, "resource_group": resource_group, "vault": vault, "policy": name},
                 carried=("resource_group", "vault", "policy"))


@FEW
@given(resource_group=ARM_NAMES, name=ARM_NAMES)
def test_a_vm_with_hostile_names_is_stopped_and_reported_through_requests_that_carry_them_encoded(lab, azure_args, azure_env, subscription,
                                                                                                  resource_group, name):
    vm = put_vm(lab, resource_group, name)
    expected = {"subscription": subscription, "vm_resource_group": resource_group, "vm": name}
    clear_arm(lab)
    stopped = run_module("azure_vm_power", dict(azure_args, resource_group=resource_group, name=name, state="stopped", wait_timeout=60),
                         env=azure_env)
    assert_names(lab, expected, carried=("vm_resource_group", "vm"))
    clear_arm(lab)
    report = run_module("azure_vm_backup_protection_info", dict(azure_args, vms=[{"name": name, "resource_group": resource_group}]),
                        env=azure_env)
    assert_names(lab, expected, carried=("vm_resource_group", "vm"))
    if not lab_can_route(resource_group, name):
        assert stopped.failed and stopped["step"] == "get_vm" and report.failed and report["step"] == "get_vm", (stopped.result, report.result)
        return
    assert not stopped.failed and stopped["power_state"] == "stopped", stopped.result
    assert admin(lab, "GET", "/state", service="arm")["virtual_machines"][vm["id"].lower()]["power"] == "stopped"
    assert not report.failed and (report["vms"][0]["vm"], report["vms"][0]["resource_group"]) == (name, resource_group), report.result


@settings(FEW, max_examples=6)
@given(resource_group=LAB_URL_NAMES, name=LAB_URL_NAMES)
def test_a_vm_with_hostile_names_is_protected_and_backed_up_through_its_encoded_container_and_item(lab, azure_args, azure_env, subscription,
                                                                                                   backup_vault, resource_group, name):
    # A resource group of its own per example: a VM protected by an earlier example is not protected again.
    resource_group = "rg-%s-%s" % (uuid.uuid4().hex[:6], resource_group)
    put_vm(lab, resource_group, name)
    container, item = backup_names(resource_group, name)
    vault = dict(vault_name=backup_vault["name"], resource_group=backup_vault["resource_group"], wait_timeout=60)
    expected = {"subscription": subscription, "resource_group": backup_vault["resource_group"], "vault": backup_vault["name"], "policy": "vm-daily",
                "vm_resource_group": resource_group, "vm": name, "container": container, "item": item}
    clear_arm(lab)
    protected = run_module("azure_vm_backup_protection", dict(azure_args, policy_name="vm-daily", vms=[{"name": name, "resource_group": resource_group}],
                                                              **vault), env=azure_env)
    assert not protected.failed and protected["changed"], protected.result
    assert_names(lab, expected, carried=("vm_resource_group", "vm", "container", "item"))

    clear_arm(lab)
    backup = run_module("azure_vm_backup_now", dict(azure_args, vm={"name": name, "resource_group": resource_group}, **vault), env=azure_env)
    assert not backup.failed and backup["changed"], backup.result
    assert_names(lab, expected, carried=("container", "item"))

    clear_arm(lab)
    job = run_module("azure_vm_backup_job_info", dict(azure_args, job_id=backup["job_id"], vault_name=backup_vault["name"],
                                                      resource_group=backup_vault["resource_group"]), env=azure_env)
    assert not job.failed and job["job"]["job_id"] == backup["job_id"], job.result
    assert_names(lab, dict(expected, job=backup["job_id"]), carried=("job",))


@PROPERTY
@given(vault=ARM_NAMES, resource_group=ARM_NAMES, job_id=ARM_NAMES, vm=ARM_NAMES, vm_resource_group=ARM_NAMES, policy=ARM_NAMES)
def test_hostile_vault_job_vm_and_policy_names_travel_encoded_to_reads_that_find_nothing(lab, azure_args, azure_env, subscription, backup_vault,
                                                                                         vault, resource_group, job_id, vm, vm_resource_group,
                                                                                         policy):
    container, item = backup_names(vm_resource_group, vm)
    expected = {"subscription": subscription, "resource_group": resource_group, "vault": vault, "job": job_id, "container": container, "item": item}
    clear_arm(lab)
    run_module("azure_vm_backup_job_info", dict(azure_args, vault_name=vault, resource_group=resource_group, job_id=job_id), env=azure_env)
    assert_names(lab, expected, carried=("resource_group", "vault", "job"))
    clear_arm(lab)
    run_module("azure_vm_backup_now", dict(azure_args, vault_name=vault, resource_group=resource_group,
                                           vm={"name": vm, "resource_group": vm_resource_group}), env=azure_env)
    assert_names(lab, expected, carried=("resource_group", "vault", "container", "item"))
    clear_arm(lab)
    unknown = run_module("azure_vm_backup_protection", dict(azure_args, vault_name=backup_vault["name"], resource_group=backup_vault["resource_group"],
                                                            policy_name=policy, vms=[{"name": vm, "resource_group": vm_resource_group}]),
                         env=azure_env)
    assert unknown.failed and unknown["target"] == "policy_name", unknown.result
    assert_names(lab, {"vault": backup_vault["name"], "policy": policy}, carried=("vault", "policy"))


def with_option(args, path, value):
    """A copy of *args* with the option at *path* (``job_id``, ``vm.name``, ``vms[0].resource_group``) set to *value*."""
    args = copy.deepcopy(args)
    if path.startswith("vm."):
        args["vm"][path[len("vm."):]] = value
    elif path.startswith("vms[0]."):
        args["vms"][0][path[len("vms[0]."):]] = value
    else:
        args[path] = value
    return args


VM_OPTIONS = {"name": "vm1", "resource_group": "rg1"}
UNADDRESSABLE_CASES = {
    "azure_recovery_services_vault": (dict(name="rsv1", resource_group="rg1", location="westeurope"), ("name", "resource_group")),
    "azure_vm_backup_policy": (dict(DAILY, name="vm-daily", vault_name="rsv1", resource_group="rg1"), ("name", "vault_name", "resource_group")),
    "azure_vm_backup_protection": (dict(vault_name="rsv1", resource_group="rg1", policy_name="vm-daily", vms=[VM_OPTIONS]),
                                   ("vault_name", "resource_group", "policy_name", "vms[0].name", "vms[0].resource_group")),
    "azure_vm_backup_protection_info": (dict(vms=[VM_OPTIONS]), ("vms[0].name", "vms[0].resource_group")),
    "azure_vm_backup_now": (dict(vault_name="rsv1", resource_group="rg1", vm=VM_OPTIONS), ("vault_name", "resource_group", "vm.name", "vm.resource_group")),
    "azure_vm_backup_job_info": (dict(vault_name="rsv1", resource_group="rg1", job_id="job1"), ("vault_name", "resource_group", "job_id", "subscription_id")),
    "azure_vm_power": (dict(resource_group="rg1", name="vm1", state="stopped"), ("resource_group", "name")),
}


@pytest.mark.parametrize("module,option", [(module, option) for module, (_base, options) in sorted(UNADDRESSABLE_CASES.items()) for option in options])
@pytest.mark.parametrize("value", UNADDRESSABLE)
def test_names_no_url_can_carry_are_refused_before_anything_is_sent(lab, azure_args, azure_env, module, option, value):
    base = UNADDRESSABLE_CASES[module][0]
    clear_arm(lab)
    run = run_module(module, with_option(dict(azure_args, **base), option, value), env=azure_env)
    # An empty VM name or resource group is refused by the module's own check of its vm and vms entries, naming the entry.
    parameter = option.split(".")[0] if value == "" and option.startswith(("vm.", "vms[")) else option
    refused_before_sending(run, parameter, lambda: admin(lab, "GET", "/requests", service="arm"))


# Blob: the requests through the storage proxy, /account/container/blob.
# A blob name holds any character but those the lab's Azurite mangles: a backslash (stored as '/'), and the characters XML
# 1.0 does not allow (it answers 500 to a listing of such a name, which Azure lists encoded). It has no '.' or '..' path
# segment (the modules refuse them, test_names_azure_refuses_...) and 1 to 1024 characters.
NOT_IN_XML = "".join(chr(code) for code in list(range(0x09)) + [0x0b, 0x0c] + list(range(0x0e, 0x20))) + "\ufffe\uffff"
BLOB_PIECES = tuple(piece for piece in URL_PIECES if not any(character in "\\" + NOT_IN_XML for character in piece)) + ("{recovery_point}",)
BLOB_CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\\" + NOT_IN_XML)
MAX_BLOB_NAME = 1024
# A container name: 3-63 lowercase letters, digits and hyphens, each hyphen between two letters or digits.
CONTAINER_RULE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# The query parameters of the Blob operations the modules use, and of the SAS of a copy source (read by the service); a name
# never adds one.
BLOB_QUERY = {"restype", "comp", "prefix", "include", "snapshot", "marker", "maxresults", "timeout", "prevsnapshot",
              "sv", "st", "se", "sp", "sr", "sig", "spr", "sip", "si", "ss", "srt", "ses", "sdd", "skoid", "sktid", "skt", "ske", "sks", "skv"}
# A metadata value (the VM's name) is an HTTP header value: visible ASCII and inner spaces.
HEADER_PIECES = ("'", '"', "`", "$(whoami)", ";", "--", "/", "?", "#", "%", "&", "=", "+", ":", "\\", "[", "]", "{", "}", "<", ">", " ", "|")
VM_NAMES = st.lists(st.one_of(st.sampled_from(HEADER_PIECES), st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), min_size=1, max_size=8)),
                    min_size=1, max_size=10).map("".join).filter(lambda name: name.strip() == name)
POINT_IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}", fullmatch=True)
PAGE = 512


def valid_blob_name(name):
    return 1 <= len(name) <= MAX_BLOB_NAME and not any(segment in (".", "..") for segment in name.split("/"))


def valid_container_name(name):
    return 3 <= len(name) <= 63 and bool(CONTAINER_RULE.fullmatch(name))


BLOB_NAMES = hostile(BLOB_PIECES, 200, 900, BLOB_CHARACTERS).filter(valid_blob_name)
VALID_CONTAINERS = st.from_regex(r"[a-z0-9](-?[a-z0-9]){2,40}", fullmatch=True)
# Half of them valid, so that both a disk's and the destination's are in a quarter of the examples.
CONTAINER_NAMES = st.one_of(VALID_CONTAINERS, VALID_CONTAINERS, near(VALID_CONTAINERS), hostile(URL_PIECES, 64, 200))


@pytest.fixture
def primary(lab):
    """The options that reach the lab's primary account through the storage proxy, which records what it receives."""
    account = lab["drkit_lab_storage"]["primary"]
    return dict(account_url=account["proxy_url"], account_key=account["account_key"], ca_bundle=lab["drkit_lab_ca_bundle"])


def clear_storage(lab):
    admin(lab, "DELETE", "/requests")


def storage_requests(lab):
    """[(entry, container, blob or None, {query name: value})] of the storage requests the proxy recorded: each path split as
    it was sent into /account/container[/blob] (a blob name keeps its own slashes), container and blob decoded."""
    found = []
    for entry in admin(lab, "GET", "/requests"):
        parts = entry["path"].split("/", 3)
        assert parts[0] == "" and len(parts) >= 3, entry["path"]
        names = [name for name, _value in entry["query"]]
        assert set(names) <= BLOB_QUERY and len(names) == len(set(names)), "a name added a query parameter: %s" % entry["query"]
        found.append((entry, unquote(parts[2]), unquote(parts[3]) if len(parts) > 3 else None, dict(entry["query"])))
    return found


def assert_blob_names(lab, container, blobs):
    """Every request the proxy recorded addressed *container* and, when it addressed a blob, one of *blobs* (or listed the
    container with one of them as prefix); answers the requests."""
    found = storage_requests(lab)
    for entry, sent_container, sent_blob, query in found:
        assert sent_container == container, "%s addressed container %r" % (entry["path"], sent_container)
        assert sent_blob in blobs if sent_blob is not None else query.get("prefix") in blobs, "%s addressed another blob" % entry["path"]
    return found


def restored_name(blob, point_id, prefix):
    """The name of the blob a restore with target=new writes."""
    return prefix.replace("{recovery_point}", point_id) + blob


# (blob name, recovery point id, target_prefix) whose restored blob's name is valid too.
RESTORABLE = st.tuples(BLOB_NAMES, POINT_IDS, hostile(BLOB_PIECES, 10, 40, BLOB_CHARACTERS)).filter(lambda names: valid_blob_name(restored_name(*names)))


@FEW
@given(names=RESTORABLE, vm_name=VM_NAMES)
def test_a_disk_with_a_hostile_blob_name_is_snapshotted_listed_and_restored_by_requests_that_carry_it_encoded(lab, new_container, primary, names,
                                                                                                              vm_name):
    blob, point_id, prefix = names
    restored = restored_name(*names)
    container = new_container()
    disk = container.get_blob_client(blob)
    disk.create_page_blob(4 * PAGE)
    disk.upload_page(b"A" * PAGE, offset=0, length=PAGE)
    args = dict(primary, vm_name=vm_name, disks=[{"container": container.container_name, "blob": blob}], recovery_point_id=point_id)

    clear_storage(lab)
    taken = run_module("blob_snapshot_copy", args)
    assert not taken.failed and taken["changed"] and taken["recovery_point"]["complete"], taken.result
    assert (taken["recovery_point"]["vm_name"], taken["recovery_point"]["snapshots"][0]["blob"]) == (vm_name, blob)
    found = assert_blob_names(lab, container.container_name, {blob})
    [snapshot] = [entry for entry, *_rest in found if entry["operation"] == "snapshot_blob"]
    assert (snapshot["metadata"]["x-ms-meta-drkit_vm"], snapshot["metadata"]["x-ms-meta-drkit_recovery_point"]) == (vm_name, point_id)

    disk.upload_page(b"B" * PAGE, offset=0, length=PAGE)
    listed = run_module("blob_snapshot_copy_info", dict(primary, vm_name=vm_name, disks=args["disks"]))
    assert [(point["id"], point["vm_name"], point["complete"]) for point in listed["recovery_points"]] == [(point_id, vm_name, True)], listed.result

    clear_storage(lab)
    run = run_module("blob_snapshot_copy", dict(args, state="restored", target="new", target_prefix=prefix))
    assert not run.failed and run["changed"] and [action["action"] for action in run["plan"]] == ["copy_snapshot_to_new_blob"], run.result
    writes = [sent_blob for entry, _container, sent_blob, _query in assert_blob_names(lab, container.container_name, {blob, restored})
              if entry["operation"] == "copy_blob"]
    assert writes == [restored]
    assert container.get_blob_client(restored).download_blob(offset=0, length=PAGE).readall() == b"A" * PAGE
    # The disk itself keeps what was written after the point.
    assert disk.download_blob(offset=0, length=PAGE).readall() == b"B" * PAGE


@settings(PROPERTY, max_examples=20)
@given(container=CONTAINER_NAMES, destination=CONTAINER_NAMES)
def test_a_container_name_outside_azure_s_rule_is_refused_and_any_other_travels_as_its_path_segment(lab, primary, container, destination):
    secondary = lab["drkit_lab_storage"]["secondary"]
    clear_storage(lab)
    run = run_module("blob_snapshot_copy_info", dict(primary, vm_name="vm1", disks=[{"container": container, "blob": "disk.vhd"}],
                                                     destination={"account_url": secondary["proxy_url"], "account_key": secondary["account_key"],
                                                                  "container": destination}))
    if not valid_container_name(container):
        refused_before_sending(run, "disks[0].container", lambda: admin(lab, "GET", "/requests"))
    elif not valid_container_name(destination):
        refused_before_sending(run, "destination.container", lambda: admin(lab, "GET", "/requests"))
    else:
        accounts = dict((entry["path"].split("/")[1], sent_container) for entry, sent_container, _blob, query in storage_requests(lab)
                        if query.get("prefix") == "disk.vhd")
        assert accounts == {lab["drkit_lab_storage"]["primary"]["account_name"]: container, secondary["account_name"]: destination}, accounts


def with_dot_segment(values):
    """Blob paths holding a '.' or '..' segment somewhere."""
    return st.tuples(values, st.sampled_from(["/../", "/./", "../", "/..", "/."]), values).map("".join).filter(lambda name: not valid_blob_name(name))


REFUSED_BLOB_NAMES = st.one_of(with_dot_segment(hostile(BLOB_PIECES, 1, 10)), st.sampled_from([".", ".."]),
                               hostile(BLOB_PIECES, MAX_BLOB_NAME + 1, 3000).filter(lambda name: len(name) > MAX_BLOB_NAME))
# Names that cannot travel whole as a metadata header: a character outside visible ASCII and space, or blanks at an end.
REFUSED_VM_NAMES = st.one_of(st.tuples(VM_NAMES, st.sampled_from(["\n", "\r", "\t", "\x00", "\x7f", "\u00e9", "\u2028", "\U0001f600"]), VM_NAMES)
                             .map("".join), VM_NAMES.map(lambda name: name + " "), VM_NAMES.map(lambda name: " " + name), st.just(""))
REFUSED_POINT_IDS = st.one_of(st.tuples(POINT_IDS, st.sampled_from("/?#%&'\"$;` \n"), POINT_IDS).map("".join),
                              near(POINT_IDS).filter(lambda point_id: not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}", point_id)))
REFUSED_PREFIXES = st.sampled_from(["../", "./", "x/../", "{recovery_point}/../", "a/./b/"])

# parameter the refusal must name -> (strategy of refused values, the task's options given one of them and a container name)
BLOB_REFUSALS = {
    "disks[0].blob": (REFUSED_BLOB_NAMES, lambda value, container: dict(disks=[{"container": container, "blob": value}])),
    "vm_name": (REFUSED_VM_NAMES, lambda value, container: dict(vm_name=value)),
    "recovery_point_id": (REFUSED_POINT_IDS, lambda value, container: dict(recovery_point_id=value)),
    "target_prefix": (REFUSED_PREFIXES, lambda value, container: dict(state="restored", target="new", target_prefix=value)),
}


@pytest.mark.parametrize("parameter", sorted(BLOB_REFUSALS))
@FEW
@given(data=st.data())
def test_names_azure_refuses_are_refused_naming_the_option_before_anything_is_sent(lab, primary, parameter, data):
    values, options = BLOB_REFUSALS[parameter]
    value = data.draw(values, label=parameter)
    args = dict(primary, vm_name="vm1", disks=[{"container": "vhds", "blob": "disk.vhd"}], recovery_point_id="rp1")
    args.update(options(value, "vhds"))
    clear_storage(lab)
    refused = run_module("blob_snapshot_copy", args, check=True)
    refused_before_sending(refused, parameter, lambda: admin(lab, "GET", "/requests"))
