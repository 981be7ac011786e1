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
      - Where the credentials come from. When not set, the E(ANSIBLE_AZURE_AUTH_SOURCE) environment variable, else V(auto).
      - V(auto) takes, in this order, the profile named by O(profile); the task's options when one of O(client_id), O(ad_user),
        O(secret), O(password) or O(x509_certificate_path) is set; the profile named by E(AZURE_PROFILE); the E(AZURE_*)
        environment variables when E(AZURE_SUBSCRIPTION_ID) is set; the C([default]) profile of C(~/.azure/credentials)
        when it has a C(subscription_id); else the Azure CLI.
      - V(env) takes the E(AZURE_*) environment variables (or the profile named by E(AZURE_PROFILE)).
      - V(credential_file) takes the profile O(profile), by default C([default]), of C(~/.azure/credentials).
      - V(cli) uses the login of the Azure CLI (C(az login)) in the cloud the CLI is set to, with O(tenant) if set.
      - V(msi) uses the managed identity of the Azure VM the controller runs on; a user-assigned one when O(client_id) or
        E(AZURE_CLIENT_ID) is set.
      - V(default) uses azure-identity's DefaultAzureCredential, which tries the environment variables it knows
        (E(AZURE_CLIENT_SECRET), E(AZURE_TENANT_ID) ...), workload identity, managed identity, the Azure CLI and others in turn,
        against the authority of O(cloud_environment); O(client_id) selects a user-assigned managed identity.
      - The client id, secret, tenant, user, password and certificate always come from that one source. O(subscription_id),
        O(cloud_environment), O(adfs_authority_url), O(cert_validation_mode) and O(disable_instance_discovery) come from the
        task's options, else from the chosen profile or environment, else from the environment variables.
    type: str
    choices: [auto, cli, credential_file, env, msi, default]
    default: auto
  profile:
    description:
      - Section of the INI file C(~/.azure/credentials) to read, whose keys are the names of these options. Environment variable E(AZURE_PROFILE).
    type: str
  subscription_id:
    description:
      - Azure subscription id, needed by modules that manage Azure resources. Environment variable E(AZURE_SUBSCRIPTION_ID).
    type: str
  client_id:
    description:
      - Application (client) id of a service principal, of the application O(ad_user) logs in to, or of a user-assigned managed identity.
      - Environment variable E(AZURE_CLIENT_ID).
    type: str
  secret:
    description:
      - Client secret of the service principal. Environment variable E(AZURE_SECRET).
      - The value is never logged.
    type: str
  tenant:
    description:
      - Microsoft Entra tenant (directory) id of the service principal or user; V(adfs) for AD FS. Environment variable E(AZURE_TENANT).
    type: str
  ad_user:
    description:
      - User name for a login with user name and password, for accounts without multifactor authentication only.
      - Environment variable E(AZURE_AD_USER).
    type: str
  password:
    description:
      - Password of O(ad_user). Environment variable E(AZURE_PASSWORD).
      - The value is never logged.
    type: str
  cloud_environment:
    description:
      - V(AzureCloud), V(AzureChinaCloud), V(AzureUSGovernment), or the https URL of the Resource Manager endpoint of an Azure Stack Hub,
        whose metadata names its authority and token audience.
      - Environment variable E(AZURE_CLOUD_ENVIRONMENT). When set nowhere, V(AzureCloud).
    type: str
  adfs_authority_url:
    description:
      - Authority URL of your own AD FS, used instead of the cloud's Microsoft Entra authority. Environment variable E(AZURE_ADFS_AUTHORITY_URL).
    type: str
  cert_validation_mode:
    description:
      - V(ignore) skips the validation of the TLS certificates of the authority and the cloud metadata, for test environments only.
      - Environment variable E(AZURE_CERT_VALIDATION_MODE). When set nowhere, V(validate).
    type: str
    choices: [validate, ignore]
  x509_certificate_path:
    description:
      - PEM file holding the private key and the certificate of the service principal, instead of O(secret).
      - Environment variable E(AZURE_X509_CERTIFICATE_PATH).
    type: path
  thumbprint:
    description:
      - SHA-1 thumbprint of the certificate in O(x509_certificate_path); when set, the file must hold that certificate.
      - Environment variable E(AZURE_THUMBPRINT).
    type: str
  disable_instance_discovery:
    description:
      - Do not ask Microsoft Entra ID to validate the authority. Needed for private clouds, AD FS and Azure Stack Hub,
        where that metadata cannot be reached; the authority must then be trustworthy.
      - Environment variable E(AZURE_DISABLE_INSTANCE_DISCOVERY). When set nowhere, V(false).
    type: bool
requirements:
  - azure-identity
notes:
  - The options, environment variables and C(~/.azure/credentials) profiles are those of the azure.azcollection collection.
"""
