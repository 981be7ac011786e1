# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Azure connection family: azure.azcollection's auth options, resolved to a credential.

The options, their ``AZURE_*`` environment variables, the ``~/.azure/credentials`` profiles
and the ``auth_source`` precedence follow azure.azcollection, so inventories and AWX
credentials written for it work unchanged. ``auth_source: default`` adds azure-identity's
DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI ...).
Resolution is pure (:func:`resolve_azure_auth`); only :func:`azure_credential` imports
azure-identity and builds the credential object.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.six.moves import configparser
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter

AUTH_SOURCES = ("auto", "cli", "credential_file", "env", "msi", "default")

AZURE_AUTH_ARGUMENT_SPEC = dict(
    auth_source=dict(type="str", choices=list(AUTH_SOURCES)),
    profile=dict(type="str"),
    subscription_id=dict(type="str"),
    client_id=dict(type="str"),
    secret=dict(type="str", no_log=True),
    tenant=dict(type="str"),
    ad_user=dict(type="str"),
    password=dict(type="str", no_log=True),
    cloud_environment=dict(type="str", default="AzureCloud"),
    cert_validation_mode=dict(type="str", choices=["validate", "ignore"]),
    adfs_authority_url=dict(type="str"),
    x509_certificate_path=dict(type="path"),
    thumbprint=dict(type="str"),
    disable_instance_discovery=dict(type="bool", default=False),
)

# Option -> environment variable, as azure.azcollection reads them.
ENVIRONMENT = {
    "profile": "AZURE_PROFILE",
    "subscription_id": "AZURE_SUBSCRIPTION_ID",
    "client_id": "AZURE_CLIENT_ID",
    "secret": "AZURE_SECRET",
    "tenant": "AZURE_TENANT",
    "ad_user": "AZURE_AD_USER",
    "password": "AZURE_PASSWORD",
    "cloud_environment": "AZURE_CLOUD_ENVIRONMENT",
    "cert_validation_mode": "AZURE_CERT_VALIDATION_MODE",
    "adfs_authority_url": "AZURE_ADFS_AUTHORITY_URL",
    "x509_certificate_path": "AZURE_X509_CERTIFICATE_PATH",
    "thumbprint": "AZURE_THUMBPRINT",
}
CREDENTIAL_KEYS = ("client_id", "secret", "tenant", "ad_user", "password", "x509_certificate_path", "thumbprint")

# Sovereign clouds: Microsoft Entra authority host and Resource Manager endpoint.
CLOUDS = {
    "AzureCloud": ("login.microsoftonline.com", "https://management.azure.com/"),
    "AzureChinaCloud": ("login.chinacloudapi.cn", "https://management.chinacloudapi.cn/"),
    "AzureUSGovernment": ("login.microsoftonline.us", "https://management.usgovcloudapi.net/"),
}


class AzureAuthSettings(object):
    """Where the credential comes from and what it needs; no secrets are logged from here."""

    def __init__(self, source, values, authority_host, resource_manager):
        self.source = source
        self.values = values
        self.authority_host = authority_host
        self.resource_manager = resource_manager

    @property
    def subscription_id(self):
        return self.values.get("subscription_id")

    def __repr__(self):
        return "AzureAuthSettings(source=%r, authority_host=%r)" % (self.source, self.authority_host)


def _given(values):
    return dict((k, v) for k, v in values.items() if v not in (None, ""))


def _from_environment(environ):
    return _given(dict((option, environ.get(variable)) for option, variable in ENVIRONMENT.items()))


def _from_credential_file(path, profile):
    parser = configparser.ConfigParser()
    if not parser.read(path):
        raise InvalidParameter("profile", "credential file %s cannot be read" % path)
    section = profile or "default"
    if not parser.has_section(section):
        raise InvalidParameter("profile", "no section [%s] in %s" % (section, path))
    return _given(dict(parser.items(section)))


def _has_credentials(values):
    return any(values.get(k) for k in CREDENTIAL_KEYS)


def resolve_azure_auth(params, environ=None, credentials_path=None):
    """Choose the credential source and its values as azure.azcollection does.

    ``auto``: module options holding credentials, else ``AZURE_*`` environment variables,
    else the credential file profile, else the Azure CLI's login.
    """
    environ = os.environ if environ is None else environ
    credentials_path = credentials_path or os.path.expanduser("~/.azure/credentials")
    explicit = _given(dict((k, params.get(k)) for k in AZURE_AUTH_ARGUMENT_SPEC if k not in ("auth_source", "cloud_environment")))
    if params.get("cloud_environment") not in (None, "AzureCloud"):
        explicit["cloud_environment"] = params["cloud_environment"]
    source = params.get("auth_source") or environ.get("ANSIBLE_AZURE_AUTH_SOURCE") or "auto"
    if source not in AUTH_SOURCES:
        raise InvalidParameter("auth_source", "must be one of %s" % ", ".join(AUTH_SOURCES))
    environment = _from_environment(environ)

    if source == "auto":
        if _has_credentials(explicit):
            source, values = "parameters", explicit
        elif _has_credentials(environment):
            source, values = "env", dict(environment, **explicit)
        elif os.path.exists(credentials_path) and (explicit.get("profile") or environment.get("profile") or
                                                   _has_section(credentials_path, "default")):
            source = "credential_file"
            values = dict(_from_credential_file(credentials_path, explicit.get("profile") or environment.get("profile")), **explicit)
        else:
            source, values = "cli", dict(environment, **explicit)
    elif source == "env":
        values = dict(environment, **explicit)
    elif source == "credential_file":
        values = dict(_from_credential_file(credentials_path, explicit.get("profile") or environment.get("profile")), **explicit)
    else:
        values = dict(environment, **explicit)

    if source in ("parameters", "env", "credential_file"):
        _require_complete(values)
    authority_host, resource_manager = cloud_endpoints(values.get("cloud_environment", "AzureCloud"))
    if values.get("adfs_authority_url"):
        authority_host = values["adfs_authority_url"]
    return AzureAuthSettings(source, values, authority_host, resource_manager)


def _has_section(path, section):
    parser = configparser.ConfigParser()
    return bool(parser.read(path)) and parser.has_section(section)


def _require_complete(values):
    if values.get("ad_user"):
        if not values.get("password"):
            raise InvalidParameter("password", "required with ad_user")
        return
    if not values.get("client_id"):
        raise InvalidParameter("client_id", "required for a service principal (or set auth_source to msi, cli or default)")
    if not values.get("tenant"):
        raise InvalidParameter("tenant", "required for a service principal")
    if not (values.get("secret") or values.get("x509_certificate_path")):
        raise InvalidParameter("secret", "a service principal needs secret or x509_certificate_path")


def cloud_endpoints(cloud_environment):
    """(authority host, Resource Manager endpoint) of a named cloud or a Resource Manager URL."""
    if cloud_environment in CLOUDS:
        return CLOUDS[cloud_environment]
    if cloud_environment.lower().startswith("https://"):
        # Azure Stack Hub and private clouds: the endpoint publishes its own metadata.
        return discover_cloud(cloud_environment)
    raise InvalidParameter("cloud_environment", "must be one of %s or an https:// Resource Manager endpoint" % ", ".join(CLOUDS))


def discover_cloud(resource_manager):
    """Read the authority of a Resource Manager endpoint from its metadata document."""
    import json  # pylint: disable=import-outside-toplevel
    from ansible.module_utils.urls import open_url  # pylint: disable=import-outside-toplevel
    url = resource_manager.rstrip("/") + "/metadata/endpoints?api-version=2015-01-01"
    try:
        metadata = json.loads(open_url(url, timeout=30).read())
    except Exception as error:  # pylint: disable=broad-except
        raise InvalidParameter("cloud_environment", "cannot read cloud metadata from %s: %s" % (url, error))
    login = metadata.get("authentication", {}).get("loginEndpoint", "")
    return login.replace("https://", "").rstrip("/") or login, resource_manager.rstrip("/") + "/"


def azure_credential(settings):
    """The azure-identity credential for *settings*."""
    from azure import identity  # pylint: disable=import-outside-toplevel
    values = settings.values
    common = dict(authority=settings.authority_host)
    if values.get("cert_validation_mode") == "ignore":
        common["connection_verify"] = False
    if settings.source == "msi":
        return identity.ManagedIdentityCredential(client_id=values.get("client_id"), **common)
    if settings.source == "cli":
        return identity.AzureCliCredential(tenant_id=values.get("tenant"))
    if settings.source == "default":
        return identity.DefaultAzureCredential(managed_identity_client_id=values.get("client_id"), **common)
    discovery = dict(disable_instance_discovery=bool(values.get("disable_instance_discovery")) or bool(values.get("adfs_authority_url")))
    if values.get("ad_user"):
        return identity.UsernamePasswordCredential(
            client_id=values.get("client_id") or "04b07795-8ddb-461a-bbee-02f9e1bf7b46",  # the Azure CLI's public client id
            username=values["ad_user"], password=values["password"], tenant_id=values.get("tenant") or "organizations",
            **dict(common, **discovery))
    if values.get("x509_certificate_path"):
        return identity.CertificateCredential(values["tenant"], values["client_id"], values["x509_certificate_path"],
                                              **dict(common, **discovery))
    return identity.ClientSecretCredential(values["tenant"], values["client_id"], values["secret"], **dict(common, **discovery))


def azure_token_credential_factory(module):
    """A function making the module's Microsoft Entra credential when, and only when, one is needed."""
    def make():
        return azure_credential(resolve_azure_auth(module.params))
    return make
