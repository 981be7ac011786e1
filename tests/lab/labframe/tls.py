"""A private certificate authority and a server certificate for 127.0.0.1, made per lab start.

Clients trust the CA file alone (``connection_verify=<ca>``, ``ca_bundle``), so nothing is added
to the system's trust store. The server certificate names IP 127.0.0.1, which the lab uses
everywhere, and DNS localhost for tools that insist on a name.
"""
import datetime
import ipaddress
import os
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from labframe.processes import HOST, HOST_ALIASES

# Long enough for any test run or demo, short enough that a leaked lab CA soon means nothing.
VALIDITY = datetime.timedelta(days=30)
# Tolerates a clock that differs a little between the lab and whatever checks the certificate.
BACKDATE = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class TlsFiles:
    """PEM files of the lab's TLS: the CA clients trust, and the servers' certificate and key."""

    ca_cert: str
    server_cert: str
    server_key: str


def tls_files(directory):
    return TlsFiles(ca_cert=os.path.join(directory, "ca.pem"),
                    server_cert=os.path.join(directory, "server.pem"),
                    server_key=os.path.join(directory, "server-key.pem"))


def create_tls_files(directory):
    """Write a new CA and a server certificate it signed into *directory*; returns their paths."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    files = tls_files(directory)
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = _new_key()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "drkit lab CA")])
    ca_cert = (_certificate_base(ca_name, ca_name, ca_key, now)
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(_key_usage(cert_sign=True), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
               .sign(ca_key, hashes.SHA256()))

    server_key = _new_key()
    server_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    server_cert = (_certificate_base(server_name, ca_name, server_key, now)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(_key_usage(cert_sign=False), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                   .add_extension(x509.SubjectAlternativeName(
                       [x509.IPAddress(ipaddress.ip_address(address)) for address in (HOST,) + HOST_ALIASES] + [x509.DNSName("localhost")]),
                       critical=False)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(server_key.public_key()), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
                   .sign(ca_key, hashes.SHA256()))

    _write(files.ca_cert, ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)
    _write(files.server_cert, server_cert.public_bytes(serialization.Encoding.PEM), 0o644)
    _write(files.server_key, server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()), 0o600)
    return files


def _new_key():
    # RSA rather than EC: every TLS stack the later simulators face (FreeTDS, WinRM clients) takes it.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate_base(subject, issuer, key, now):
    return (x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - BACKDATE)
            .not_valid_after(now + VALIDITY))


def _key_usage(cert_sign):
    return x509.KeyUsage(digital_signature=True, key_encipherment=not cert_sign, key_cert_sign=cert_sign, crl_sign=cert_sign,
                         content_commitment=False, data_encipherment=False, key_agreement=False,
                         encipher_only=False, decipher_only=False)


def _write(path, data, mode):
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(handle.fileno(), mode)
        handle.write(data)
