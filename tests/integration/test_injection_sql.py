"""Injection, T-SQL: every user string sql_backup_set, rms_backup and orchestrator_smk send to SQL Server reaches it as
data, and every string a rule refuses is refused before anything is sent.

Hypothesis generates database, key and message names, backup directories and key passwords made of what means something to
T-SQL (quotes, brackets, comments, separators, variables) or to the shells and formatters around it, with Unicode look-alikes of
the quote and bracket, characters beyond the Basic Multilingual Plane, and values as long as their rules allow. The lab's SQL
Server records every batch and RPC call it receives (sqllab/requestlog.py, EXEC drkit_lab.requests). A run proves the property
when, for every request the module sent:

* the statement, its bracketed identifiers and N'...' literals taken out, has the shape of one the same scenario sends with
  plain values: no value changed a statement's structure;
* each bracketed identifier, read the T-SQL way (``]]`` is ``]``), is one of the names the task was given, and each N'...'
  literal (``''`` is ``'``) is the key file path or the key password: the only values the collection writes into a statement
  (T-SQL takes no parameter for them);
* each string parameter of an RPC call is one of the values the task's values must become, or a constant the plain run sends
  too; and each value given arrived.
"""
import collections
import json
import os
import re
import uuid

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from module_runner import run_module
from sql_params import sql_params
from sqllab.requestlog import RequestLog
from sqllab.state import volume_path

from ansible_collections.drkit.microsoft.plugins.module_utils.sql.client import SqlClient
from ansible_collections.drkit.microsoft.tests.unit.plugins.module_utils.sql.tsql_reading import read_delimited

# Each example runs modules in processes of their own against the lab: few examples, no deadline, and no shrinking (a failure
# would be shrunk for many minutes; it is reported as generated, a few pieces long). The lab's state (databases, files, the
# request log) is shared between examples on purpose; each example makes its own names and clears the log.
PROPERTY = settings(max_examples=15, deadline=None, database=None, phases=(Phase.explicit, Phase.generate), report_multiple_bugs=False,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
FEW = settings(PROPERTY, max_examples=8)

# The application name a module's connections give (the sql_server option's default); the tests' own connection gives another.
MODULE_APPLICATION = "drkit.microsoft"
# sysname: a SQL Server name holds 128 characters; a tag of 8 makes each generated name unique in the lab.
MAX_NAME, TAG = 128, 8
# sp_addmessage's @msgtext is nvarchar(255); the collection's directory rule allows 200 characters.
MAX_MESSAGE, MAX_DIRECTORY = 255, 200
# SQL Server's limit for a password (sysname).
MAX_PASSWORD = 128

# What means something to T-SQL (quotes, brackets, the N prefix, comments, separators, variables, placeholders), to shells and
# formatters ($(...), backticks, %s, {0}), and Unicode look-alikes: the modifier and right single quotes and the fullwidth
# apostrophe and bracket (which a conversion to varchar may turn into ' and ]), a no-break space, line breaks, non-BMP characters.
TSQL_PIECES = ("'", "''", "N'", '"', "[", "]", "]]", "[dbo].[x]", "$(whoami)", "$(", ")", "`", "`id`", ";", "--", "/*", "*/",
               "'; DROP DATABASE master; --", "]; SHUTDOWN WITH NOWAIT; --", "' OR 1=1 --", "@P1", "@@VERSION", "?", "%s", "{0}",
               "\\", "\u2019", "\u02bc", "\uff07", "\uff3d", "\u00a0", "\t", "\n", "\r\n", " ", "\U0001f600", "\U0001d54f", "\u96ea")
# Any character JSON and UTF-16 carry but NUL, which the rules refuse (lone surrogates cannot be encoded).
ANY_CHARACTER = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
PIECES = st.one_of(st.sampled_from(TSQL_PIECES), st.text(ANY_CHARACTER, min_size=1, max_size=6))
HOSTILE = st.lists(PIECES, min_size=1, max_size=10).map("".join)


def as_long_as(length):
    """Hostile values repeated to exactly *length* characters."""
    return st.builds(lambda text: (text * (length // len(text) + 1))[:length], HOSTILE)


# Names with room for the tag, some as long as a sysname allows once tagged.
NAMES = st.one_of(HOSTILE.map(lambda value: value[:MAX_NAME - TAG]), as_long_as(MAX_NAME - TAG))
MESSAGES = st.one_of(HOSTILE.map(lambda value: value[:MAX_MESSAGE]), as_long_as(MAX_MESSAGE))
# What Windows refuses in a file name: a backup file is <directory>\<set id>__<database>.bak with these as '_' in the
# database's name; the directory rule refuses them but '\' (and '\..'), and the lab's disk takes no control character.
_NOT_IN_FILE_NAMES = re.compile(r"[\\/:*?\"<>|\x00-\x1f]")
COMPONENTS = HOSTILE.map(lambda value: _NOT_IN_FILE_NAMES.sub("", value)).filter(lambda value: value.strip(".") and not value.startswith(".."))
# A drive's directory or a share's (hidden, $), of one to three hostile components, at most as long as the rule allows.
DIRECTORIES = st.builds(lambda root, parts: (root + "\\".join(parts))[:MAX_DIRECTORY].rstrip("\\"),
                        st.sampled_from(["C:\\Backups\\", "\\\\files01\\backup$\\"]),
                        st.lists(COMPONENTS, min_size=1, max_size=3)).filter(lambda path: path.split("\\")[-1].strip("."))
# The lab applies the Windows password policy (15118): upper case, lower case and a digit make any value complex enough; 10
# characters or more, so that module_runner checks no output holds it.
PASSWORDS = HOSTILE.map(lambda value: (value[:MAX_PASSWORD - 3] + "Aa1").rjust(10, "x"))
POSITIONS = st.integers(min_value=0, max_value=MAX_NAME)
Sent = collections.namedtuple("Sent", "kind procedure text shape identifiers literals parameters")


def tagged(value, at):
    """*value* made unique in the lab: a tag of TAG characters inserted at *at* (modulo its length)."""
    at %= len(value) + 1
    return value[:at] + uuid.uuid4().hex[:TAG] + value[at:]


def bracketed(name):
    """``[name]`` with ``]`` doubled: the tests' own quoting, to set the lab up without the collection's."""
    return "[%s]" % name.replace("]", "]]")


def unicode_literal(value):
    """``N'value'`` with ``'`` doubled: the tests' own literal."""
    return "N'%s'" % value.replace("'", "''")


def read_statement(text):
    """(shape, identifiers, literals) of a T-SQL statement: each [...] and N'...' read the T-SQL way and left out of the shape,
    where it is ``[]`` or ``N''`` (``[`` or ``N'`` alone when it does not end)."""
    shape, identifiers, literals, at = [], [], [], 0
    while at < len(text):
        if text[at] == "[":
            value, at, closed = read_delimited(text, at + 1, "]")
            identifiers.append(value)
            shape.append("[]" if closed else "[")
        elif text.startswith("N'", at):
            value, at, closed = read_delimited(text, at + 2, "'")
            literals.append(value)
            shape.append("N''" if closed else "N'")
        else:
            shape.append(text[at])
            at += 1
    return "".join(shape), identifiers, literals


def sent(client):
    """What the modules' sessions sent since the log was cleared, each request read (read_statement) with its string parameters."""
    found = []
    for row in client.execute("requests", "EXEC drkit_lab.requests").rows:
        if row["application"] != MODULE_APPLICATION:
            continue
        shape, identifiers, literals = read_statement(row["text"] or "")
        strings = [parameter["value"] for parameter in json.loads(row["parameters"]) if isinstance(parameter["value"], str)]
        found.append(Sent(row["kind"], row["procedure"], row["text"], shape, identifiers, literals, strings))
    return found


def clear(client):
    """Empty the lab's request log."""
    client.execute("clear_requests", "EXEC drkit_lab.clear_requests")


class Plain(object):
    """What a scenario sends with plain values: the statements' shapes and the constant parameters (those holding no plain value)."""

    def __init__(self, requests, marker):
        self.shapes = set(request.shape for request in requests)
        self.constants = set(value for request in requests for value in request.parameters if marker not in value)


def assert_nothing_but_data(requests, plain, names=(), literals=(), values=()):
    """Every request has a plain run's shape, holds no identifier but *names* and no literal but *literals*, and has no string
    parameter but *values* (strings or patterns) and the plain run's constants."""
    for request in requests:
        assert request.shape in plain.shapes, "a value changed the structure of a statement (%s): %r" % (request.procedure or "batch", request.text)
        for identifier in request.identifiers:
            assert identifier in names, "the identifier %r of %r is no name the task gave" % (identifier, request.text)
        for literal in request.literals:
            assert literal in literals, "the literal %r of %r is no value the task gave" % (literal, request.text)
        for value in request.parameters:
            assert value in plain.constants or any(_matches(expected, value) for expected in values), \
                "the parameter %r of %r is no value the task gave" % (value, request.text)


def assert_arrived(requests, names=(), literals=(), values=()):
    """Each of *names* arrived as an identifier, each of *literals* as a literal, each of *values* as a parameter."""
    identifiers = set(identifier for request in requests for identifier in request.identifiers)
    given = set(literal for request in requests for literal in request.literals)
    parameters = [value for request in requests for value in request.parameters]
    assert set(names) <= identifiers, "names that never arrived as identifiers: %r" % (set(names) - identifiers)
    assert set(literals) <= given, "values that never arrived as literals"
    for expected in values:
        assert any(_matches(expected, value) for value in parameters), "a value that never arrived as a parameter: %r" % (expected,)


def _matches(expected, value):
    return expected.fullmatch(value) is not None if isinstance(expected, re.Pattern) else expected == value


def backup_file(directory, set_id, database):
    """The file the set *set_id* holds *database* in."""
    return "%s\\%s__%s.bak" % (directory.rstrip("\\"), set_id, _NOT_IN_FILE_NAMES.sub("_", database))


def safety_file(directory, database):
    """The safety backup a restore takes first: its set id holds the time of the run."""
    return re.compile(re.escape("%s\\safety-" % directory.rstrip("\\")) + r"\d{8}T\d{6}Z"
                      + re.escape("__%s.bak" % _NOT_IN_FILE_NAMES.sub("_", database)))


class Lab(object):
    """The lab as the scenarios use it: module options, a connection of the tests' own, new directories of the SQL Server's disks
    and of the controller."""

    def __init__(self, lab, lab_state_dir, client, controller):
        self.lab, self.client, self.controller = lab, client, controller
        self.sql_root = os.path.join(lab_state_dir, "sql_server")

    def options(self, **extra):
        """A module's options: the lab's SQL Server connection and *extra*."""
        return dict(self.lab["drkit_lab_sql"], **extra)

    def create_databases(self, *names):
        for name in names:
            self.client.execute("create_database", "CREATE DATABASE %s" % bracketed(name))

    def make_directory(self, windows_path):
        """Make *windows_path* exist on the lab SQL Server's disks, as the modules require of backup_directory."""
        os.makedirs(volume_path(self.sql_root, windows_path), exist_ok=True)

    def manifests(self):
        """A new, empty directory of the controller for manifests."""
        return str(self.controller.mktemp("manifests"))


@pytest.fixture(scope="module")
def client(lab):
    """The tests' own connection to the lab's SQL Server (application "drkit.microsoft tests", left out of sent())."""
    connected = SqlClient(sql_params(lab))
    yield connected
    connected.close()


@pytest.fixture(scope="module")
def env(lab, lab_state_dir, client, tmp_path_factory):
    """The lab as the scenarios use it (Lab)."""
    return Lab(lab, lab_state_dir, client, tmp_path_factory)


@pytest.fixture(scope="module")
def plain(env):
    """Plain(...) of a scenario, run once with plain values (each holding a marker)."""
    marker = "plain%s" % uuid.uuid4().hex[:6]
    runs = {}

    def of(scenario, **values):
        if scenario not in runs:
            plain_values = dict((name, value.replace("plain", marker)) for name, value in values.items())
            runs[scenario] = Plain(scenario(env, **plain_values)[1], marker)
        return runs[scenario]
    return of


def backup_set_round_trip(env, first, second, directory):
    """sql_backup_set takes a set of databases *first* and *second* into *directory*, then restores it (safety backups in
    *directory* too); (the module runs, what they sent, the set id)."""
    env.create_databases(first, second)
    env.make_directory(directory)
    manifests, set_id = env.manifests(), "inj-%s" % uuid.uuid4().hex[:8]
    clear(env.client)
    options = env.options(databases=[first, second], backup_directory=directory, manifest_directory=manifests, backup_set_id=set_id)
    taken = run_module("sql_backup_set", options)
    restored = run_module("sql_backup_set", dict(options, state="restored", databases=None))
    return (taken, restored), sent(env.client), set_id


@PROPERTY
@given(first=NAMES, second=NAMES, directory=DIRECTORIES, at=st.tuples(POSITIONS, POSITIONS))
def test_database_names_and_a_backup_directory_reach_a_backup_set_and_its_restore_as_data(env, plain, first, second, directory, at):
    first, second = tagged(first, at[0]), tagged(second, at[1])
    runs, requests, set_id = backup_set_round_trip(env, first, second, directory)
    files = [backup_file(directory, set_id, name) for name in (first, second)]
    values = [first, second] + files + [safety_file(directory, name) for name in (first, second)]
    shapes = plain(backup_set_round_trip, first="plain_a", second="plain_b", directory="C:\\Backups\\plain")
    assert_nothing_but_data(requests, shapes, names=(first, second), values=values)
    for run in runs:
        assert not run.failed and run["changed"], run.result
    assert [(d["name"], d["file"]) for d in runs[0]["backup_set"]["databases"]] == list(zip((first, second), files))
    assert_arrived(requests, names=(first, second), values=values)


def rms_round_trip(env, config, logging, directory, message):
    """rms_backup takes a set of *config* and *logging* into *directory* while master holds *message*, the message is dropped,
    and the set restored (which adds it again); (the module runs, what they sent, the set id, the message's number)."""
    env.create_databases(config, logging)
    env.make_directory(directory)
    number = 50001 + uuid.uuid4().int % 2000000000
    env.client.execute("add_message", "EXEC sp_addmessage @msgnum = ?, @severity = ?, @msgtext = ?, @lang = ?", (number, 16, message, "us_english"))
    set_id = "inj-%s" % uuid.uuid4().hex[:8]
    options = env.options(config_database=config, logging_database=logging, backup_directory=directory, manifest_directory=env.manifests(),
                          backup_set_id=set_id, rms_version="10.0.20348")
    try:
        clear(env.client)
        taken = run_module("rms_backup", options)
        drop_message(env.client, number)
        restored = run_module("rms_backup", dict(options, state="restored"))
        return (taken, restored), sent(env.client), set_id, number
    finally:
        drop_message(env.client, number)


def user_messages(client):
    return client.execute("messages", "SELECT message_id, language_id, severity, is_event_logged, text FROM sys.messages "
                                      "WHERE message_id > 50000 ORDER BY message_id, language_id").rows


def drop_message(client, number):
    """Drop message *number* in every language if master has it (a failed run may not have put it back)."""
    if any(row["message_id"] == number for row in user_messages(client)):
        client.execute("drop_message", "EXEC sp_dropmessage @msgnum = ?, @lang = ?", (number, "all"))


@PROPERTY
@given(config=NAMES, logging=NAMES, directory=DIRECTORIES, message=MESSAGES, at=st.tuples(POSITIONS, POSITIONS))
def test_rms_database_names_a_backup_directory_and_a_message_reach_an_rms_set_and_its_restore_as_data(
        env, plain, config, logging, directory, message, at):
    config, logging = tagged(config, at[0]), tagged(logging, at[1])
    runs, requests, set_id, number = rms_round_trip(env, config, logging, directory, message)
    files = [backup_file(directory, set_id, name) for name in (config, logging)]
    values = [config, logging, message] + files + [safety_file(directory, name) for name in (config, logging)]
    shapes = plain(rms_round_trip, config="plain_config", logging="plain_logging", directory="C:\\Backups\\plain", message="plain message")
    assert_nothing_but_data(requests, shapes, names=(config, logging), values=values)
    for run in runs:
        assert not run.failed and run["changed"], run.result
    [item] = [m for m in runs[0]["backup_set"]["messages"]["items"] if m["message_id"] == number]
    assert item["text"] == message
    assert "%d (us_english)" % number in [action["target"] for action in runs[1]["plan"] if action["action"] == "add_user_message"]
    assert_arrived(requests, names=(config, logging), values=values)


def key_round_trip(env, directory, password, database, symmetric_key, asymmetric_key):
    """orchestrator_smk backs the service master key up to *directory* with *password*, compares it while the keys of
    *database* (named *symmetric_key* and *asymmetric_key*) open; the instance gets a new service master key, under which they
    do not open, and the backed-up key is restored with *password* and compared again; (the module runs, what they sent, the
    key file)."""
    for statement in ("CREATE DATABASE %s" % bracketed(database), "USE %s" % bracketed(database),
                      "CREATE MASTER KEY ENCRYPTION BY PASSWORD = %s" % unicode_literal("Dmk-Pa55word!"),
                      "CREATE ASYMMETRIC KEY %s WITH ALGORITHM = RSA_2048" % bracketed(asymmetric_key),
                      "CREATE SYMMETRIC KEY %s WITH ALGORITHM = AES_256 ENCRYPTION BY ASYMMETRIC KEY %s"
                      % (bracketed(symmetric_key), bracketed(asymmetric_key)),
                      "USE master"):
        env.client.execute("setup", statement)
    env.make_directory(directory)
    backup_id = "inj-%s" % uuid.uuid4().hex[:8]
    options = env.options(backup_directory=directory, manifest_directory=env.manifests(), backup_id=backup_id, key_password=password,
                          database=database, symmetric_key=symmetric_key, asymmetric_key=asymmetric_key)
    clear(env.client)
    backed_up = run_module("orchestrator_smk", options)
    compared = run_module("orchestrator_smk", dict(options, state="compared", key_password=None))
    env.client.execute("replace_smk", "EXEC drkit_lab.replace_service_master_key")
    restored = run_module("orchestrator_smk", dict(options, state="restored", confirm_shared_instance=True))
    compared_again = run_module("orchestrator_smk", dict(options, state="compared", key_password=None))
    return (backed_up, compared, restored, compared_again), sent(env.client), "%s\\%s.smk" % (directory.rstrip("\\"), backup_id)


@PROPERTY
@given(directory=DIRECTORIES, password=PASSWORDS, database=NAMES, symmetric_key=NAMES, asymmetric_key=NAMES,
       at=st.tuples(POSITIONS, POSITIONS, POSITIONS))
def test_a_key_password_a_directory_and_key_names_reach_a_key_backup_comparison_and_restore_as_data(
        env, plain, directory, password, database, symmetric_key, asymmetric_key, at):
    database, symmetric_key, asymmetric_key = tagged(database, at[0]), tagged(symmetric_key, at[1]), tagged(asymmetric_key, at[2])
    # Ansible masks the password wherever it appears in a result: in another value it would change what the test compares.
    assume(all(password not in value for value in (directory, database, symmetric_key, asymmetric_key)))
    runs, requests, key_file = key_round_trip(env, directory, password, database, symmetric_key, asymmetric_key)
    names, literals = (database, symmetric_key, asymmetric_key), (key_file, password)
    shapes = plain(key_round_trip, directory="C:\\Backups\\plain", password="plain-Passw0rd", database="plain_db",
                   symmetric_key="plain_sym", asymmetric_key="plain_asym")
    assert_nothing_but_data(requests, shapes, names=names, literals=literals, values=[database])
    backed_up, compared, restored, compared_again = runs
    for run in runs:
        assert not run.failed, run.result
    assert backed_up["changed"] and backed_up["backup"]["file"] == key_file
    # The keys open by the names given, and the key file opens with the password given: each arrived as it was.
    assert (compared["matches"], compared["data_opens"]) == (True, True)
    assert restored["changed"] and restored["data_opens"] is False
    assert (compared_again["matches"], compared_again["data_opens"]) == (True, True)
    assert_arrived(requests, names=names, literals=literals, values=[database])
    # The password travels in the two key statements only, as a literal (T-SQL takes no parameter there), never as a parameter.
    assert [(request.kind, request.shape) for request in requests if password in request.literals] == [
        ("batch", "BACKUP SERVICE MASTER KEY TO FILE = N'' ENCRYPTION BY PASSWORD = N''"),
        ("batch", "RESTORE SERVICE MASTER KEY FROM FILE = N'' DECRYPTION BY PASSWORD = N''")]
    assert all(password not in value for request in requests for value in request.parameters)


@FEW
@given(config=HOSTILE)
def test_the_rms_set_list_sends_nothing_to_sql_server(env, config):
    clear(env.client)
    listed = run_module("rms_backup_info", {"manifest_directory": env.manifests(), "config_database": config})
    assert not listed.failed and listed["backup_sets"] == [], listed.result
    assert sent(env.client) == []


# Values no rule lets through: each holds a character outside set ids, versions and Windows directories.
BROKEN = st.tuples(HOSTILE, st.sampled_from("'\"`$;[]{}|&<>*?"), HOSTILE).map("".join)
# What the directory rule refuses: a character Windows refuses in a path, no drive or share, '..', more than 200 characters.
BAD_DIRECTORIES = st.one_of(st.tuples(HOSTILE, st.sampled_from('*?"<>|/:'), HOSTILE).map(lambda parts: "C:\\Backups\\" + "".join(parts)),
                            HOSTILE.map(lambda value: "Backups\\" + value), COMPONENTS.map(lambda value: "C:\\Backups\\..\\" + value),
                            COMPONENTS.map(lambda value: ("C:\\Backups\\" + value * (MAX_DIRECTORY // len(value) + 1))[:MAX_DIRECTORY + 1]))
PASSWORD = "Refusal-Passw0rd"


def rms_options(env, **options):
    """rms_backup's options: a valid backup request but for what *options* break."""
    return env.options(**dict(dict(config_database="DRMS_Config_x", backup_directory="C:\\Backups", manifest_directory=env.manifests(),
                                   rms_version="10.0.20348"), **options))


def set_options(env, **options):
    """sql_backup_set's options: a valid backup request but for what *options* break."""
    return env.options(**dict(dict(databases=["Orchestrator"], backup_directory="C:\\Backups", manifest_directory=env.manifests()), **options))


def key_options(env, **options):
    """orchestrator_smk's options: a valid key backup request but for what *options* break."""
    return env.options(**dict(dict(backup_directory="C:\\Backups", manifest_directory=env.manifests(), key_password=PASSWORD), **options))


# (module, parameter the refusal must name, strategy of refused values, the task's options given one of them)
REFUSALS = {
    "rms set id": ("rms_backup", "backup_set_id", BROKEN, lambda env, value: rms_options(env, backup_set_id=value)),
    "rms set id to restore": ("rms_backup", "backup_set_id", BROKEN, lambda env, value: rms_options(env, state="restored", backup_set_id=value)),
    "rms directory": ("rms_backup", "backup_directory", BAD_DIRECTORIES, lambda env, value: rms_options(env, backup_directory=value)),
    "rms version": ("rms_backup", "rms_version", BROKEN, lambda env, value: rms_options(env, rms_version=value)),
    "set id": ("sql_backup_set", "backup_set_id", BROKEN, lambda env, value: set_options(env, backup_set_id=value)),
    "set id to verify": ("sql_backup_set", "backup_set_id", BROKEN, lambda env, value: set_options(env, state="verified", backup_set_id=value)),
    "set directory": ("sql_backup_set", "backup_directory", BAD_DIRECTORIES, lambda env, value: set_options(env, backup_directory=value)),
    "safety directory": ("sql_backup_set", "backup_directory", BAD_DIRECTORIES,
                         lambda env, value: set_options(env, state="restored", backup_directory=value)),
    "key backup id": ("orchestrator_smk", "backup_id", BROKEN, lambda env, value: key_options(env, backup_id=value)),
    "key backup id to restore": ("orchestrator_smk", "backup_id", BROKEN, lambda env, value: key_options(env, state="restored", backup_id=value)),
    "key directory": ("orchestrator_smk", "backup_directory", BAD_DIRECTORIES, lambda env, value: key_options(env, backup_directory=value)),
}


@pytest.mark.parametrize("field", sorted(REFUSALS))
@FEW
@given(data=st.data())
def test_values_a_rule_refuses_are_refused_naming_the_parameter_before_anything_is_sent(env, field, data):
    module, parameter, values, options = REFUSALS[field]
    value = data.draw(values, label=parameter)
    clear(env.client)
    refused = run_module(module, options(env, value))
    assert refused.failed and refused["step"] == "validate_parameters" and refused["target"] == parameter, refused.result
    assert sent(env.client) == []


# A name SQL Server cannot hold (over 128 characters, or with NUL) is refused, naming the parameter, before anything is sent.
OVER_LONG = ("]'; --$(x)`\U0001f600" * 20)[:MAX_NAME + 1]
SYSNAME_REFUSALS = [
    pytest.param("sql_backup_set", "databases", lambda env: set_options(env, databases=[OVER_LONG]), id="set-database-over-128"),
    pytest.param("sql_backup_set", "databases", lambda env: set_options(env, databases=["a\x00b"]), id="set-database-with-nul"),
    pytest.param("rms_backup", "config_database", lambda env: rms_options(env, config_database=OVER_LONG), id="rms-config-over-128"),
    pytest.param("rms_backup", "logging_database", lambda env: rms_options(env, config_database="master", logging_database=OVER_LONG),
                 id="rms-logging-over-128"),
    pytest.param("orchestrator_smk", "database", lambda env: key_options(env, state="compared", key_password=None, database=OVER_LONG,
                                                                         manifest_directory=key_backup(env)), id="smk-database-over-128"),
    pytest.param("orchestrator_smk", "symmetric_key", lambda env: key_options(env, state="compared", key_password=None, database="master",
                                                                              symmetric_key=OVER_LONG, manifest_directory=key_backup(env)),
                 id="smk-symmetric-key-over-128"),
]


def key_backup(env):
    """A directory of the controller holding a key backup (taken now), for the states that compare or restore one."""
    options = key_options(env, backup_id="inj-%s" % uuid.uuid4().hex[:8])
    taken = run_module("orchestrator_smk", options)
    assert not taken.failed, taken.result
    return options["manifest_directory"]


@pytest.mark.parametrize("module,parameter,options", SYSNAME_REFUSALS)
def test_names_sql_server_cannot_hold_are_refused_before_anything_is_sent(env, module, parameter, options):
    given_options = options(env)
    clear(env.client)
    refused = run_module(module, given_options)
    assert refused.failed and refused["step"] == "validate_parameters" and refused["target"] == parameter, refused.result
    assert sent(env.client) == [], "SQL Server was sent requests before the refusal: %r" % [request.text for request in sent(env.client)]


def test_the_request_log_records_batches_and_rpc_calls_as_received_but_not_the_lab_s_own_procedures(env, lab):
    value = "x']; --$(y)`\U0001f600"
    module_client = SqlClient(sql_params(lab, application_name=MODULE_APPLICATION))
    try:
        clear(env.client)
        module_client.execute("print", "PRINT %s" % unicode_literal(value))
        module_client.execute("select", "SELECT ? AS v", (value,))
        module_client.execute("digest", "EXEC drkit_lab.database_digest @database = ?", ("master",))
        requests = [request for request in sent(env.client) if not request.text.startswith("sp_datatype_info")]
        assert [(r.kind, r.procedure, r.text, r.literals, r.parameters) for r in requests] == [
            ("batch", None, "PRINT %s" % unicode_literal(value), [value], []),
            ("rpc", "sp_prepexec", "SELECT @P1 AS v", [], [value]), ("rpc", "sp_unprepare", "SELECT @P1 AS v", [], [])]
        clear(env.client)
        assert sent(env.client) == []
    finally:
        module_client.close()


def test_the_request_log_keeps_the_newest_entries():
    log = RequestLog(size=2)
    session = collections.namedtuple("Session", "spid application")(51, MODULE_APPLICATION)
    for number in range(3):
        log.batch(session, "PRINT %d" % number)
    log.batch(session, "EXEC drkit_lab.clear_faults")
    assert [(entry["id"], entry["text"]) for entry in log.entries()] == [(2, "PRINT 1"), (3, "PRINT 2")]
