"""extensions/controller/drkit_microsoft.yml, the AWX configuration users import, against AWX's own rules (its credential
type and survey validation) and against the playbooks: one template per playbook, and every survey answer and injected
variable read by the playbook it is given to."""
import glob
import os
import re

import pytest
import yaml
from ansible.module_utils.basic import env_fallback
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.drkit.microsoft.plugins.module_utils.sql.connection import SQL_SERVER_ARGUMENT_SPEC
from ansible_collections.drkit.microsoft.plugins.module_utils.winrm.connection import WINRM_ARGUMENT_SPEC

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CONTROLLER = os.path.join(REPO, "extensions", "controller")
# AWX's patterns for injected names (awx/main/fields.py, CredentialTypeInjectorField).
ENV_NAME = re.compile(r"^[a-zA-Z_]+[a-zA-Z0-9_]*$")
VARIABLE_NAME = re.compile(r"^[a-zA-Z_]+[a-zA-Z0-9_]*$")
SURVEY_TYPES = ("text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect")
# The fields of the built-in credential types the file uses.
BUILT_IN_FIELDS = {"Machine": {"username", "password", "ssh_key_data", "ssh_key_unlock", "become_method", "become_username", "become_password"},
                   "Microsoft Azure Resource Manager": {"subscription", "username", "password", "client", "secret", "tenant", "cloud_environment"}}


class UnsafeLoader(yaml.SafeLoader):
    """Keeps which strings are tagged ``!unsafe``: the importing play must not template AWX's injectors."""


class Unsafe(str):
    pass


UnsafeLoader.add_constructor("!unsafe", lambda loader, node: Unsafe(loader.construct_scalar(node)))

with open(os.path.join(CONTROLLER, "drkit_microsoft.yml"), encoding="utf-8") as stream:
    CONFIG = yaml.load(stream, Loader=UnsafeLoader)  # noqa: S506  a SafeLoader with one more tag
TYPES = dict((kind["name"], kind) for kind in CONFIG["controller_credential_types"])
CREDENTIALS = dict((credential["name"], credential) for credential in CONFIG["controller_credentials"])
TEMPLATES = CONFIG["controller_templates"]


def read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def playbook_text(template):
    return read(os.path.join(REPO, "playbooks", template["playbook"]))


@pytest.mark.parametrize("kind", CONFIG["controller_credential_types"], ids=lambda kind: kind["name"])
def test_each_credential_type_passes_awx_s_validation(kind):
    fields = kind["inputs"]["fields"]
    ids = [field["id"] for field in fields]
    assert len(set(ids)) == len(ids) and "tower" not in ids and set(kind["inputs"]["required"]) <= set(ids)
    for field in fields:
        assert field["label"] and field.get("type", "string") in ("string", "boolean")
        # A field holding a password is stored encrypted and shown as $encrypted$.
        assert field.get("secret", False) == ("password" in field["id"]), field
    assert kind["kind"] in ("cloud", "net") and set(kind["injectors"]) <= {"env", "extra_vars"}
    names = dict(kind["injectors"].get("env", {}), **kind["injectors"].get("extra_vars", {}))
    for name in kind["injectors"].get("env", {}):
        assert ENV_NAME.match(name) and not name.startswith("ANSIBLE_"), name
    for name in kind["injectors"].get("extra_vars", {}):
        assert VARIABLE_NAME.match(name), name
    # Loaded by an Ansible play (infra.controller_configuration), an untagged "{{ field }}" would be templated there and fail.
    assert all(isinstance(template, Unsafe) for template in names.values()), names
    # AWX renders each injector with the fields in a sandbox, failing on an undefined name; every field is injected.
    rendered = dict((name, ImmutableSandboxedEnvironment(undefined=StrictUndefined).from_string(template).render(
        dict((field, "<%s>" % field) for field in ids))) for name, template in names.items())
    assert sorted(rendered.values()) == sorted("<%s>" % field for field in ids)


@pytest.mark.parametrize("name", sorted({name for kind in TYPES.values() for name in kind["injectors"].get("env", {})}))
def test_each_injected_environment_variable_is_read_by_a_module_option(name):
    readers = [option for spec in (SQL_SERVER_ARGUMENT_SPEC, WINRM_ARGUMENT_SPEC) for option, settings in spec.items()
               if settings.get("fallback") and settings["fallback"][0] is env_fallback and name in settings["fallback"][1]]
    assert readers, "no module option falls back to %s" % name


def test_each_credential_names_a_known_type_and_only_its_fields():
    for credential in CREDENTIALS.values():
        kind = credential["credential_type"]
        fields = BUILT_IN_FIELDS.get(kind) or set(field["id"] for field in TYPES[kind]["inputs"]["fields"])
        assert set(credential["inputs"]) <= fields, credential["name"]
        assert set(TYPES[kind]["inputs"]["required"] if kind in TYPES else ()) <= set(credential["inputs"]), credential["name"]


def test_every_playbook_has_one_template_and_a_project_playbook_that_runs_it():
    playbooks = sorted(os.path.basename(path) for path in glob.glob(os.path.join(REPO, "playbooks", "*.yml")))
    assert sorted(template["playbook"] for template in TEMPLATES) == playbooks
    assert sorted(os.path.basename(path) for path in glob.glob(os.path.join(CONTROLLER, "project", "*.yml"))) == playbooks
    for playbook in playbooks:
        plays = yaml.safe_load(read(os.path.join(CONTROLLER, "project", playbook)))
        assert plays == [{"name": "Run drkit.microsoft.%s" % playbook[:-4], "ansible.builtin.import_playbook": "drkit.microsoft.%s" % playbook[:-4]}]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda template: template["name"])
def test_each_template_is_whole_and_its_survey_is_valid(template):
    assert template["project"] in [project["name"] for project in CONFIG["controller_projects"]]
    assert template["execution_environment"] in [environment["name"] for environment in CONFIG["controller_execution_environments"]]
    kinds = [CREDENTIALS[name]["credential_type"] for name in template["credentials"]]
    assert len(set(kinds)) == len(kinds), "AWX takes one credential of each type per template"
    # A template that restores previews by default: check mode unless the operator asks for a run.
    assert template.get("job_type", "run") in ("run", "check")
    if "restore" in template["playbook"] or "recovery" in template["playbook"]:
        assert template["job_type"] == "check" and template["ask_job_type_on_launch"], template["name"]
    assert template["survey_enabled"] and template["survey_spec"]["name"]
    variables = [question["variable"] for question in template["survey_spec"]["spec"]]
    assert len(set(variables)) == len(variables)
    for question in template["survey_spec"]["spec"]:
        assert question["question_name"] and VARIABLE_NAME.match(question["variable"]) and question["type"] in SURVEY_TYPES
        assert isinstance(question["required"], bool)
        if question["type"] == "multiplechoice":
            assert all(isinstance(choice, str) for choice in question["choices"]) and question.get("default", question["choices"][0]) in question["choices"]
        if question["type"] == "text" and "default" in question:
            assert question["min"] <= len(question["default"]) <= question["max"]
        if question["type"] == "integer" and "default" in question:
            assert question["min"] <= question["default"] <= question["max"]
        assert not re.search("password|secret|token", question["variable"]), "secrets come from credentials, not surveys"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda template: template["name"])
def test_the_playbook_reads_every_survey_answer_and_every_injected_variable(template):
    text = playbook_text(template)
    injected = [name for credential in template["credentials"] for name in
                TYPES.get(CREDENTIALS[credential]["credential_type"], {"injectors": {}})["injectors"].get("extra_vars", {})]
    for variable in [question["variable"] for question in template["survey_spec"]["spec"]] + injected:
        assert re.search(r"\b%s\b" % variable, text), "%s does not read %s" % (template["playbook"], variable)
    assert not set(injected) & {question["variable"] for question in template["survey_spec"]["spec"]}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda template: template["name"])
def test_each_template_brings_the_credentials_its_playbook_needs(template):
    text = playbook_text(template)
    kinds = {CREDENTIALS[name]["credential_type"] for name in template["credentials"]}
    needs = {"drkit.microsoft SQL Server login": r"drkit_(rms|sco)_sql\b", "drkit.microsoft WinRM login": r"drkit_mabs_winrm\b",
             "drkit.microsoft key backup password": r"drkit_sco_key_password\b",
             "drkit.microsoft AD RMS rejoin accounts": r"drkit_rms_cluster_key_password\b",
             "Microsoft Azure Resource Manager": r"drkit_azure\b|drkit_storage_primary\b|azure_vm_backup"}
    for kind, pattern in needs.items():
        # rms_server_rejoin reads the cluster's SQL Server name only, no login.
        if re.search(pattern, text) and not (kind.endswith("SQL Server login") and template["playbook"] == "rms_server_rejoin.yml"):
            assert kind in kinds, "%s needs a %s credential" % (template["name"], kind)
