# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Azure connection family: azure.azcollection's auth options, resolved to a credential.

The options, their ``AZURE_*`` environment variables, the ``~/.azure/credentials`` profiles
and the ``auth_source`` precedence are azure.azcollection's, so inventories and AWX
credentials written for it work unchanged; ``auth_source: default`` adds azure-identity's
DefaultAzureCredential. :func:`resolve_azure_auth` decides, without any I/O but reading the
credential file, which source is used and what it holds; :func:`credential_arguments` says
which azure-identity class to build with which arguments; only :func:`azure_credential`
imports azure-identity and builds it.

The identity (client id, secret, tenant, user, password, certificate) always comes whole from
the one source chosen, never mixed across sources. The settings around it (subscription,
cloud, authority, certificate validation, instance discovery) come from the task's options,
else from the chosen source, else from the environment.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import configparser
import json
import os
import re
import traceback
from collections import namedtuple

from ansible.module_utils.basic import env_fallback, missing_required_lib
from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, InvalidParameter

AUTH_SOURCES = ["auto", "cli", "credential_file", "env", "msi", "default"]

AZURE_AUTH_ARGUMENT_SPEC = dict(
    auth_source=dict(type="str", choices=AUTH_SOURCES, default="auto", fallback=(env_fallback, ["ANSIBLE_AZURE_AUTH_SOURCE"])),
    profile=dict(type="str"),
    subscription_id=dict(type="str"),
    client_id=dict(type="str"),
    secret=dict(type="str", no_log=True),
    tenant=dict(type="str"),
    ad_user=dict(type="str"),
    password=dict(type="str", no_log=True),
    # No defaults below: an unset option must be told from one set to the default value,
    # so that a profile's or the environment's value can apply.
    cloud_environment=dict(type="str"),
    adfs_authority_url=dict(type="str"),
    cert_validation_mode=dict(type="str", choices=["validate", "ignore"]),
    x509_certificate_path=dict(type="path"),
    thumbprint=dict(type="str"),
    disable_instance_discovery=dict(type="bool"),
)

# Option -> environment variable, as azure.azcollection reads them; a profile uses the option names.
ENVIRONMENT_VARIABLES = {
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
    "disable_instance_discovery": "AZURE_DISABLE_INSTANCE_DISCOVERY",
}
IDENTITY_OPTIONS = ("client_id", "secret", "tenant", "ad_user", "password", "x509_certificate_path", "thumbprint")
# Any of these on the task means "log in with the task's options" (azure.azcollection looks at the first two).
_TASK_IDENTITY_OPTIONS = ("client_id", "ad_user", "secret", "password", "x509_certificate_path")

# The public client id of the Azure CLI, which azure.azcollection uses for ad_user logins without client_id.
AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

CloudEndpoints = namedtuple("CloudEndpoints", ["authority_host", "resource_manager", "credential_scope"])

# Microsoft Entra authority host, Resource Manager endpoint and its token scope, as
# azure-identity's AzureAuthorityHosts and azure-mgmt-core's get_arm_endpoints name them.
CLOUDS = {
    "AzureCloud": CloudEndpoints("login.microsoftonline.com", "https://management.azure.com/", "https://management.azure.com/.default"),
    "AzureChinaCloud": CloudEndpoints("login.chinacloudapi.cn", "https://management.chinacloudapi.cn/", "https://management.chinacloudapi.cn/.default"),
    "AzureUSGovernment": CloudEndpoints("login.microsoftonline.us", "https://management.usgovcloudapi.net/",
                                        "https://management.core.usgovcloudapi.net/.default"),
}


class AzureAuthSettings(object):
    """The resolved authentication: its source, identity, cloud endpoints; secrets stay out of ``repr``."""

    FIELDS = ("source", "subscription_id", "tenant", "client_id", "secret", "ad_user", "password", "x509_certificate_path", "thumbprint",
              "authority_host", "resource_manager", "credential_scope", "cert_validation_mode", "disable_instance_discovery")
    _SECRET_FIELDS = ("secret", "password")

    def __init__(self, **values):
        for field in self.FIELDS:
            setattr(self, field, values.get(field))

    def __repr__(self):
        return "AzureAuthSettings(%s)" % ", ".join("%s=%r" % (f, getattr(self, f)) for f in self.FIELDS if f not in self._SECRET_FIELDS)


def resolve_azure_auth(params, environ=None, credentials_path=None, read_cloud_metadata=None):
    """Choose the credential source and gather what it needs, as azure.azcollection does.

    *environ* defaults to ``os.environ``, *credentials_path* to ``~/.azure/credentials``;
    *read_cloud_metadata(url, validate_certs)* fetches an Azure Stack Hub's metadata and is
    called only when ``cloud_environment`` is a URL.
    """
    environ = os.environ if environ is None else environ
    credentials_path = credentials_path or os.path.expanduser("~/.azure/credentials")
    auth_source = params.get("auth_source") or "auto"
    if auth_source not in AUTH_SOURCES:
        raise InvalidParameter("auth_source", "must be one of %s" % ", ".join(AUTH_SOURCES))
    given = _present(dict((option, params.get(option)) for option in ENVIRONMENT_VARIABLES))
    from_env = _present(dict((option, environ.get(variable)) for option, variable in ENVIRONMENT_VARIABLES.items()))
    source, found, where = _choose_source(auth_source, given, from_env, credentials_path)

    def setting(option):
        return given.get(option, found.get(option, from_env.get(option)))

    identity = dict((option, found.get(option)) for option in IDENTITY_OPTIONS)
    if source in ("parameters", "env", "credential_file"):
        _require_complete(identity, where)
    cert_validation_mode = setting("cert_validation_mode") or "validate"
    if cert_validation_mode not in ("validate", "ignore"):
        raise InvalidParameter("cert_validation_mode", "must be validate or ignore, not %r" % cert_validation_mode)
    cloud = cloud_endpoints(setting("cloud_environment") or "AzureCloud", cert_validation_mode == "validate", read_cloud_metadata)
    return AzureAuthSettings(
        source=source, subscription_id=setting("subscription_id"),
        authority_host=setting("adfs_authority_url") or cloud.authority_host, resource_manager=cloud.resource_manager,
        credential_scope=cloud.credential_scope, cert_validation_mode=cert_validation_mode,
        disable_instance_discovery=_flag("disable_instance_discovery", setting("disable_instance_discovery")), **identity)


def credential_arguments(settings):
    """(name of the azure-identity credential class, its keyword arguments) for *settings*."""
    if settings.source == "msi":
        return "ManagedIdentityCredential", _present(dict(client_id=settings.client_id))
    if settings.source == "cli":
        # The CLI authenticates against the cloud it is set to (az cloud set).
        return "AzureCliCredential", _present(dict(tenant_id=settings.tenant))
    common = dict(authority=settings.authority_host)
    if settings.cert_validation_mode == "ignore":
        common["connection_verify"] = False
    if settings.source == "default":
        return "DefaultAzureCredential", dict(common, **_present(dict(managed_identity_client_id=settings.client_id)))
    common["disable_instance_discovery"] = settings.disable_instance_discovery
    if settings.ad_user:
        return "UsernamePasswordCredential", dict(common, client_id=settings.client_id or AZURE_CLI_CLIENT_ID, username=settings.ad_user,
                                                  password=settings.password, tenant_id=settings.tenant or "organizations")
    if settings.x509_certificate_path:
        return "CertificateCredential", dict(common, tenant_id=settings.tenant, client_id=settings.client_id,
                                             certificate_path=settings.x509_certificate_path)
    return "ClientSecretCredential", dict(common, tenant_id=settings.tenant, client_id=settings.client_id, client_secret=settings.secret)


def azure_credential(settings):
    """The azure-identity credential for *settings*; no token is requested yet."""
    try:
        from azure import identity  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise DrkitError(missing_required_lib("azure-identity"), step="azure_credential", details={"exception": traceback.format_exc()})
    if settings.x509_certificate_path:
        _check_certificate(settings.x509_certificate_path, settings.thumbprint)
    name, kwargs = credential_arguments(settings)
    try:
        return getattr(identity, name)(**kwargs)
    except ValueError as error:
        # azure-identity checks some values as it builds the credential: tenant id characters, an RSA key.
        raise DrkitError("%s: %s" % (name, error), step="azure_credential")


def azure_token_credential_factory(module):
    """A function making the module's Microsoft Entra credential when, and only when, one is needed."""
    def make():
        return azure_credential(resolve_azure_auth(module.params))
    return make


def cloud_endpoints(cloud_environment, validate_certs=True, read_cloud_metadata=None):
    """The :class:`CloudEndpoints` of a named cloud, or of an Azure Stack Hub from its metadata."""
    if cloud_environment in CLOUDS:
        return CLOUDS[cloud_environment]
    if not cloud_environment.lower().startswith("https://"):
        raise InvalidParameter("cloud_environment", "must be %s or the https:// Resource Manager endpoint of an Azure Stack Hub, not %r"
                               % (", ".join(sorted(CLOUDS)), cloud_environment))
    resource_manager = cloud_environment.rstrip("/") + "/"
    metadata = (read_cloud_metadata or _read_cloud_metadata)(resource_manager + "metadata/endpoints?api-version=2015-01-01", validate_certs)
    authentication = metadata.get("authentication") or {}
    login, audiences = authentication.get("loginEndpoint"), authentication.get("audiences")
    if not login or not audiences:
        raise InvalidParameter("cloud_environment", "the metadata of %s names no authentication loginEndpoint and audiences" % resource_manager)
    authority = login.rstrip("/")
    if authority.lower().endswith("/adfs"):
        # azure-identity appends the tenant to the authority, and an AD FS tenant is "adfs".
        authority = authority[:-len("/adfs")]
    return CloudEndpoints(authority, resource_manager, audiences[0].rstrip("/") + "/.default")


def _choose_source(auth_source, given, from_env, credentials_path):
    """(source, the options it holds, where they were read) following azure.azcollection."""
    from_task = (given, "the task's options")
    if auth_source == "auto":
        if "profile" in given:
            return ("credential_file",) + _profile(credentials_path, given["profile"])
        if any(option in given for option in _TASK_IDENTITY_OPTIONS):
            return ("parameters",) + from_task
        if "profile" in from_env:
            return ("credential_file",) + _profile(credentials_path, from_env["profile"])
        if "subscription_id" in from_env:
            return "env", from_env, "the AZURE_* environment variables"
        default, where = _profile(credentials_path, "default", missing_ok=True)
        if default.get("subscription_id"):
            return "credential_file", default, where
        return "cli", dict(tenant=given.get("tenant")), "the Azure CLI"
    if auth_source == "env":
        if "profile" in from_env:
            return ("credential_file",) + _profile(credentials_path, from_env["profile"])
        return "env", from_env, "the AZURE_* environment variables"
    if auth_source == "credential_file":
        return ("credential_file",) + _profile(credentials_path, given.get("profile", "default"))
    if auth_source == "msi":
        return "msi", dict(client_id=given.get("client_id", from_env.get("client_id"))), "the managed identity"
    if auth_source == "cli":
        return "cli", dict(tenant=given.get("tenant")), "the Azure CLI"
    return "default", dict(client_id=given.get("client_id")), "DefaultAzureCredential"


def _profile(path, name, missing_ok=False):
    """(options of section [name] of the credential file, where); values are taken raw, '%' included."""
    where = "profile [%s] of %s" % (name, path)
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path)
    except configparser.Error as error:
        # The parser's message quotes the offending line, which may hold a secret.
        raise InvalidParameter("profile", "the credential file %s is not a valid ini file (%s)" % (path, type(error).__name__))
    if not parser.has_section(name):
        if missing_ok:
            return {}, where
        raise InvalidParameter("profile", "there is no section [%s] in the credential file %s" % (name, path))
    return _present(dict((option, parser.get(name, option)) for option in ENVIRONMENT_VARIABLES if parser.has_option(name, option))), where


def _require_complete(identity, where):
    """Refuse an identity that cannot log in, naming what is missing and where it was looked for."""
    if identity["thumbprint"] and not identity["x509_certificate_path"]:
        raise InvalidParameter("thumbprint", "is used only with x509_certificate_path (from %s)" % where)
    if identity["ad_user"] or identity["password"]:
        if identity["secret"] or identity["x509_certificate_path"]:
            raise InvalidParameter("ad_user", "a user (ad_user, password) and a service principal (secret or x509_certificate_path) "
                                              "cannot be combined (from %s)" % where)
        for option in ("ad_user", "password"):
            if not identity[option]:
                raise InvalidParameter(option, "is required to log in as a user with ad_user and password (missing from %s)" % where)
        return
    if not identity["client_id"]:
        raise InvalidParameter("client_id", "is required for a service principal (missing from %s); "
                                            "or set auth_source to cli, msi or default" % where)
    if not identity["tenant"]:
        raise InvalidParameter("tenant", "is required for a service principal (missing from %s)" % where)
    if identity["secret"] and identity["x509_certificate_path"]:
        raise InvalidParameter("secret", "give secret or x509_certificate_path, not both (from %s)" % where)
    if not (identity["secret"] or identity["x509_certificate_path"]):
        raise InvalidParameter("secret", "a service principal needs secret or x509_certificate_path (missing from %s)" % where)


def _check_certificate(path, thumbprint):
    """Read the certificate azure-identity will present, and compare its thumbprint when one is given."""
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import hashes  # pylint: disable=import-outside-toplevel
    try:
        with open(path, "rb") as pem:
            certificate = x509.load_pem_x509_certificate(pem.read())
    except (OSError, ValueError) as error:
        raise InvalidParameter("x509_certificate_path", "must be a readable PEM file holding the private key and the certificate: %s" % error)
    # A certificate's thumbprint, as Microsoft Entra ID and Windows show it, is its SHA-1 digest.
    actual = certificate.fingerprint(hashes.SHA1()).hex().upper()
    if thumbprint and re.sub(r"[\s:]", "", thumbprint).upper() != actual:
        raise InvalidParameter("thumbprint", "does not match the certificate in %s, whose thumbprint is %s" % (path, actual))


def _read_cloud_metadata(url, validate_certs):
    from ansible.module_utils.urls import open_url  # pylint: disable=import-outside-toplevel
    try:
        return json.loads(open_url(url, timeout=30, validate_certs=validate_certs).read())
    except Exception as error:  # pylint: disable=broad-except
        # Any failure here (DNS, TLS, HTTP, JSON) means the same to the operator: no cloud metadata.
        raise DrkitError("cannot read the cloud metadata: %s" % error, step="read_cloud_metadata", target=url)


def _flag(option, value):
    """A boolean from a task option, a profile or an environment variable ("true", "1", "no" ...)."""
    try:
        return boolean(value if value is not None else False)
    except TypeError:
        raise InvalidParameter(option, "must be true or false, not %r" % value)


def _present(values):
    """*values* without the unset ones (None or empty); False stays, it was set."""
    return dict((key, value) for key, value in values.items() if value is not None and value != "")
