# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Microsoft Entra ID authentication, with the options and environment variables of azure.azcollection.
    DOCUMENTATION = r"""
options:
  auth_source:
    description:
      - Where the credentials come from; also read from the E(ANSIBLE_AZURE_AUTH_SOURCE) environment variable.
      - V(auto) takes module options holding credentials, else the E(AZURE_*) environment variables, else the profile
        of the credential file C(~/.azure/credentials), else the Azure CLI's login.
      - V(env) takes the environment variables, V(credential_file) the credential file, V(cli) the Azure CLI's login
        (C(az login)), V(msi) the managed identity of the controller's VM (user-assigned with O(client_id)).
      - V(default) uses azure-identity's DefaultAzureCredential chain (environment, workload identity,
        managed identity, Azure CLI and others).
      - Defaults to V(auto).
    type: str
    choices: [auto, cli, credential_file, env, msi, default]
  profile:
    description:
      - Section of the credential file C(~/.azure/credentials) to read; V(default) when not set.
      - Environment variable E(AZURE_PROFILE).
    type: str
  subscription_id:
    description:
      - Azure subscription id. Environment variable E(AZURE_SUBSCRIPTION_ID).
    type: str
  client_id:
    description:
      - Application (client) id of a service principal, or of a user-assigned managed identity with O(auth_source=msi).
      - Environment variable E(AZURE_CLIENT_ID).
    type: str
  secret:
    description:
      - Client secret of the service principal. Environment variable E(AZURE_SECRET).
    type: str
  tenant:
    description:
      - Microsoft Entra tenant (directory) id. Environment variable E(AZURE_TENANT).
    type: str
  ad_user:
    description:
      - User name for username and password authentication (accounts without multi-factor authentication only).
      - Environment variable E(AZURE_AD_USER).
    type: str
  password:
    description:
      - Password of O(ad_user). Environment variable E(AZURE_PASSWORD).
    type: str
  cloud_environment:
    description:
      - V(AzureCloud), V(AzureChinaCloud), V(AzureUSGovernment), or the https:// Resource Manager endpoint of an
        Azure Stack Hub, whose metadata names its authority.
      - Environment variable E(AZURE_CLOUD_ENVIRONMENT).
    type: str
    default: AzureCloud
  cert_validation_mode:
    description:
      - V(ignore) skips TLS certificate validation of the token endpoint (test environments only).
      - Environment variable E(AZURE_CERT_VALIDATION_MODE).
    type: str
    choices: [validate, ignore]
  adfs_authority_url:
    description:
      - Authority URL of your own AD FS, used instead of the cloud's Microsoft Entra authority.
      - Environment variable E(AZURE_ADFS_AUTHORITY_URL).
    type: str
  x509_certificate_path:
    description:
      - Path of a PEM file with the service principal's certificate and private key, instead of O(secret).
      - Environment variable E(AZURE_X509_CERTIFICATE_PATH).
    type: path
  thumbprint:
    description:
      - Thumbprint of the certificate in O(x509_certificate_path). Environment variable E(AZURE_THUMBPRINT).
    type: str
  disable_instance_discovery:
    description:
      - Do not ask Microsoft Entra ID to validate the authority; needed for private clouds, AD FS and Azure Stack Hub.
    type: bool
    default: false
notes:
  - Options set on the task take precedence over the E(AZURE_*) environment variables, which take precedence over the credential file.
"""
