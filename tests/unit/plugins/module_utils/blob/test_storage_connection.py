"""Storage connection options: which credential, which endpoint, refused before any call."""

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.blob.connection import (
    account_credential, account_name, storage_auth_mode, validate_account_url)
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter


@pytest.mark.parametrize("account, mode", [
    ({"account_key": "k"}, "key"),
    ({"sas_token": "?sv=1&sig=x"}, "sas"),
    ({}, "login"),
    ({"account_key": "k", "auth_mode": "login"}, "login"),
])
def test_auth_mode_follows_what_was_given(account, mode):
    assert storage_auth_mode(account) == mode


@pytest.mark.parametrize("account, parameter", [
    ({"auth_mode": "key"}, "account_key"),
    ({"auth_mode": "sas"}, "sas_token"),
    ({"account_key": "k", "sas_token": "s"}, "account_url"),
])
def test_missing_or_conflicting_credentials_are_refused(account, parameter):
    with pytest.raises(InvalidParameter) as caught:
        storage_auth_mode(account)
    assert caught.value.parameter == parameter


@pytest.mark.parametrize("url, name", [
    ("https://contoso.blob.core.windows.net", "contoso"),
    ("https://contoso.blob.core.chinacloudapi.cn/", "contoso"),
    ("https://127.0.0.1:10000/devstoreaccount1", "devstoreaccount1"),
])
def test_account_name_from_public_and_emulator_endpoints(url, name):
    assert account_name(url) == name


@pytest.mark.parametrize("url", ["contoso.blob.core.windows.net", "ftp://x", "https://a.blob.core.windows.net/?sig=abc"])
def test_bad_account_urls_are_refused(url):
    with pytest.raises(InvalidParameter):
        validate_account_url(url)


def test_sas_credential_drops_the_leading_question_mark_and_key_credential_names_the_account():
    sas = account_credential({"sas_token": "?sv=1&sig=x"}, None)
    assert sas.signature == "sv=1&sig=x"
    key = account_credential({"account_url": "https://contoso.blob.core.windows.net", "account_key": "a2V5"}, None)
    assert key.named_key == ("contoso", "a2V5")


def test_login_asks_the_token_factory():
    marker = object()
    assert account_credential({"account_url": "https://c.blob.core.windows.net"}, lambda: marker) is marker
