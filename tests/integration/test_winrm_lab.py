"""The lab's WinRM endpoint (tests/lab/winrmlab) driven by the real pywinrm client over HTTPS:
Basic and NTLM with channel binding, the shell and command lifecycle, stdin and output larger
than one envelope, cmd.exe's line limit, WS-Management faults as pywinrm parses them, and
injected faults. Each test runs its own server in this process, with a fake executor."""
import threading
import time
import uuid
from types import SimpleNamespace

import pytest
import requests
import xmltodict
from winrm.exceptions import InvalidCredentialsError, WinRMOperationTimeoutError, WinRMTransportError, WSManFaultError
from winrm.protocol import Protocol

from labframe.faults import Faults
from labframe.tls import create_tls_files
from labframe.requestlog import RequestLog
from winrmlab.server import WinRMServer, serve_hosts, shutdown_hosts
from winrmlab.shells import CommandRequest, CommandResult

HOST = "MABS01.contoso.com"
USERS = {"CONTOSO\\backupadmin": "Backup-Passw0rd!", "localadmin": "Local-Passw0rd!"}
DOMAIN_ADMIN = ("CONTOSO\\backupadmin", USERS["CONTOSO\\backupadmin"])
LOCAL_ADMIN = ("localadmin", USERS["localadmin"])
BIG_OUTPUT = bytes(range(256)) * (2 * 1000 * 1000 // 256)
PYWINRM_MAX_ENVELOPE = 153600


class FakeExecutor:
    """Answers stdin reversed on stdout and the command line on stderr, exit code 3; "big" writes
    BIG_OUTPUT, "explode" raises. Keeps every request it gets."""

    def __init__(self):
        self.requests = []

    def execute(self, request):
        self.requests.append(request)
        if request.command == "explode":
            raise RuntimeError("the executor broke")
        if request.command == "big":
            return CommandResult(BIG_OUTPUT, b"", 0)
        return CommandResult(request.stdin[::-1], ("%s %s" % (request.command, request.raw_arguments)).encode(), 3)


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return create_tls_files(str(tmp_path_factory.mktemp("winrm-tls")))


@pytest.fixture
def winrm(tls):
    """A WinRM endpoint of HOST on a free port, its executor, faults and request log."""
    executor, faults, request_log = FakeExecutor(), Faults(), RequestLog()
    server = WinRMServer(0, tls.server_cert, tls.server_key, HOST, USERS, executor, faults, request_log)
    # A short poll interval makes the shutdown at teardown quick.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield SimpleNamespace(endpoint="https://127.0.0.1:%d/wsman" % server.server_address[1], ca=tls.ca_cert, executor=executor,
                          faults=faults, log=request_log)
    server.shutdown()
    server.server_close()


def client(winrm, username, password, transport="ntlm", **options):
    return Protocol(winrm.endpoint, transport=transport, username=username, password=password, ca_trust_path=winrm.ca,
                    server_cert_validation="validate", proxy=None, **options)


def run(protocol, command, arguments=(), stdin=None, **options):
    """(stdout, stderr, exit code) of *command* in a new shell, with *stdin* sent at once when given."""
    shell_id = protocol.open_shell()
    command_id = protocol.run_command(shell_id, command, arguments, **options)
    if stdin is not None:
        protocol.send_command_input(shell_id, command_id, stdin, end=True)
    result = protocol.get_command_output(shell_id, command_id)
    protocol.cleanup_command(shell_id, command_id)
    protocol.close_shell(shell_id, close_session=False)
    return result


def operations(winrm, status=None):
    return [entry["operation"] for entry in winrm.log.entries() if status is None or entry["status"] == status]


def test_a_command_runs_with_basic_authentication_from_shell_to_cleanup(winrm):
    protocol = client(winrm, *LOCAL_ADMIN, transport="basic")
    shell_id = protocol.open_shell(env_vars={"LAB_VAR": "x y"}, codepage=65001)
    command_id = protocol.run_command(shell_id, "sort", ["/R", "C:\\Program Files\\x.txt"])
    protocol.send_command_input(shell_id, command_id, b"hello ", end=False)
    protocol.send_command_input(shell_id, command_id, b"world", end=True)
    assert protocol.get_command_output(shell_id, command_id) == (b"dlrow olleh", b"sort /R C:\\Program Files\\x.txt", 3)
    protocol.cleanup_command(shell_id, command_id)
    protocol.close_shell(shell_id)

    assert winrm.executor.requests == [CommandRequest(host_name=HOST, account="localadmin", auth_scheme="basic", command="sort",
                                                      arguments=("/R C:\\Program Files\\x.txt",), raw_arguments="/R C:\\Program Files\\x.txt",
                                                      stdin=b"hello world", environment={"LAB_VAR": "x y"})]
    assert operations(winrm, status=200) == ["create_shell", "command", "send", "send", "receive", "signal", "delete_shell"]
    created = winrm.log.entries()[0]
    assert (created["host"], created["account"], created["auth_scheme"], created["codepage"]) == (HOST, "localadmin", "basic", "65001")
    assert all(entry["bytes_in"] > 0 and entry["bytes_out"] > 0 for entry in winrm.log.entries())


def test_a_command_without_stdin_runs_at_the_first_receive(winrm):
    assert run(client(winrm, *DOMAIN_ADMIN), "hostname") == (b"", b"hostname ", 3)
    assert winrm.executor.requests[0].stdin == b"" and winrm.executor.requests[0].arguments == ()


@pytest.mark.parametrize("transport, username, account", [("ntlm", "CONTOSO\\backupadmin", "CONTOSO\\backupadmin"),
                                                          ("ntlm", "contoso\\BackupAdmin", "CONTOSO\\backupadmin"),
                                                          ("ntlm", "backupadmin@contoso.com", "CONTOSO\\backupadmin"),
                                                          ("ntlm", "localadmin", "localadmin"),
                                                          ("basic", "localadmin", "localadmin"),
                                                          ("basic", "LocalAdmin", "localadmin")])
def test_an_account_authenticates_by_any_of_its_names(winrm, transport, username, account):
    password = USERS[account]
    assert run(client(winrm, username, password, transport), "whoami", stdin=b"ab") == (b"ba", b"whoami ", 3)
    request = winrm.executor.requests[0]
    assert (request.account, request.auth_scheme) == (account, transport)


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
@pytest.mark.parametrize("username, password", [("CONTOSO\\backupadmin", "wrong"), ("FABRIKAM\\backupadmin", USERS["CONTOSO\\backupadmin"]),
                                                ("backupadmin", USERS["CONTOSO\\backupadmin"]), ("nobody", "x")])
def test_wrong_credentials_are_refused(winrm, transport, username, password):
    with pytest.raises(InvalidCredentialsError):
        client(winrm, username, password, transport).open_shell()
    assert operations(winrm, status=200) == []


@pytest.mark.parametrize("username", ["CONTOSO\\backupadmin", "backupadmin@contoso.com"])
def test_basic_authentication_refuses_a_domain_account_as_winrm_does(winrm, username):
    with pytest.raises(InvalidCredentialsError):
        client(winrm, username, USERS["CONTOSO\\backupadmin"], "basic").open_shell()


def test_ntlm_authenticates_a_connection_once(winrm):
    protocol = client(winrm, *DOMAIN_ADMIN, transport="ntlm")
    shell_id = protocol.open_shell()
    for _round in range(3):
        command_id = protocol.run_command(shell_id, "echo")
        protocol.get_command_output(shell_id, command_id)
        protocol.cleanup_command(shell_id, command_id)
    protocol.close_shell(shell_id)
    entries = winrm.log.entries()
    # The handshake: the request without credentials, then NEGOTIATE, each answered 401; AUTHENTICATE then goes through.
    assert [entry["status"] for entry in entries[:3]] == [401, 401, 200]
    assert len(entries) == 2 + 1 + 3 * 3 + 1
    assert all(entry["status"] == 200 and entry["auth_scheme"] == "ntlm" for entry in entries[2:])

    # A new connection (close_shell closed the session) authenticates again.
    client(winrm, *DOMAIN_ADMIN, transport="ntlm").open_shell()
    assert [entry["status"] for entry in winrm.log.entries()[len(entries):]] == [401, 401, 200]


def test_ntlm_without_channel_binding_is_refused(winrm):
    with pytest.raises(InvalidCredentialsError):
        client(winrm, *DOMAIN_ADMIN, transport="ntlm", send_cbt=False).open_shell()


def test_an_unauthenticated_request_is_offered_negotiate_and_basic(winrm):
    answer = requests.post(winrm.endpoint, data=b"<x/>", verify=winrm.ca, timeout=10)
    assert answer.status_code == 401 and answer.content == b""
    assert answer.headers["WWW-Authenticate"] == 'Negotiate, Basic realm="WSMAN"'
    assert requests.get(winrm.endpoint, verify=winrm.ca, timeout=10).status_code == 405
    assert requests.post(winrm.endpoint.replace("/wsman", "/other"), verify=winrm.ca, timeout=10).status_code == 404


def test_stdin_sent_in_chunks_arrives_whole(winrm):
    stdin = uuid.uuid4().bytes * (1024 * 1024 // 16)
    protocol = client(winrm, *DOMAIN_ADMIN, transport="ntlm")
    shell_id = protocol.open_shell()
    command_id = protocol.run_command(shell_id, "copy", ["con", "out.bin"])
    chunk = 100 * 1024
    for start in range(0, len(stdin), chunk):
        protocol.send_command_input(shell_id, command_id, stdin[start:start + chunk], end=start + chunk >= len(stdin))
    stdout, _stderr, _exit_code = protocol.get_command_output(shell_id, command_id)
    assert winrm.executor.requests[0].stdin == stdin and stdout == stdin[::-1]
    assert operations(winrm).count("send") == 11


def test_a_large_output_comes_back_whole_over_several_receives(winrm):
    assert run(client(winrm, *DOMAIN_ADMIN), "big") == (BIG_OUTPUT, b"", 0)
    receives = [entry for entry in winrm.log.entries() if entry["operation"] == "receive"]
    assert len(receives) > len(BIG_OUTPUT) * 4 / 3 / PYWINRM_MAX_ENVELOPE
    assert all(entry["bytes_out"] <= PYWINRM_MAX_ENVELOPE for entry in receives)
    # Chunks fill the envelope rather than leaving most of it empty.
    assert max(entry["bytes_out"] for entry in receives) > PYWINRM_MAX_ENVELOPE - 1024


def test_cmd_exe_refuses_a_line_over_8191_characters(winrm):
    protocol = client(winrm, *DOMAIN_ADMIN)
    assert run(protocol, "echo", ["x" * 9000]) == (b"", b"The command line is too long.\r\n", 1)
    assert winrm.executor.requests == []
    # Without cmd.exe the line only has CreateProcess's limit.
    assert run(protocol, "echo", ["x" * 9000], skip_cmd_shell=True)[2] == 3
    shell_id = protocol.open_shell()
    with pytest.raises(WSManFaultError) as raised:
        protocol.run_command(shell_id, "echo", ["x" * 33000], skip_cmd_shell=True)
    assert raised.value.wsman_fault_code == 0x800700CE and "too long" in raised.value.reason


def test_an_unknown_shell_is_a_wsman_fault(winrm):
    protocol = client(winrm, *DOMAIN_ADMIN)
    shell_id = str(uuid.uuid4()).upper()
    with pytest.raises(WSManFaultError) as raised:
        protocol.run_command(shell_id, "echo")
    fault = raised.value
    assert (fault.code, fault.wsman_fault_code, fault.fault_code, fault.fault_subcode) == (500, 2150858843, "s:Sender", "w:InvalidSelectors")
    assert fault.reason.startswith("The request for the Windows Remote Shell with ShellId %s failed because the shell was not found" % shell_id)
    assert 'Machine="%s"' % HOST in fault.response


@pytest.mark.parametrize("action, resource_uri, wsman_fault_code", [
    ("http://schemas.xmlsoap.org/ws/2004/09/transfer/Get", "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd", 2150858771),
    ("http://schemas.xmlsoap.org/ws/2004/09/transfer/Create", "http://schemas.microsoft.com/powershell/Microsoft.PowerShell", 2150858752)])
def test_other_actions_and_resources_are_wsman_faults(winrm, action, resource_uri, wsman_fault_code):
    protocol = client(winrm, *DOMAIN_ADMIN)
    message = {"env:Envelope": dict(protocol.build_wsman_header(action=action, resource_uri=resource_uri), **{"env:Body": {}})}
    with pytest.raises(WSManFaultError) as raised:
        protocol.send_message(xmltodict.unparse(message))
    assert raised.value.wsman_fault_code == wsman_fault_code


def test_another_account_does_not_see_a_shell(winrm):
    shell_id = client(winrm, *DOMAIN_ADMIN).open_shell()
    with pytest.raises(WSManFaultError) as raised:
        client(winrm, "localadmin", USERS["localadmin"]).close_shell(shell_id)
    assert raised.value.wsman_fault_code == 2150858843


def test_an_account_has_at_most_30_shells(winrm):
    protocol = client(winrm, *DOMAIN_ADMIN)
    shells = [protocol.open_shell() for _shell in range(30)]
    with pytest.raises(WSManFaultError) as raised:
        protocol.open_shell()
    assert (raised.value.wsman_fault_code, raised.value.fault_subcode) == (2150859173, "w:QuotaLimit")
    assert "maximum number of 30 concurrent shells" in raised.value.reason
    client(winrm, "localadmin", USERS["localadmin"]).open_shell()
    protocol.close_shell(shells[0], close_session=False)
    protocol.open_shell()


def test_a_receive_waits_for_the_end_of_stdin_then_times_out(winrm):
    protocol = client(winrm, *DOMAIN_ADMIN, operation_timeout_sec=1, read_timeout_sec=10)
    shell_id = protocol.open_shell()
    command_id = protocol.run_command(shell_id, "more")
    protocol.send_command_input(shell_id, command_id, b"first", end=False)
    started = time.monotonic()
    with pytest.raises(WinRMOperationTimeoutError):
        protocol.get_command_output_raw(shell_id, command_id)
    assert 0.9 < time.monotonic() - started < 5
    assert winrm.executor.requests == []
    protocol.send_command_input(shell_id, command_id, b" last", end=True)
    assert protocol.get_command_output(shell_id, command_id)[0] == b"tsal tsrif"


def test_a_send_ending_stdin_wakes_a_waiting_receive(winrm):
    sender = client(winrm, *DOMAIN_ADMIN)
    shell_id = sender.open_shell()
    command_id = sender.run_command(shell_id, "more")
    sender.send_command_input(shell_id, command_id, b"12", end=False)
    received = {}

    def receive():
        started = time.monotonic()
        received["output"] = client(winrm, *DOMAIN_ADMIN).get_command_output(shell_id, command_id)
        received["seconds"] = time.monotonic() - started

    receiver = threading.Thread(target=receive)
    receiver.start()
    time.sleep(0.5)
    sender.send_command_input(shell_id, command_id, b"34", end=True)
    receiver.join(15)
    assert received["output"] == (b"4321", b"more ", 3) and received["seconds"] < 5


def test_stdin_after_its_end_is_refused(winrm):
    protocol = client(winrm, *DOMAIN_ADMIN)
    shell_id = protocol.open_shell()
    command_id = protocol.run_command(shell_id, "more")
    protocol.send_command_input(shell_id, command_id, b"x", end=True)
    with pytest.raises(WSManFaultError) as raised:
        protocol.send_command_input(shell_id, command_id, b"y", end=True)
    assert raised.value.fault_subcode == "w:InvalidParameter"


def test_a_terminated_command_is_gone(winrm):
    protocol = client(winrm, *DOMAIN_ADMIN)
    shell_id = protocol.open_shell()
    command_id = protocol.run_command(shell_id, "echo")
    protocol.cleanup_command(shell_id, command_id)
    with pytest.raises(WSManFaultError) as raised:
        protocol.get_command_output(shell_id, command_id)
    assert raised.value.fault_subcode == "w:InvalidParameter" and command_id in raised.value.reason


def test_an_executor_failure_is_a_wsman_fault_and_the_server_goes_on(winrm):
    protocol = client(winrm, *DOMAIN_ADMIN)
    shell_id = protocol.open_shell()
    command_id = protocol.run_command(shell_id, "explode")
    with pytest.raises(WSManFaultError) as raised:
        protocol.get_command_output(shell_id, command_id)
    assert (raised.value.wsman_fault_code, raised.value.fault_code) == (2150858755, "s:Receiver")
    assert "RuntimeError: the executor broke" in raised.value.reason
    assert run(protocol, "echo", stdin=b"ok") == (b"ko", b"echo ", 3)


def test_an_injected_503_changes_nothing(winrm):
    winrm.faults.add({"operation": "command", "mode": "status", "status": 503, "count": 1, "retry_after": 5})
    protocol = client(winrm, *DOMAIN_ADMIN)
    shell_id = protocol.open_shell()
    with pytest.raises(WinRMTransportError) as raised:
        protocol.run_command(shell_id, "echo")
    assert raised.value.code == 503 and "Service Unavailable" in raised.value.response_text
    assert winrm.executor.requests == [] and operations(winrm, status=503) == ["command"]
    command_id = protocol.run_command(shell_id, "echo")
    assert protocol.get_command_output(shell_id, command_id) == (b"", b"echo ", 3)


def test_a_dropped_receive_loses_no_output(winrm):
    winrm.faults.add({"operation": "receive", "mode": "drop", "count": 1})
    protocol = client(winrm, *DOMAIN_ADMIN)
    shell_id = protocol.open_shell()
    command_id = protocol.run_command(shell_id, "echo")
    protocol.send_command_input(shell_id, command_id, b"abc", end=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        protocol.get_command_output(shell_id, command_id)
    assert protocol.get_command_output(shell_id, command_id) == (b"cba", b"echo ", 3)


def test_an_injected_500_is_a_wsman_fault(winrm):
    winrm.faults.add({"operation": "create_shell", "status": 500, "count": 1})
    with pytest.raises(WSManFaultError) as raised:
        client(winrm, *DOMAIN_ADMIN).open_shell()
    assert raised.value.wsman_fault_code == 2150858772


def test_a_request_over_500_kb_is_refused_with_413(winrm):
    protocol = client(winrm, *DOMAIN_ADMIN)
    shell_id = protocol.open_shell()
    command_id = protocol.run_command(shell_id, "more")
    with pytest.raises(WinRMTransportError) as raised:
        protocol.send_command_input(shell_id, command_id, b"x" * 400 * 1024, end=True)
    assert raised.value.code == 413 and winrm.executor.requests == []


def test_message_encryption_is_refused_clearly(winrm):
    with pytest.raises(WSManFaultError) as raised:
        client(winrm, *DOMAIN_ADMIN, transport="ntlm", message_encryption="always").open_shell()
    assert raised.value.code == 415 and "does not model WinRM message encryption" in raised.value.reason


def test_one_process_serves_several_hosts(tls):
    executor, request_log = FakeExecutor(), RequestLog()
    servers = serve_hosts({"MABS01.contoso.com": 0, "HV01.contoso.com": 0}, tls.server_cert, tls.server_key, USERS, executor, Faults(),
                          request_log)
    try:
        for host_name, server in servers.items():
            endpoint = SimpleNamespace(endpoint="https://127.0.0.1:%d/wsman" % server.server_address[1], ca=tls.ca_cert)
            assert run(client(endpoint, *DOMAIN_ADMIN, transport="ntlm"), "hostname", stdin=b"") == (b"", b"hostname ", 3)
            assert executor.requests[-1].host_name == host_name
    finally:
        shutdown_hosts(servers)
    assert {entry["host"] for entry in request_log.entries()} == {"MABS01.contoso.com", "HV01.contoso.com"}
