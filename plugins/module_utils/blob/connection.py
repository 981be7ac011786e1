# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The storage connection family: options and the BlobServiceClient they make.

An account is reached by its blob endpoint URL with one of three credentials, the
same three ``az storage --auth-mode`` knows: the account key, a SAS token, or an
Azure AD token (``login``) obtained through the Azure auth options of the module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import urlsplit

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter

STORAGE_AUTH_MODES = ("key", "sas", "login")

STORAGE_ACCOUNT_OPTIONS = dict(
    account_url=dict(type="str", required=True),
    account_key=dict(type="str", no_log=True),
    sas_token=dict(type="str", no_log=True),
    auth_mode=dict(type="str", choices=list(STORAGE_AUTH_MODES)),
)

STORAGE_ARGUMENT_SPEC = dict(
    STORAGE_ACCOUNT_OPTIONS,
    ca_bundle=dict(type="path"),
    max_retries=dict(type="int", default=5),
)

STORAGE_MUTUALLY_EXCLUSIVE = [("account_key", "sas_token")]

# The second account holding replicas of recovery points (doc fragment storage_destination).
DESTINATION_OPTION = dict(type="dict", options=dict(STORAGE_ACCOUNT_OPTIONS, container=dict(type="str")),
                          mutually_exclusive=STORAGE_MUTUALLY_EXCLUSIVE)


def storage_auth_mode(account, parameter="account_url"):
    """The credential an account entry uses: explicit ``auth_mode``, else what was given."""
    mode = account.get("auth_mode")
    if account.get("account_key") and account.get("sas_token"):
        raise InvalidParameter(parameter, "give account_key or sas_token, not both")
    if mode is None:
        mode = "key" if account.get("account_key") else "sas" if account.get("sas_token") else "login"
    if mode == "key" and not account.get("account_key"):
        raise InvalidParameter("account_key", "required when auth_mode is key")
    if mode == "sas" and not account.get("sas_token"):
        raise InvalidParameter("sas_token", "required when auth_mode is sas")
    return mode


def validate_account_url(url, parameter="account_url"):
    """An account URL is an http(s) endpoint without a query: SAS goes in ``sas_token``."""
    if not url or not url.lower().startswith(("https://", "http://")):
        raise InvalidParameter(parameter, "must be the account's blob endpoint, https://<account>.blob.<suffix>")
    if "?" in url:
        raise InvalidParameter(parameter, "must not carry a query string; pass a SAS in sas_token")
    return url.rstrip("/")


def account_credential(account, token_credential_factory):
    """The credential object for *account*; *token_credential_factory* makes an AD token credential."""
    mode = storage_auth_mode(account)
    if mode == "key":
        from azure.core.credentials import AzureNamedKeyCredential  # pylint: disable=import-outside-toplevel
        return AzureNamedKeyCredential(account_name(account["account_url"]), account["account_key"])
    if mode == "sas":
        from azure.core.credentials import AzureSasCredential  # pylint: disable=import-outside-toplevel
        return AzureSasCredential(account["sas_token"].lstrip("?"))
    return token_credential_factory()


def account_name(account_url):
    """The account name of an endpoint: first host label, or the path's first part on emulators."""
    parts = urlsplit(account_url)
    host = parts.hostname or ""
    if host.replace(".", "").isdigit() or host == "localhost":
        # Emulator style: https://127.0.0.1:10000/<account>
        return parts.path.strip("/").split("/")[0]
    return host.split(".")[0]


def blob_service_client(account, token_credential_factory, ca_bundle=None, max_retries=5):
    """A BlobServiceClient for *account* using the SDK's own retry: on 408, 5xx but 501 and 505 (Azure Storage throttles
    with 503 and 500) and dropped connections."""
    from azure.storage.blob import BlobServiceClient  # pylint: disable=import-outside-toplevel
    kwargs = dict(retry_total=max_retries)
    if ca_bundle:
        kwargs["connection_verify"] = ca_bundle
    return BlobServiceClient(validate_account_url(account["account_url"]),
                             credential=account_credential(account, token_credential_factory), **kwargs)
