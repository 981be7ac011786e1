"""Azure auth resolution: azure.azcollection's precedence, each source, the credential built."""

import pytest
from azure import identity

from ansible_collections.drkit.microsoft.plugins.module_utils.azure.auth import (
    AZURE_AUTH_ARGUMENT_SPEC, azure_credential, resolve_azure_auth)
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter

SP_ENV = {"AZURE_CLIENT_ID": "env-client", "AZURE_SECRET": "env-secret", "AZURE_TENANT": "env-tenant",
          "AZURE_SUBSCRIPTION_ID": "env-sub"}


def params(**given):
    values = dict((k, spec.get("default")) for k, spec in AZURE_AUTH_ARGUMENT_SPEC.items())
    values.update(given)
    return values


@pytest.fixture
def credential_file(tmp_path):
    path = tmp_path / "credentials"
    path.write_text("[default]\nsubscription_id=file-sub\nclient_id=file-client\nsecret=file-secret\ntenant=file-tenant\n"
                    "[prod]\nsubscription_id=prod-sub\nclient_id=prod-client\nsecret=prod-secret\ntenant=prod-tenant\n"
                    "cloud_environment=AzureUSGovernment\n")
    return str(path)


def test_auto_prefers_module_options_over_environment_and_file(credential_file):
    settings = resolve_azure_auth(params(client_id="p", secret="s", tenant="t"), SP_ENV, credential_file)
    assert settings.source == "parameters" and settings.values["client_id"] == "p"


def test_auto_falls_back_to_environment_then_file_then_cli(credential_file, tmp_path):
    assert resolve_azure_auth(params(), SP_ENV, credential_file).values["client_id"] == "env-client"
    from_file = resolve_azure_auth(params(), {}, credential_file)
    assert from_file.source == "credential_file" and from_file.subscription_id == "file-sub"
    assert resolve_azure_auth(params(), {}, str(tmp_path / "none")).source == "cli"


def test_a_profile_selects_its_section_and_cloud(credential_file):
    settings = resolve_azure_auth(params(profile="prod"), {}, credential_file)
    assert settings.values["client_id"] == "prod-client"
    assert settings.authority_host == "login.microsoftonline.us"
    assert settings.resource_manager == "https://management.usgovcloudapi.net/"


def test_auth_source_from_the_ansible_environment_variable(credential_file):
    settings = resolve_azure_auth(params(), dict(SP_ENV, ANSIBLE_AZURE_AUTH_SOURCE="credential_file"), credential_file)
    assert settings.source == "credential_file"


@pytest.mark.parametrize("given, missing", [
    ({"client_id": "c", "secret": "s"}, "tenant"),
    ({"client_id": "c", "tenant": "t"}, "secret"),
    ({"ad_user": "u@contoso.com"}, "password"),
])
def test_incomplete_credentials_name_what_is_missing(given, missing):
    with pytest.raises(InvalidParameter) as caught:
        resolve_azure_auth(params(**given), {}, "/nonexistent")
    assert caught.value.parameter == missing


def test_unknown_cloud_is_refused():
    with pytest.raises(InvalidParameter) as caught:
        resolve_azure_auth(params(auth_source="msi", cloud_environment="AzureMoon"), {}, "/nonexistent")
    assert caught.value.parameter == "cloud_environment"


def test_missing_profile_section_is_refused(credential_file):
    with pytest.raises(InvalidParameter) as caught:
        resolve_azure_auth(params(auth_source="credential_file", profile="nope"), {}, credential_file)
    assert "[nope]" in str(caught.value)


@pytest.mark.parametrize("given, environ, credential_type", [
    ({"client_id": "c", "secret": "s", "tenant": "t"}, {}, identity.ClientSecretCredential),
    ({"auth_source": "msi", "client_id": "uami"}, {}, identity.ManagedIdentityCredential),
    ({"auth_source": "cli"}, {}, identity.AzureCliCredential),
    ({"auth_source": "default"}, {}, identity.DefaultAzureCredential),
    ({"auth_source": "env"}, SP_ENV, identity.ClientSecretCredential),
    ({"ad_user": "u@contoso.com", "password": "pw", "tenant": "t"}, {}, identity.UsernamePasswordCredential),
])
def test_each_source_builds_its_credential(given, environ, credential_type):
    assert isinstance(azure_credential(resolve_azure_auth(params(**given), environ, "/nonexistent")), credential_type)


def test_china_cloud_uses_its_authority():
    settings = resolve_azure_auth(params(client_id="c", secret="s", tenant="t", cloud_environment="AzureChinaCloud"), {}, "/x")
    assert settings.authority_host == "login.chinacloudapi.cn"
    assert azure_credential(settings)._authority == "https://login.chinacloudapi.cn"  # pylint: disable=protected-access


def test_settings_repr_shows_no_secret():
    settings = resolve_azure_auth(params(client_id="c", secret="very-secret-value", tenant="t"), {}, "/x")
    assert "very-secret-value" not in repr(settings)
