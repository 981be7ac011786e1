# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authorized copy sources: short-lived, read-only SAS URLs or bearer tokens, never shown.

The destination service reads a copy source itself, so the source must carry its own
authorization: a service SAS signed with the account key, a user delegation SAS for
Microsoft Entra logins, or the SAS the user gave. Put Page From URL takes the caller's
Microsoft Entra token instead (``x-ms-copy-source-authorization``), so with a login no SAS is
made for an incremental copy. Every SAS and token is registered with the module as a secret
before it is used.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime, timedelta, timezone

from ansible_collections.drkit.microsoft.plugins.module_utils.blob import api
from ansible_collections.drkit.microsoft.plugins.module_utils.blob.connection import account_name, storage_auth_mode

# Long enough for a large disk's copy; a rerun makes new ones.
SAS_LIFETIME = timedelta(hours=4)
STORAGE_SCOPE = "https://storage.azure.com/.default"
# Tolerates clock skew between the controller and the service.
CLOCK_SKEW = timedelta(minutes=5)


class SourceUrls(object):
    """Makes ``source_url(key, snapshot)`` for one account; *remember* receives each SAS.

    With *same_account* the copies land in the source's own account: there, Copy Blob reads
    the source with the request's own Microsoft Entra token, so a login needs no SAS."""

    def __init__(self, service, account, remember, same_account=False):
        self.service = service
        self.account = account
        self.remember = remember
        self.mode = storage_auth_mode(account)
        self.same_account = same_account
        self._delegation_key = None

    def __call__(self, key, snapshot=None):
        url = api.blob_at(self.service, key, snapshot).url
        if self.mode == "login" and self.same_account:
            return url
        token = self._token(*key.split("/", 1), snapshot=snapshot)
        self.remember(token)
        return url + ("&" if "?" in url else "?") + token

    def for_page_copy(self, key, snapshot=None):
        """(source URL, source authorization or None) for Put Page From URL."""
        if self.mode != "login":
            return self(key, snapshot), None
        token = self.service.credential.get_token(STORAGE_SCOPE).token
        self.remember(token)
        return api.blob_at(self.service, key, snapshot).url, "Bearer " + token

    def _token(self, container, name, snapshot):
        from azure.storage.blob import BlobSasPermissions, generate_blob_sas  # pylint: disable=import-outside-toplevel
        if self.mode == "sas":
            return self.account["sas_token"].lstrip("?")
        now = datetime.now(timezone.utc)
        signing = dict(account_key=self.account["account_key"]) if self.mode == "key" else dict(
            user_delegation_key=self._user_delegation_key(now))
        return generate_blob_sas(account_name(self.account["account_url"]), container, name, snapshot=snapshot,
                                 permission=BlobSasPermissions(read=True), start=now - CLOCK_SKEW,
                                 expiry=now + SAS_LIFETIME, **signing)

    def _user_delegation_key(self, now):
        if self._delegation_key is None:
            with api.operation("get_user_delegation_key", self.account["account_url"]):
                self._delegation_key = self.service.get_user_delegation_key(now - CLOCK_SKEW, now + SAS_LIFETIME)
        return self._delegation_key
