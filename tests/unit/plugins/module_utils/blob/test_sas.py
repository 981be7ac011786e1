"""How copy sources are authorized: SAS, the caller's token, or nothing in the caller's own account."""
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

from ansible_collections.drkit.microsoft.plugins.module_utils.blob.sas import STORAGE_SCOPE, SourceUrls

ACCOUNT_URL = "https://drkitprimary.blob.core.windows.net"
KEY = "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5"


class FakeService(object):
    def __init__(self):
        self.scopes = []
        self.credential = SimpleNamespace(get_token=self._token)

    def _token(self, scope):
        self.scopes.append(scope)
        return SimpleNamespace(token="eyJ.token.")

    @staticmethod
    def get_blob_client(container, name, snapshot=None):
        suffix = "?snapshot=%s" % snapshot if snapshot else ""
        return SimpleNamespace(url="%s/%s/%s%s" % (ACCOUNT_URL, container, name, suffix))


def sources(account, same_account=False):
    remembered = []
    return SourceUrls(FakeService(), dict(account, account_url=ACCOUNT_URL), remembered.append, same_account), remembered


def test_a_key_signs_a_read_only_snapshot_sas_that_is_remembered_as_a_secret():
    urls, remembered = sources({"account_key": KEY})
    url = urls("vhds/os.vhd", "2026-11-23T06:00:00.0000000Z")
    query = parse_qs(urlsplit(url).query)
    assert query["sp"] == ["r"] and query["sr"] == ["bs"] and query["snapshot"] == ["2026-11-23T06:00:00.0000000Z"]
    assert remembered and remembered[0] in url


def test_a_login_in_the_same_account_copies_with_no_sas():
    urls, remembered = sources({"auth_mode": "login"}, same_account=True)
    assert urls("vhds/os.vhd", "snap") == ACCOUNT_URL + "/vhds/os.vhd?snapshot=snap"
    assert remembered == []


def test_a_login_pages_copy_with_the_caller_s_storage_token():
    urls, remembered = sources({"auth_mode": "login"})
    url, authorization = urls.for_page_copy("vhds/os.vhd", "snap")
    assert (url, authorization) == (ACCOUNT_URL + "/vhds/os.vhd?snapshot=snap", "Bearer eyJ.token.")
    assert urls.service.scopes == [STORAGE_SCOPE] and remembered == ["eyJ.token."]


def test_a_given_sas_is_used_as_it_is_for_page_copies():
    urls, remembered = sources({"sas_token": "?sv=2026-10-06&sp=rl&sig=abc"})
    url, authorization = urls.for_page_copy("vhds/os.vhd")
    assert url == ACCOUNT_URL + "/vhds/os.vhd?sv=2026-10-06&sp=rl&sig=abc" and authorization is None
    assert remembered == ["sv=2026-10-06&sp=rl&sig=abc"]


def test_a_login_from_another_account_signs_a_user_delegation_sas_once_per_run():
    from azure.storage.blob import UserDelegationKey  # pylint: disable=import-outside-toplevel
    key = UserDelegationKey()
    key.signed_oid, key.signed_tid, key.signed_service, key.signed_version = "oid-1", "tid-1", "b", "2026-10-06"
    key.signed_start, key.signed_expiry, key.value = "2026-11-23T06:00:00Z", "2026-11-23T11:00:00Z", KEY
    asked = []
    urls, remembered = sources({"auth_mode": "login"})
    urls.service.get_user_delegation_key = lambda start, expiry: asked.append((start, expiry)) or key
    first, second = urls("vhds/os.vhd", "snap"), urls("vhds/data0.vhd", "snap")
    query = parse_qs(urlsplit(first).query)
    assert query["skoid"] == ["oid-1"] and query["sktid"] == ["tid-1"] and query["sp"] == ["r"] and query["sr"] == ["bs"]
    assert len(asked) == 1 and asked[0][1] > asked[0][0]
    assert len(remembered) == 2 and remembered[1] in second
