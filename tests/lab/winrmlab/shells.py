"""The Windows Remote Shells of one host: shells per account, their commands, stdin as it arrives,
output handed out in envelope-sized pieces, and the executor that decides what a command does.

A command runs, through the executor, once its input is complete: when a Send with End="true"
arrives, or at the first Receive when no Send came before it (the command then gets no stdin).
A Receive for a command whose stdin is still open waits, up to its OperationTimeout, for the
Send that ends it. The executor is called outside the table's lock, in the thread of the
request that completed the input; what it raises becomes a fault of that request and of every
later Receive of the command.
"""
import sys
import threading
import traceback
import uuid
from dataclasses import dataclass

from winrmlab import errors

# winrm/config/winrs MaxShellsPerUser's default.
MAX_SHELLS_PER_USER = 30
# cmd.exe refuses a longer line; CreateProcess takes 32767 characters with the terminating NUL.
CMD_LINE_LIMIT = 8191
CREATE_PROCESS_LINE_LIMIT = 32766
CMD_LINE_TOO_LONG = b"The command line is too long.\r\n"


@dataclass(frozen=True)
class CommandRequest:
    """What the executor is asked to run, and by whom."""

    host_name: str
    account: str
    auth_scheme: str
    command: str
    arguments: tuple
    raw_arguments: str
    stdin: bytes
    environment: dict


@dataclass(frozen=True)
class CommandResult:
    stdout: bytes
    stderr: bytes
    exit_code: int


@dataclass(frozen=True)
class Output:
    """One Receive's share of a command's output: (name, data, ended) per stream, and the exit code
    once both streams have ended (None while the command still has output or has not run)."""

    streams: tuple
    exit_code: object


class _Command:
    def __init__(self, command_id, identity, command, arguments, skip_cmd_shell):
        self.id, self.identity, self.command, self.arguments = command_id, identity, command, arguments
        self.stdin = bytearray()
        self.stdin_started = self.stdin_closed = False
        self.running = self.forgotten = False
        self.result = self.failure = None
        self.delivered = {"stdout": 0, "stderr": 0}
        self.ended = {"stdout": False, "stderr": False}
        line_length = len(command) + (1 + len(" ".join(arguments)) if arguments else 0)
        if line_length > CREATE_PROCESS_LINE_LIMIT:
            raise errors.command_line_too_long_for_create_process()
        if not skip_cmd_shell and line_length > CMD_LINE_LIMIT:
            # cmd.exe starts, says so and exits: the command has run without the executor.
            self.result = CommandResult(b"", CMD_LINE_TOO_LONG, 1)

    def take_output(self, capacity):
        """The next at most *capacity* bytes of stdout then stderr, marking the streams that end."""
        streams = []
        for name, data in (("stdout", self.result.stdout), ("stderr", self.result.stderr)):
            start = self.delivered[name]
            chunk = data[start:start + capacity]
            capacity -= len(chunk)
            self.delivered[name] += len(chunk)
            ends_now = self.delivered[name] == len(data) and not self.ended[name]
            self.ended[name] = self.ended[name] or ends_now
            streams.append((name, chunk, ends_now))
        done = self.ended["stdout"] and self.ended["stderr"]
        return Output(tuple(streams), self.result.exit_code if done else None)


class _Shell:
    def __init__(self, shell_id, owner, environment):
        self.id, self.owner, self.environment = shell_id, owner, environment
        self.commands = {}


class ShellTable:
    def __init__(self, host_name, executor):
        self.host_name = host_name
        self._executor = executor
        self._lock = threading.Lock()
        # Signalled when a command's result, failure or end arrives, for the Receives that wait.
        self._changed = threading.Condition(self._lock)
        self._shells = {}

    def create(self, account, environment):
        """A new shell of *account*; its ShellId."""
        with self._lock:
            if sum(shell.owner == account for shell in self._shells.values()) >= MAX_SHELLS_PER_USER:
                raise errors.max_shells_exceeded(MAX_SHELLS_PER_USER)
            shell = _Shell(str(uuid.uuid4()).upper(), account, dict(environment))
            self._shells[shell.id] = shell
            return shell.id

    def delete(self, account, shell_id):
        with self._changed:
            shell = self._shell(account, shell_id)
            del self._shells[shell_id]
            for command in shell.commands.values():
                command.forgotten = True
            self._changed.notify_all()

    def start(self, identity, shell_id, command, arguments, skip_cmd_shell):
        """A new command of the shell; its CommandId. Nothing runs until its input is complete."""
        with self._lock:
            shell = self._shell(identity.account, shell_id)
            started = _Command(str(uuid.uuid4()).upper(), identity, command, arguments, skip_cmd_shell)
            shell.commands[started.id] = started
            return started.id

    def send(self, account, shell_id, command_id, data, end):
        """Append *data* to the command's stdin; with *end*, run the command."""
        with self._lock:
            shell, command = self._command(account, shell_id, command_id)
            if command.stdin_closed:
                raise errors.stdin_closed(command_id)
            command.stdin_started = True
            command.stdin += data
            command.stdin_closed = end
            # A command cmd.exe refused already has its result: its input goes nowhere.
            if not end or command.result is not None:
                return
            command.running = True
            request = self._request(shell, command)
        self._execute(command, request)

    def receive(self, account, shell_id, command_id, timeout, capacity):
        """The command's next Output, at most *capacity* bytes; waits up to *timeout* seconds for a
        command whose stdin is still open to get its end and run."""
        with self._lock:
            shell, command = self._command(account, shell_id, command_id)
            run_now = command.result is None and not command.running and not command.stdin_started
            if run_now:
                command.stdin_closed = command.running = True
                request = self._request(shell, command)
        if run_now:
            self._execute(command, request)
        with self._changed:
            if not self._changed.wait_for(lambda: command.forgotten or command.result is not None or command.failure is not None, timeout):
                raise errors.operation_timed_out()
            if command.forgotten:
                raise errors.command_not_found(command_id)
            if command.failure is not None:
                raise errors.provider_failure(command.failure)
            return command.take_output(capacity)

    def forget(self, account, shell_id, command_id):
        """Drop the command (Signal terminate): later requests for it fail."""
        with self._changed:
            shell, command = self._command(account, shell_id, command_id)
            del shell.commands[command_id]
            command.forgotten = True
            self._changed.notify_all()

    def _shell(self, account, shell_id):
        # Another account's shell is as unknown to a user as a closed one.
        shell = self._shells.get(shell_id.upper())
        if shell is None or shell.owner != account:
            raise errors.shell_not_found(shell_id)
        return shell

    def _command(self, account, shell_id, command_id):
        shell = self._shell(account, shell_id)
        command = shell.commands.get(command_id.upper())
        if command is None:
            raise errors.command_not_found(command_id)
        return shell, command

    def _request(self, shell, command):
        return CommandRequest(host_name=self.host_name, account=command.identity.account, auth_scheme=command.identity.scheme,
                              command=command.command, arguments=command.arguments, raw_arguments=" ".join(command.arguments),
                              stdin=bytes(command.stdin), environment=dict(shell.environment))

    def _execute(self, command, request):
        try:
            result = self._executor.execute(request)
            outcome = CommandResult(bytes(result.stdout), bytes(result.stderr), int(result.exit_code))
        except Exception as error:  # pylint: disable=broad-except  # whatever the executor raises is its bug, not the server's
            traceback.print_exc(file=sys.stderr)
            failure = "%s: %s" % (type(error).__name__, error)
            with self._changed:
                command.failure, command.running = failure, False
                self._changed.notify_all()
            raise errors.provider_failure(failure) from error
        with self._changed:
            command.result, command.running = outcome, False
            self._changed.notify_all()
