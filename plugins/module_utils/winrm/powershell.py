# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run one of the collection's PowerShell scripts on a Windows host over WinRM, with JSON data in and out.

Why not pywinrm's ``run_ps``: it puts the whole script on the command line (``-EncodedCommand``), and
the Windows command line ends at 8,191 characters through cmd.exe (32,767 without), so scripts of a
few thousand characters break. Here the command line carries only a short bootstrap; the script and
its data travel on stdin, in chunks that fit WinRM's envelope size, so their length does not matter.

The bootstrap reads stdin (base64 of UTF-8 JSON ``{"script": text, "data": value}``), runs the script
as a script block with the data as its one argument, and writes base64 of UTF-8 JSON
``{"ok": true, "result": ...}`` or ``{"ok": false, "error": {...}}`` between ``<<drkit:`` and ``:drkit>>``,
so that whatever else reaches stdout (Write-Host, a cmdlet's warning) cannot corrupt the answer. Base64 on both ways keeps
non-ASCII names intact whatever the console code page. User data is only ever the script's argument,
never part of its text.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import re
import time
from xml.etree import ElementTree

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError

BOOTSTRAP = u"""$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$WarningPreference = 'SilentlyContinue'
$InformationPreference = 'SilentlyContinue'
$VerbosePreference = 'SilentlyContinue'
$encoded = (@($input) -join '') -replace '\\s', ''
$payload = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($encoded)) | ConvertFrom-Json
$envelope = [ordered]@{ ok = $true; result = $null }
try {
    $envelope.result = & ([ScriptBlock]::Create($payload.script)) $payload.data
}
catch {
    $envelope.ok = $false
    $envelope.error = [ordered]@{
        message = $_.Exception.Message
        type = $_.Exception.GetType().FullName
        error_id = [string]$_.FullyQualifiedErrorId
        category = $_.CategoryInfo.Category.ToString()
    }
}
$json = ConvertTo-Json -InputObject $envelope -Depth 32 -Compress
[Console]::Out.Write('<<drkit:' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($json)) + ':drkit>>')
"""

POWERSHELL = "powershell.exe"
# Raw stdin bytes per WinRM Send: base64 makes 4/3 of it, well inside the 150 KiB envelope
# pywinrm announces and the 500 KiB a Windows host accepts by default.
STDIN_CHUNK = 64 * 1024
# Reads are retried on these; a script that changes things is never sent twice.
_RETRIED_HTTP_STATUS = (500, 502, 503, 504)
READ_ATTEMPTS = 3
_ANSWER = re.compile(br"<<drkit:([A-Za-z0-9+/=]*):drkit>>")
RETRY_DELAY_SECONDS = 2


class PowerShellScript:
    """One script the collection ships: its name (the first line says it) and its text."""

    def __init__(self, name, text, changes_state):
        marker = u"# drkit.microsoft script: %s\n" % name
        if not text.startswith(marker):
            raise ValueError("script %s must start with %r" % (name, marker))
        self.name, self.text, self.changes_state = name, text, changes_state


class ScriptError(DrkitError):
    """The script ran and threw: the PowerShell error's message, with its FullyQualifiedErrorId as the code."""

    def __init__(self, operation, host, error):
        super(ScriptError, self).__init__(error.get("message") or "the script failed without a message", step=operation, target=host,
                                          code=error.get("error_id") or None,
                                          details={"category": error.get("category"), "exception_type": error.get("type")})


class WinRMCallError(DrkitError):
    """The script could not be run or its answer read: connection, logon, WinRM fault."""

    def __init__(self, operation, host, message, retryable=False):
        super(WinRMCallError, self).__init__(message, step=operation, target=host, retryable=retryable)


def encoded_command(text):
    """``-EncodedCommand``'s argument: base64 of the UTF-16LE text."""
    return base64.b64encode(text.encode("utf-16-le")).decode("ascii")


def payload_lines(script, data):
    """What goes on stdin: base64 of the JSON payload, as lines of at most STDIN_CHUNK bytes."""
    document = json.dumps({"script": script.text, "data": data}, separators=(",", ":"), ensure_ascii=False)
    encoded = base64.b64encode(document.encode("utf-8"))
    line = STDIN_CHUNK - 2
    return [encoded[start:start + line] + b"\r\n" for start in range(0, len(encoded), line)]


def run_script(host, script, data, operation):
    """Run *script* with *data* on *host* (a connection.WindowsHost); the script's ``result``.

    A script that only reads is tried up to READ_ATTEMPTS times when the host is unreachable or
    answers 5xx; one that changes state is sent once."""
    attempts = 1 if script.changes_state else READ_ATTEMPTS
    for attempt in range(1, attempts + 1):
        try:
            stdout, stderr, exit_code = _execute(host.protocol(), script, data)
            break
        except Exception as error:  # pylint: disable=broad-except
            retriable = _is_unavailable(error)
            if not retriable or attempt == attempts:
                raise WinRMCallError(operation, host.name, _describe(error), retryable=retriable)
            time.sleep(RETRY_DELAY_SECONDS * attempt)
    envelope = _decode_envelope(operation, host.name, stdout, stderr, exit_code)
    if not envelope.get("ok"):
        raise ScriptError(operation, host.name, envelope.get("error") or {})
    return envelope.get("result")


def _execute(protocol, script, data):
    shell_id = protocol.open_shell(codepage=65001, noprofile=True)
    try:
        arguments = ["-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand", encoded_command(BOOTSTRAP)]
        command_id = protocol.run_command(shell_id, POWERSHELL, arguments, console_mode_stdin=True, skip_cmd_shell=True)
        try:
            lines = payload_lines(script, data)
            for index, line in enumerate(lines):
                protocol.send_command_input(shell_id, command_id, line, end=index == len(lines) - 1)
            return protocol.get_command_output(shell_id, command_id)
        finally:
            protocol.cleanup_command(shell_id, command_id)
    finally:
        protocol.close_shell(shell_id)


def _decode_envelope(operation, host_name, stdout, stderr, exit_code):
    found = _ANSWER.search(stdout)
    try:
        return json.loads(base64.b64decode(found.group(1), validate=True).decode("utf-8"))
    except (AttributeError, ValueError, TypeError):
        detail = _clixml_text(stderr) or stdout.decode("utf-8", "replace")
        raise WinRMCallError(operation, host_name, "PowerShell exited with code %d without an answer: %s" % (exit_code, detail[:2000].strip() or "(no output)"))


def _clixml_text(stderr):
    """The error text of PowerShell's stderr, which it writes as CLIXML when run non-interactively."""
    text = stderr.decode("utf-8", "replace")
    if not text.startswith("#< CLIXML"):
        return text
    try:
        root = ElementTree.fromstring(text[len("#< CLIXML"):].strip())
    except ElementTree.ParseError:
        return text
    lines = [node.text or "" for node in root.iter() if node.tag.endswith("}S") and node.get("S") == "Error"]
    return re.sub(r"_x000D__x000A_", "\n", "".join(lines)).strip()


def _is_unavailable(error):
    """Connection refused/reset/timed out, or a 5xx from the host: worth one more try for a read."""
    name = type(error).__name__
    if name in ("ConnectionError", "ConnectTimeout", "ReadTimeout", "ChunkedEncodingError", "Timeout"):
        return True
    return name == "WinRMTransportError" and getattr(error, "code", None) in _RETRIED_HTTP_STATUS


def _describe(error):
    name = type(error).__name__
    if name == "InvalidCredentialsError":
        return "the host refused the logon (winrm_user, winrm_password or winrm_transport): %s" % error
    if name == "WSManFaultError":
        return "WinRM fault %s: %s" % (getattr(error, "wsman_fault_code", None), getattr(error, "reason", error))
    return "%s: %s" % (name, error)
