"""Azure auth resolution: azure.azcollection's precedence, each source, and the credential built."""

import datetime
import warnings

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from azure import identity
from azure.mgmt.core.tools import get_arm_endpoints
from azure.core import AzureClouds
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ansible_collections.drkit.microsoft.plugins.module_utils.azure.auth import (
    AZURE_AUTH_ARGUMENT_SPEC, AZURE_CLI_CLIENT_ID, CLOUDS, azure_credential, azure_token_credential_factory, credential_arguments,
    resolve_azure_auth)
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, InvalidParameter

SP_ENV = {"AZURE_CLIENT_ID": "env-client", "AZURE_SECRET": "env-secret", "AZURE_TENANT": "env-tenant", "AZURE_SUBSCRIPTION_ID": "env-sub"}
NO_FILE = "/nonexistent/credentials"
STACK_METADATA = {"authentication": {"loginEndpoint": "https://adfs.local.azurestack.external/adfs/",
                                     "audiences": ["https://management.adfs.azurestack.local/6f9ab1c3-56b5-4b4d-8a7c-3b1b5a2c1f00"]}}


def params(**given):
    values = dict((name, spec.get("default")) for name, spec in AZURE_AUTH_ARGUMENT_SPEC.items())
    values.update(given)
    return values


def resolve(environ=None, path=NO_FILE, **given):
    return resolve_azure_auth(params(**given), environ or {}, path)


@pytest.fixture
def credential_file(tmp_path):
    path = tmp_path / "credentials"
    path.write_text("[default]\nsubscription_id=file-sub\nclient_id=file-client\nsecret=file%secret\ntenant=file-tenant\n"
                    "[prod]\nsubscription_id=prod-sub\nclient_id=prod-client\nsecret=prod-secret\ntenant=prod-tenant\n"
                    "cloud_environment=AzureUSGovernment\ndisable_instance_discovery=yes\n"
                    "[user]\nsubscription_id=user-sub\nad_user=backup@contoso.com\npassword=pw\n"
                    "[half]\nsubscription_id=half-sub\nclient_id=half-client\nsecret=half-secret\n")
    return str(path)


def certificate_file(tmp_path, key):
    """A PEM file with the private key first and the certificate after it, as azure.azcollection asks; and its thumbprint."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, u"drkit-test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(1)
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    path = tmp_path / "sp.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
                     + cert.public_bytes(serialization.Encoding.PEM))
    return str(path), cert.fingerprint(hashes.SHA1()).hex()


@pytest.fixture
def certificate(tmp_path):
    return certificate_file(tmp_path, rsa.generate_private_key(public_exponent=65537, key_size=2048))


def test_auto_takes_the_tasks_credentials_before_environment_and_file(credential_file):
    settings = resolve(SP_ENV, credential_file, client_id="task-client", secret="task-secret", tenant="task-tenant")
    assert (settings.source, settings.client_id, settings.secret, settings.tenant) == ("parameters", "task-client", "task-secret", "task-tenant")
    assert settings.subscription_id == "env-sub"


def test_auto_then_environment_then_default_profile_then_cli(credential_file, tmp_path):
    assert (resolve(SP_ENV, credential_file).source, resolve(SP_ENV, credential_file).client_id) == ("env", "env-client")
    from_file = resolve({}, credential_file)
    assert (from_file.source, from_file.subscription_id, from_file.secret) == ("credential_file", "file-sub", "file%secret")
    assert resolve({}, str(tmp_path / "none")).source == "cli"


def test_auto_ignores_environment_credentials_without_a_subscription_as_azcollection_does(credential_file):
    environ = dict(SP_ENV)
    del environ["AZURE_SUBSCRIPTION_ID"]
    assert resolve(environ, credential_file).client_id == "file-client"


def test_auto_skips_a_default_profile_without_subscription(tmp_path):
    path = tmp_path / "credentials"
    path.write_text("[default]\nclient_id=c\nsecret=s\ntenant=t\n")
    assert resolve({}, str(path)).source == "cli"


def test_a_profile_named_on_the_task_comes_first_and_brings_its_settings(credential_file):
    settings = resolve(SP_ENV, credential_file, profile="prod", client_id="ignored-because-profile-wins")
    assert (settings.source, settings.client_id, settings.subscription_id) == ("credential_file", "prod-client", "prod-sub")
    assert (settings.authority_host, settings.resource_manager) == ("login.microsoftonline.us", "https://management.usgovcloudapi.net/")
    assert settings.disable_instance_discovery is True


def test_azure_profile_in_the_environment_selects_a_profile(credential_file):
    assert resolve(dict(SP_ENV, AZURE_PROFILE="user"), credential_file).ad_user == "backup@contoso.com"


def test_task_settings_override_the_source_and_the_source_overrides_the_environment(credential_file):
    settings = resolve({"AZURE_CLOUD_ENVIRONMENT": "AzureChinaCloud", "AZURE_SUBSCRIPTION_ID": "env-sub"}, credential_file,
                       auth_source="credential_file", profile="prod", subscription_id="task-sub", disable_instance_discovery=False)
    assert settings.subscription_id == "task-sub"
    assert settings.disable_instance_discovery is False
    assert settings.authority_host == "login.microsoftonline.us"  # the profile's cloud, not the environment's
    assert resolve({"AZURE_CLOUD_ENVIRONMENT": "AzureChinaCloud"}, credential_file).authority_host == "login.chinacloudapi.cn"


def test_credentials_are_never_mixed_across_sources():
    # A client id on the task does not borrow the secret of the environment.
    with pytest.raises(InvalidParameter) as caught:
        resolve(SP_ENV, client_id="task-client", tenant="task-tenant")
    assert caught.value.parameter == "secret"
    assert "the task's options" in str(caught.value)


@pytest.mark.parametrize("given, environ, source, client_id", [
    ({"auth_source": "env"}, SP_ENV, "env", "env-client"),
    ({"auth_source": "msi"}, {}, "msi", None),
    ({"auth_source": "msi", "client_id": "uami"}, SP_ENV, "msi", "uami"),
    ({"auth_source": "msi"}, SP_ENV, "msi", "env-client"),
    ({"auth_source": "cli", "tenant": "t"}, SP_ENV, "cli", None),
    ({"auth_source": "default", "client_id": "uami"}, SP_ENV, "default", "uami"),
])
def test_an_explicit_source_is_used_whatever_else_is_set(given, environ, source, client_id):
    settings = resolve(environ, **given)
    assert (settings.source, settings.client_id) == (source, client_id)


def test_credential_file_source_reads_the_default_profile_unless_named(credential_file):
    assert resolve(SP_ENV, credential_file, auth_source="credential_file").client_id == "file-client"
    assert resolve(SP_ENV, credential_file, auth_source="credential_file", profile="user").ad_user == "backup@contoso.com"


@pytest.mark.parametrize("given, missing", [
    ({"client_id": "c", "secret": "s"}, "tenant"),
    ({"client_id": "c", "tenant": "t"}, "secret"),
    ({"secret": "s", "tenant": "t"}, "client_id"),
    ({"ad_user": "u@contoso.com"}, "password"),
    ({"password": "pw"}, "ad_user"),
    ({"ad_user": "u@contoso.com", "password": "pw", "secret": "s"}, "ad_user"),
    ({"client_id": "c", "tenant": "t", "secret": "s", "x509_certificate_path": "/sp.pem"}, "secret"),
    ({"client_id": "c", "tenant": "t", "secret": "s", "thumbprint": "AB"}, "thumbprint"),
])
def test_an_incomplete_identity_names_what_is_missing(given, missing):
    with pytest.raises(InvalidParameter) as caught:
        resolve(**given)
    assert caught.value.parameter == missing


def test_an_incomplete_profile_says_where_it_looked(credential_file):
    with pytest.raises(InvalidParameter) as caught:
        resolve({}, credential_file, profile="half")
    assert caught.value.parameter == "tenant"
    assert "profile [half] of %s" % credential_file in str(caught.value)


def test_a_missing_profile_or_a_broken_file_is_refused(credential_file, tmp_path):
    with pytest.raises(InvalidParameter) as caught:
        resolve({}, credential_file, auth_source="credential_file", profile="nope")
    assert (caught.value.parameter, "[nope]" in str(caught.value)) == ("profile", True)
    broken = tmp_path / "broken"
    broken.write_text("secret=very-secret-value\n")
    with pytest.raises(InvalidParameter) as caught:
        resolve({}, str(broken), auth_source="credential_file")
    assert caught.value.parameter == "profile"
    assert "very-secret-value" not in str(caught.value)


@pytest.mark.parametrize("name, cloud", [("AzureCloud", AzureClouds.AZURE_PUBLIC_CLOUD), ("AzureChinaCloud", AzureClouds.AZURE_CHINA_CLOUD),
                                         ("AzureUSGovernment", AzureClouds.AZURE_US_GOVERNMENT)])
def test_named_clouds_match_azure_mgmt_core(name, cloud):
    settings = resolve(auth_source="msi", cloud_environment=name)
    assert settings.resource_manager == get_arm_endpoints(cloud)["resource_manager"]
    assert [settings.credential_scope] == get_arm_endpoints(cloud)["credential_scopes"]


def test_named_clouds_use_azure_identitys_authority_hosts():
    assert (CLOUDS["AzureCloud"].authority_host, CLOUDS["AzureChinaCloud"].authority_host, CLOUDS["AzureUSGovernment"].authority_host) == \
        (identity.AzureAuthorityHosts.AZURE_PUBLIC_CLOUD, identity.AzureAuthorityHosts.AZURE_CHINA, identity.AzureAuthorityHosts.AZURE_GOVERNMENT)


def test_an_azure_stack_hub_is_read_from_its_metadata():
    asked = []

    def read(url, validate_certs):
        asked.append((url, validate_certs))
        return STACK_METADATA

    settings = resolve_azure_auth(params(auth_source="cli", cloud_environment="https://management.local.azurestack.external",
                                         cert_validation_mode="ignore"), {}, NO_FILE, read)
    assert asked == [("https://management.local.azurestack.external/metadata/endpoints?api-version=2015-01-01", False)]
    assert settings.resource_manager == "https://management.local.azurestack.external/"
    assert settings.authority_host == "https://adfs.local.azurestack.external"
    assert settings.credential_scope == "https://management.adfs.azurestack.local/6f9ab1c3-56b5-4b4d-8a7c-3b1b5a2c1f00/.default"


@pytest.mark.parametrize("cloud, metadata", [("AzureMoon", None), ("http://management.local.azurestack.external", None),
                                             ("https://management.local.azurestack.external", {"authentication": {}})])
def test_an_unknown_cloud_or_useless_metadata_is_refused(cloud, metadata):
    with pytest.raises(InvalidParameter) as caught:
        resolve_azure_auth(params(auth_source="msi", cloud_environment=cloud), {}, NO_FILE, lambda url, validate_certs: metadata)
    assert caught.value.parameter == "cloud_environment"


def test_adfs_authority_replaces_the_clouds():
    settings = resolve(client_id="c", secret="s", tenant="adfs", adfs_authority_url="https://adfs.contoso.com")
    assert settings.authority_host == "https://adfs.contoso.com"


@pytest.mark.parametrize("variable, value, parameter", [("AZURE_CERT_VALIDATION_MODE", "maybe", "cert_validation_mode"),
                                                        ("AZURE_DISABLE_INSTANCE_DISCOVERY", "perhaps", "disable_instance_discovery")])
def test_bad_values_from_the_environment_are_refused(variable, value, parameter):
    with pytest.raises(InvalidParameter) as caught:
        resolve(dict(SP_ENV, **{variable: value}))
    assert caught.value.parameter == parameter


def test_environment_flags_are_read_as_booleans():
    settings = resolve(dict(SP_ENV, AZURE_DISABLE_INSTANCE_DISCOVERY="true", AZURE_CERT_VALIDATION_MODE="ignore"))
    assert (settings.disable_instance_discovery, settings.cert_validation_mode) == (True, "ignore")


def test_a_service_principal_with_a_secret_gets_the_clouds_authority():
    settings = resolve(client_id="c", secret="s", tenant="t", cloud_environment="AzureChinaCloud", disable_instance_discovery=True)
    assert credential_arguments(settings) == ("ClientSecretCredential", dict(
        tenant_id="t", client_id="c", client_secret="s", authority="login.chinacloudapi.cn", disable_instance_discovery=True))


def test_ignoring_certificates_reaches_the_credentials_transport():
    name, kwargs = credential_arguments(resolve(client_id="c", secret="s", tenant="t", cert_validation_mode="ignore"))
    assert kwargs["connection_verify"] is False


@pytest.mark.parametrize("given, expected", [
    ({"ad_user": "u@contoso.com", "password": "pw"}, ("UsernamePasswordCredential", dict(
        client_id=AZURE_CLI_CLIENT_ID, username="u@contoso.com", password="pw", tenant_id="organizations",
        authority="login.microsoftonline.com", disable_instance_discovery=False))),
    ({"auth_source": "msi"}, ("ManagedIdentityCredential", {})),
    ({"auth_source": "msi", "client_id": "uami"}, ("ManagedIdentityCredential", {"client_id": "uami"})),
    ({"auth_source": "cli"}, ("AzureCliCredential", {})),
    ({"auth_source": "cli", "tenant": "t"}, ("AzureCliCredential", {"tenant_id": "t"})),
    ({"auth_source": "default"}, ("DefaultAzureCredential", {"authority": "login.microsoftonline.com"})),
    ({"auth_source": "default", "client_id": "uami"},
     ("DefaultAzureCredential", {"authority": "login.microsoftonline.com", "managed_identity_client_id": "uami"})),
])
def test_each_source_names_its_credential_and_arguments(given, expected):
    assert credential_arguments(resolve(**given)) == expected


@pytest.mark.parametrize("given, environ, credential_type", [
    ({"client_id": "c", "secret": "s", "tenant": "t"}, {}, identity.ClientSecretCredential),
    ({"auth_source": "env"}, SP_ENV, identity.ClientSecretCredential),
    ({"ad_user": "u@contoso.com", "password": "pw", "tenant": "t"}, {}, identity.UsernamePasswordCredential),
    ({"auth_source": "msi", "client_id": "uami"}, {}, identity.ManagedIdentityCredential),
    ({"auth_source": "cli"}, {}, identity.AzureCliCredential),
    ({"auth_source": "default"}, {}, identity.DefaultAzureCredential),
])
def test_each_source_builds_a_real_azure_identity_credential(given, environ, credential_type):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # UsernamePasswordCredential warns that it cannot do MFA
        assert isinstance(azure_credential(resolve(environ, **given)), credential_type)


def test_a_certificate_credential_checks_the_thumbprint(certificate):
    path, thumbprint = certificate
    settings = resolve(client_id="c", tenant="t", x509_certificate_path=path, thumbprint=":".join(thumbprint[i:i + 2] for i in range(0, 40, 2)))
    assert isinstance(azure_credential(settings), identity.CertificateCredential)
    with pytest.raises(InvalidParameter) as caught:
        azure_credential(resolve(client_id="c", tenant="t", x509_certificate_path=path, thumbprint="00" * 20))
    assert (caught.value.parameter, thumbprint.upper() in str(caught.value)) == ("thumbprint", True)


def test_what_azure_identity_refuses_while_building_is_reported_as_a_failed_step(tmp_path):
    # Microsoft Entra ID signs client assertions with RS256 only.
    path, _thumbprint = certificate_file(tmp_path, ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(DrkitError) as caught:
        azure_credential(resolve(client_id="c", tenant="t", x509_certificate_path=path))
    assert (caught.value.step, "RSA" in str(caught.value)) == ("azure_credential", True)
    with pytest.raises(DrkitError) as caught:
        azure_credential(resolve(client_id="c", tenant="not a tenant!", secret="s"))
    assert caught.value.step == "azure_credential"


def test_an_unreadable_certificate_is_refused(tmp_path):
    with pytest.raises(InvalidParameter) as caught:
        azure_credential(resolve(client_id="c", tenant="t", x509_certificate_path=str(tmp_path / "missing.pem")))
    assert caught.value.parameter == "x509_certificate_path"


def test_settings_repr_shows_no_secret():
    text = repr(resolve(client_id="c", secret="very-secret-value", tenant="t")) + repr(resolve(ad_user="u", password="other-secret-pw"))
    assert "very-secret-value" not in text and "other-secret-pw" not in text
    assert "client_id='c'" in text


def test_the_module_factory_resolves_only_when_called(monkeypatch, tmp_path):
    for variable in list(SP_ENV) + ["AZURE_PROFILE"]:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))

    class Module(object):
        params = params(client_id="c", tenant="t")

    make = azure_token_credential_factory(Module())
    with pytest.raises(InvalidParameter):
        make()
    Module.params["secret"] = "s"
    assert isinstance(make(), identity.ClientSecretCredential)


def test_ansible_azure_auth_source_is_the_fallback_of_auth_source(monkeypatch):
    validator = ArgumentSpecValidator(AZURE_AUTH_ARGUMENT_SPEC)
    monkeypatch.delenv("ANSIBLE_AZURE_AUTH_SOURCE", raising=False)
    assert validator.validate({}).validated_parameters["auth_source"] == "auto"
    monkeypatch.setenv("ANSIBLE_AZURE_AUTH_SOURCE", "msi")
    result = validator.validate({"secret": "s3cret"})
    assert result.validated_parameters["auth_source"] == "msi"
    assert "s3cret" in result._no_log_values  # pylint: disable=protected-access
