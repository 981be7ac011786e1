# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # How a module reaches a Windows host (a MABS server, for example) over WinRM with pywinrm.
    DOCUMENTATION = r"""
options:
  winrm_host:
    description:
      - Host name or IP address of the Windows host, without scheme or port. IPv6 addresses are accepted with or without brackets.
      - Pass C({{ ansible_host }}) to reuse the inventory.
    type: str
    required: true
  winrm_port:
    description:
      - WinRM port, as C(ansible_winrm_port).
      - When not set, V(5986) with O(winrm_scheme=https) and V(5985) with O(winrm_scheme=http).
    type: int
  winrm_scheme:
    description:
      - URL scheme, as C(ansible_winrm_scheme).
    type: str
    choices: [https, http]
    default: https
  winrm_path:
    description:
      - URL path of the WinRM service, as C(ansible_winrm_path).
    type: str
    default: /wsman
  winrm_user:
    description:
      - User to log on with, for example C(CONTOSO\backupadmin) or C(backupadmin@CONTOSO.COM).
      - Required with O(winrm_transport) V(ntlm), V(basic) and V(credssp).
      - With V(kerberos), the principal whose ticket to use; when not set, the default ticket of the controller's user.
      - When not set, the E(DRKIT_WINRM_USER) environment variable (set by the collection's AWX credential type).
    type: str
  winrm_password:
    description:
      - Password of O(winrm_user). Required with O(winrm_transport) V(ntlm), V(basic) and V(credssp), refused with the others.
      - The value is never logged.
      - When not set, the E(DRKIT_WINRM_PASSWORD) environment variable (set by the collection's AWX credential type).
    type: str
  winrm_transport:
    description:
      - Authentication, as C(ansible_winrm_transport).
      - V(ntlm), V(basic) and V(credssp) log on with O(winrm_user) and O(winrm_password).
      - V(kerberos) uses a ticket the controller's user already holds (run C(kinit) first); it needs the pywinrm[kerberos] extra.
      - V(credssp) delegates the credentials to the host; it needs the pywinrm[credssp] extra.
      - V(certificate) presents O(winrm_cert_pem) over https.
      - V(basic) over http is refused unless O(winrm_allow_unencrypted=true).
    type: str
    choices: [ntlm, kerberos, credssp, certificate, basic]
    default: ntlm
  winrm_server_cert_validation:
    description:
      - Whether to validate the host's TLS certificate, as C(ansible_winrm_server_cert_validation).
    type: str
    choices: [validate, ignore]
    default: validate
  winrm_ca_trust_path:
    description:
      - PEM file of the certificate authorities that validate the host's certificate, as C(ansible_winrm_ca_trust_path).
      - When not set, the file named by E(REQUESTS_CA_BUNDLE) or E(CURL_CA_BUNDLE), else the bundle of the Python C(certifi) package.
      - Only with O(winrm_scheme=https) and O(winrm_server_cert_validation=validate).
    type: path
  winrm_cert_pem:
    description:
      - Client certificate (PEM) for O(winrm_transport=certificate), as C(ansible_winrm_cert_pem).
    type: path
  winrm_cert_key_pem:
    description:
      - Private key (PEM) of O(winrm_cert_pem), as C(ansible_winrm_cert_key_pem).
    type: path
  winrm_operation_timeout_sec:
    description:
      - WS-Management operation timeout in seconds, as C(ansible_winrm_operation_timeout_sec).
    type: int
    default: 20
  winrm_read_timeout_sec:
    description:
      - HTTP read timeout in seconds, as C(ansible_winrm_read_timeout_sec). Must be greater than O(winrm_operation_timeout_sec).
    type: int
    default: 30
  winrm_kerberos_delegation:
    description:
      - Forward the Kerberos ticket to the host, so the host can reach other hosts as the user, as C(ansible_winrm_kerberos_delegation).
      - Only with O(winrm_transport=kerberos); the ticket must be forwardable (C(kinit -f)).
    type: bool
    default: false
  winrm_message_encryption:
    description:
      - Message encryption by V(ntlm), V(kerberos) and V(credssp), as C(ansible_winrm_message_encryption).
      - V(auto) encrypts the messages over http and relies on TLS over https.
      - V(always) also encrypts inside https; V(basic) and V(certificate) cannot.
      - V(never) over http is refused unless O(winrm_allow_unencrypted=true).
    type: str
    choices: [auto, always, never]
    default: auto
  winrm_allow_unencrypted:
    description:
      - Allow a connection whose password or messages travel in clear, V(basic) or O(winrm_message_encryption=never) over http.
      - The host must allow it too (C(AllowUnencrypted) in its WinRM service configuration). For isolated test networks only.
    type: bool
    default: false
requirements:
  - pywinrm >= 0.5.0
"""
