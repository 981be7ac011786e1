"""Who is asking: HTTP Basic and NTLM (the Negotiate or NTLM scheme) as WinRM's HTTP.sys checks them.

Accounts are ``"DOMAIN\\user"`` (a domain account) or ``"user"`` (an account local to the host).
A user name is matched without regard to case, as Windows does; ``user@dns.domain`` names the
domain account whose NetBIOS domain is the first label of the DNS name (CONTOSO for contoso.com).

NTLM is pyspnego's acceptor, which reads the password of the account being checked from the file
``NTLM_USER_FILE`` names. That variable is the process's, so one file serves every server of the
process: each check writes the one line it needs under a lock, steps the acceptor and empties
the file again, so servers with different accounts can share a process and no password stays
on disk. The acceptor is given the TLS channel binding (RFC 5929 tls-server-end-point) of the
server's certificate: a client that sends another or none is refused, as with WinRM's
CbtHardeningLevel=Strict.
"""
import atexit
import base64
import binascii
import hmac
import os
import shutil
import struct
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import spnego
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from spnego.channel_bindings import GssChannelBindings
from spnego.exceptions import SpnegoError

NTLM_SIGNATURE = b"NTLMSSP\0"
NTLM_NEGOTIATE, NTLM_AUTHENTICATE = 1, 3
NTLM_NEGOTIATE_UNICODE = 0x00000001


@dataclass(frozen=True)
class Identity:
    """An authenticated account (as the server's users name it) and the scheme that proved it: "basic" or "ntlm"."""

    account: str
    scheme: str


class Accounts:
    def __init__(self, users):
        self._passwords = {}
        for account, password in users.items():
            if ":" in password:
                # pyspnego's NTLM_USER_FILE lines are DOMAIN:USER:PASSWORD.
                raise ValueError("the lab cannot check the password of %s over NTLM: it holds a colon" % account)
            domain, _separator, user = account.rpartition("\\")
            self._passwords[(domain.lower(), user.lower())] = (account, password)

    def find(self, domain, user):
        """(account, password) of the account a client names by *domain* ("" for a local account) and
        *user*, a user name or a user principal name; None for an account the host does not know."""
        if not domain and "@" in user:
            user, _separator, dns_domain = user.partition("@")
            domain = dns_domain.split(".")[0]
        return self._passwords.get((domain.lower(), user.lower()))

    def check_basic(self, token):
        """The Identity a Basic Authorization *token* proves, or None."""
        try:
            name, _separator, password = base64.b64decode(token, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        domain, _separator, user = name.rpartition("\\")
        found = self.find(domain, user)
        # WinRM's Basic authentication takes local accounts only; a domain account needs Negotiate, Kerberos or CredSSP.
        if found is None or "\\" in found[0] or not hmac.compare_digest(found[1].encode("utf-8"), password.encode("utf-8")):
            return None
        return Identity(found[0], "basic")


def channel_bindings(cert_file):
    """The tls-server-end-point channel binding of the PEM certificate in *cert_file* (RFC 5929 4.1:
    its DER hashed with its signature's hash, SHA-256 when that is MD5 or SHA-1)."""
    with open(cert_file, "rb") as handle:
        certificate = x509.load_pem_x509_certificate(handle.read())
    algorithm = certificate.signature_hash_algorithm
    if algorithm is None or algorithm.name in ("md5", "sha1"):
        algorithm = hashes.SHA256()
    digest = hashes.Hash(algorithm)
    digest.update(certificate.public_bytes(serialization.Encoding.DER))
    return GssChannelBindings(application_data=b"tls-server-end-point:" + digest.finalize())


def ntlm_message_type(token):
    """1 for a NEGOTIATE message, 3 for an AUTHENTICATE one (MS-NLMP 2.2.1), None for anything else."""
    if len(token) < 12 or not token.startswith(NTLM_SIGNATURE):
        return None
    return struct.unpack_from("<I", token, 8)[0]


def _authenticate_names(token):
    """(domain, user) an NTLM AUTHENTICATE message carries: its DomainName and UserName fields, in
    UTF-16LE when NTLMSSP_NEGOTIATE_UNICODE is set, else in the OEM code page."""
    flags = struct.unpack_from("<I", token, 60)[0]
    encoding = "utf-16-le" if flags & NTLM_NEGOTIATE_UNICODE else "cp437"

    def field(fields_offset):
        length, _maximum_length, offset = struct.unpack_from("<HHI", token, fields_offset)
        return token[offset:offset + length].decode(encoding)

    return field(28), field(36)


class NtlmHandshake:
    """One connection's NTLM exchange: NEGOTIATE answered with a CHALLENGE, then AUTHENTICATE checked."""

    def __init__(self, bindings):
        _CREDENTIAL_FILE.install()
        self._context = spnego.server(protocol="ntlm", channel_bindings=bindings)

    def challenge(self, negotiate):
        """The CHALLENGE message answering *negotiate*; None if it is not one the acceptor takes."""
        try:
            return self._context.step(negotiate)
        except SpnegoError:
            return None

    def authenticate(self, message, accounts):
        """The Identity *message* (AUTHENTICATE) proves, or None for an unknown account, a wrong
        password or channel binding, or a malformed message."""
        try:
            domain, user = _authenticate_names(message)
        except (struct.error, UnicodeDecodeError):
            return None
        found = accounts.find(domain, user)
        if found is None:
            return None
        try:
            with _CREDENTIAL_FILE.holding(domain, user, found[1]):
                self._context.step(message)
        except SpnegoError:
            return None
        return Identity(found[0], "ntlm") if self._context.complete else None


class _CredentialFile:
    """The process's NTLM_USER_FILE, holding one line while an AUTHENTICATE message is checked."""

    def __init__(self):
        self._lock = threading.Lock()
        self._path = None

    def install(self):
        """Create the (empty) file, once, and point NTLM_USER_FILE at it: the acceptor refuses to start without it."""
        with self._lock:
            if self._path is None:
                directory = tempfile.mkdtemp(prefix="winrmlab-ntlm-")
                atexit.register(shutil.rmtree, directory, True)
                self._path = os.path.join(directory, "users")
                self._write("")
            os.environ["NTLM_USER_FILE"] = self._path

    @contextmanager
    def holding(self, domain, user, password):
        # The line spells the account as the client did: the acceptor looks it up by those names.
        with self._lock:
            self._write("%s:%s:%s\n" % (domain, user, password))
            try:
                yield
            finally:
                self._write("")

    def _write(self, text):
        descriptor = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)


_CREDENTIAL_FILE = _CredentialFile()
