# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # How a module reaches a Windows host (for example a MABS server) over WinRM with pywinrm.
    DOCUMENTATION = r"""
options:
  winrm_host:
    description:
      - Host name or address of the Windows host. Pass C({{ ansible_host }}) to reuse the inventory.
    type: str
    required: true
  winrm_port:
    description:
      - WinRM port; V(5986) for https and V(5985) for http when not set.
    type: int
  winrm_scheme:
    description:
      - V(https) (default) or V(http). Over http only NTLM, Kerberos and CredSSP are allowed, with message encryption.
    type: str
    choices: [https, http]
    default: https
  winrm_path:
    description:
      - URL path of the WinRM service.
    type: str
    default: /wsman
  winrm_user:
    description:
      - User to log on with, for example C(CONTOSO\\backupadmin) or C(backupadmin@CONTOSO.COM).
    type: str
  winrm_password:
    description:
      - Password of O(winrm_user).
    type: str
  winrm_transport:
    description:
      - Authentication, as C(ansible_winrm_transport). V(basic) is allowed over https only.
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
      - PEM file of certificate authorities to validate the host's certificate with, instead of the system's.
    type: path
  winrm_cert_pem:
    description:
      - Client certificate (PEM) for O(winrm_transport=certificate).
    type: path
  winrm_cert_key_pem:
    description:
      - Private key (PEM) of O(winrm_cert_pem).
    type: path
  winrm_operation_timeout_sec:
    description:
      - WS-Management operation timeout in seconds.
    type: int
    default: 20
  winrm_read_timeout_sec:
    description:
      - HTTP read timeout in seconds; must be greater than O(winrm_operation_timeout_sec).
    type: int
    default: 30
  winrm_kerberos_delegation:
    description:
      - Delegate the Kerberos ticket to the host (needed when the host itself reaches other hosts as the user).
    type: bool
    default: false
  winrm_message_encryption:
    description:
      - Message encryption of NTLM, Kerberos and CredSSP. V(auto) encrypts over http and relies on TLS over https.
    type: str
    choices: [auto, always, never]
    default: auto
requirements:
  - pywinrm
"""
