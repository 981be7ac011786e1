"""Windows Remote Management (WS-Management) of lab Windows hosts, for the real pywinrm client:
the Windows Remote Shell protocol over HTTPS with Basic and NTLM authentication. What a command
does is the caller's: an executor object (``execute(CommandRequest) -> CommandResult``, see
winrmlab/shells.py) runs it. ``winrmlab.server.WinRMServer`` serves one host,
``serve_hosts`` several from one process, one port each.

Vendor behaviours it models:
  * the listener: HTTPS only, HTTP/1.1 keep-alive, POST /wsman (other paths 404, other methods
    405, as HTTP.sys's HTML pages), answers ``application/soap+xml;charset=UTF-8``;
  * authentication: no or an unsupported Authorization answered 401 with ``WWW-Authenticate:
    Negotiate`` and ``WWW-Authenticate: Basic realm="WSMAN"``, empty body; Basic checked per
    request and for local accounts only, as WinRM does (a domain account gets 401); NTLM under
    the Negotiate or NTLM scheme (NEGOTIATE answered 401 with the CHALLENGE under the client's
    scheme word), bound to the TCP connection once proved, as HTTP.sys does:
    later requests on it need no Authorization header, a new connection authenticates again;
    the channel binding (tls-server-end-point of the server's certificate) is required and must
    match, as with CbtHardeningLevel=Strict; a wrong password, account, binding or message is 401
    (pywinrm: InvalidCredentialsError). Accounts are ``DOMAIN\\user``, ``user@dns.domain`` (the
    domain whose NetBIOS name is the first DNS label) or a bare local ``user``, matched without
    regard to case;
  * an authenticated empty POST answered 200 (how clients set up a security context);
  * MaxEnvelopeSizekb = 500: a request over 512000 bytes answered a bare 413 (pywinrm:
    WinRMTransportError 413, as seen from Windows), the client's MaxEnvelopeSize capped at
    512000 and refused under 8192 (w:EncodingLimit 2150858878); MaxTimeoutms = 60000 caps
    OperationTimeout, a malformed one is refused (2150858767 "...invalid timeout field in the
    SOAP header: ...");
  * envelopes: a:Action, w:ResourceURI (not the cmd shell's: 2150858752 resource not found,
    missing: 2150858811), a:MessageID echoed in a:RelatesTo, answers' a:Action the request's plus
    "Response", faults' the WS-Management fault action; faults are HTTP 500 SOAP 1.2 s:Fault with
    s:Code/s:Subcode, s:Reason and s:Detail/f:WSManFault Code and Machine (the host name), the
    message ending with a space as Windows' do; unknown actions a:ActionNotSupported 2150858771;
  * Create: a shell per account (ShellId an uppercase GUID) answered with x:ResourceCreated (its
    ShellId selector) and rsp:Shell; rsp:Environment kept; WINRS_CODEPAGE and WINRS_NOPROFILE
    recorded in the request log; MaxShellsPerUser = 30: the 31st shell of an account is
    w:QuotaLimit 2150859173 "...This user is allowed a maximum number of 30 concurrent shells,
    which has been exceeded. Close existing shells or raise the quota for this user.";
  * a ShellId that is not the account's open shell: 2150858843 "The request for the Windows
    Remote Shell with ShellId ... failed because the shell was not found on the server. ...";
    none: "...requires the following selector: ShellId." (its code, 2150858842, the lab's guess);
  * Command: rsp:Command and rsp:Arguments (pywinrm sends one, its arguments joined by spaces);
    without WINRS_SKIP_CMD_SHELL the line goes through cmd.exe, which refuses more than 8191
    characters (command, a space, the arguments) with "The command line is too long." on stderr
    and exit code 1, running nothing; over 32766 characters CreateProcess itself fails with 206
    "The filename or extension is too long." (the fault wrapping it is the lab's reconstruction);
  * Send: stdin (base64) appended in order, End="true" runs the command; stdin after its end is
    refused (the lab's fault: w:InvalidParameter 87);
  * Receive: stdout and stderr in base64 rsp:Stream elements, an empty End="true" element when a
    stream ends, rsp:CommandState Running until both have ended, then Done with rsp:ExitCode;
    output cut so each answer stays within the client's MaxEnvelopeSize, so large outputs take
    several Receives; a command whose stdin is still open is waited for up to OperationTimeout,
    then w:TimedOut 2150858793 "The WS-Management service cannot complete the operation within the
    time specified in OperationTimeout." (pywinrm retries it); a Send ending the stdin wakes it;
  * Signal terminate and ctrl_c forget the command (later requests for it: the lab's
    w:InvalidParameter 87 fault for an unknown CommandId); Delete closes the shell and its
    commands;
  * an executor that raises: w:InternalError 2150858755 "An error was encountered inside the
    plugin." with the exception, its traceback on stderr;
  * injected faults per operation (labframe/faults.py; operations create_shell, command, send,
    receive, signal, delete_shell, unknown) after authentication and before any effect: a
    dropped connection; 500 as a WS-Management fault (default a:EndpointUnavailable 2150858772,
    code and message overridable); other statuses (503 ...) as HTTP.sys's HTML error page, which
    pywinrm reports as WinRMTransportError with that code; Retry-After when asked; a delay, after
    which the request is served as usual (a slow host: a client whose read timeout is shorter
    gets requests' ReadTimeout, and what it asked for is done all the same).

Vendor behaviours it does not model; tests must not conclude anything about them from the lab:
  * HTTP listeners (plain port 5985) and message encryption: a multipart/encrypted body is
    answered 415 with a fault saying so (pywinrm over HTTPS does not encrypt unless asked);
  * Kerberos, CredSSP, Digest and client certificate authentication (answered 401 as having no
    credentials); CbtHardeningLevel Relaxed, Windows' default, under which a client that sends no
    channel binding is accepted; local accounts named ``COMPUTER\\user`` or ``.\\user``;
    account lockout, group membership and UAC remote restrictions;
  * shell IdleTimeout and lifetime, MaxProcessesPerShell, MaxMemoryPerShellMB, MaxConcurrentUsers,
    MaxConcurrentOperationsPerUser; Disconnect/Reconnect; PowerShell remoting and other resource
    URIs; Get/Put/Enumerate/Identify;
  * rsp:WorkingDirectory (accepted, not passed to the executor), WINRS_CONSOLEMODE_STDIN
    (recorded only), code page conversion (output bytes pass through), ctrl_c interrupting a
    command that goes on; a process that runs and streams output while stdin is open: a command
    runs only once its input is complete and its output is ready all at once, stdout before
    stderr;
  * WinRM's exact answers to an unknown CommandId or to a Receive after Done (the lab repeats
    Done with the exit code).
"""
