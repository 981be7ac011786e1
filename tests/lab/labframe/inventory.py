"""The lab's connection details as an Ansible inventory; playbooks and tests rely on these names.

    all.hosts.localhost       ansible_connection: local, ansible_python_interpreter
    all.vars.drkit_lab_ca_bundle   the CA that signed every lab service's certificate
    all.vars.<from services>  each service's own variables (Azurite: drkit_lab_storage;
                              the storage proxy: drkit_lab_storage.<role>.proxy_url and
                              drkit_lab_storage_proxy_admin)
"""
import yaml

HEADER = "# The lab's services on 127.0.0.1, written by tests/lab/labctl.py start. Holds secrets.\n"


def build_inventory(ca_bundle, python, service_vars):
    """The inventory of a lab whose services contributed *service_vars* (a list of mappings, merged in order)."""
    lab_vars = {"drkit_lab_ca_bundle": ca_bundle}
    for contribution in service_vars:
        _merge(lab_vars, contribution)
    localhost = {"ansible_connection": "local", "ansible_python_interpreter": python}
    return {"all": {"hosts": {"localhost": localhost}, "vars": lab_vars}}


def _merge(into, contribution):
    """Add *contribution* to *into*; mappings present in both are merged key by key, so a service
    can add keys to another's (the proxy's proxy_url beside Azurite's account_url)."""
    for key, value in contribution.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def render(inventory):
    return HEADER + yaml.safe_dump(inventory, default_flow_style=False, sort_keys=False)


def load_vars(path):
    """The ``all.vars`` mapping of the inventory file at *path*."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["all"]["vars"]
