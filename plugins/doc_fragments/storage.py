# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # How a module reaches one Azure Storage account's Blob service.
    DOCUMENTATION = r"""
options:
  account_url:
    description:
      - Blob service endpoint of the storage account, for example V(https://mystorage.blob.core.windows.net).
      - For an emulator or a private endpoint, the account name follows the host, for example V(https://127.0.0.1:10000/devstoreaccount1).
      - Must not carry a query string; a SAS goes in O(sas_token).
    type: str
    required: true
  account_key:
    description:
      - Shared key of the storage account.
      - Mutually exclusive with O(sas_token).
    type: str
  sas_token:
    description:
      - Shared access signature for the account or container, with or without the leading V(?).
      - It needs read, write, create, delete and list permissions for the operations the module performs.
      - Mutually exclusive with O(account_key).
    type: str
  auth_mode:
    description:
      - How to authenticate to the account, as C(az storage --auth-mode) does.
      - V(key) uses O(account_key), V(sas) uses O(sas_token).
      - V(login) uses a Microsoft Entra ID token from the Azure authentication options of the module;
        the identity needs the Storage Blob Data Contributor role. Copies within the account and page copies read their
        source with that token; a Copy Blob from another account reads it with a user delegation SAS the module makes.
      - When not set, V(key) if O(account_key) is given, else V(sas) if O(sas_token) is given, else V(login).
    type: str
    choices: [key, sas, login]
  ca_bundle:
    description:
      - Path of a PEM file of certificate authorities to trust for the storage endpoint, instead of the system's.
      - Useful for private endpoints with an internal CA, Azure Stack Hub and emulators.
    type: path
  max_retries:
    description:
      - How many times a call is retried on throttling and server errors (5xx but 501 and 505; Azure Storage throttles with
        503 Server Busy and 500 Operation Timeout), timeouts (408) and dropped connections, with exponential back-off.
      - Other errors fail at once, 429 among them (the Azure Storage SDK's retry policy does not retry it, and Azure Storage
        does not answer it).
    type: int
    default: 5
"""
