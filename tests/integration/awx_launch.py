"""Launching a job template of extensions/controller/drkit_microsoft.yml as AWX does, through ansible-runner.

AWX turns a launch into an ansible-runner job: the survey's answers (and the defaults of unanswered questions) and the
extra_vars injectors of the template's credentials become extra vars, its env injectors environment variables, and the
job type "check" is --check. This does the same with the file users import, so what the tests run is what AWX would.
The built-in Microsoft Azure Resource Manager type is injected as AWX documents it (AZURE_* variables); a Machine
credential is a connection login, which the lab's local hosts do not use.
"""
import os

import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2 import StrictUndefined
from playbook_runner import REPO, ansible_playbook

CONTROLLER = os.path.join(REPO, "extensions", "controller")
AZURE_RM_ENV = {"subscription": "AZURE_SUBSCRIPTION_ID", "client": "AZURE_CLIENT_ID", "secret": "AZURE_SECRET", "tenant": "AZURE_TENANT"}


class _Loader(yaml.SafeLoader):
    """YAML as Ansible reads the file: an ``!unsafe`` string (an injector AWX renders, not the importing play) is a string."""


_Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def configuration():
    with open(os.path.join(CONTROLLER, "drkit_microsoft.yml"), encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Loader)  # noqa: S506  a SafeLoader with one more tag


def survey_extra_vars(template, answers):
    """The extra vars of a launch: every answer, and the default of every question not answered; unknown or invalid answers fail."""
    questions = dict((question["variable"], question) for question in template["survey_spec"]["spec"])
    unknown = set(answers) - set(questions)
    assert not unknown, "%s has no survey question for %s" % (template["name"], sorted(unknown))
    extra_vars = {}
    for variable, question in questions.items():
        value = answers.get(variable, question.get("default"))
        if value is None or value == "":
            assert not question["required"], "%s: %s is required" % (template["name"], question["question_name"])
            continue
        if question["type"] == "multiplechoice":
            assert value in question["choices"], (variable, value)
        if question["type"] == "text":
            assert question.get("min", 0) <= len(value) <= question.get("max", 1024), (variable, value)
        extra_vars[variable] = value
    return extra_vars


def credential_injection(template, config, credential_inputs):
    """(env, extra vars) the template's credentials inject, from *credential_inputs* {credential name: inputs}."""
    types = dict((kind["name"], kind) for kind in config["controller_credential_types"])
    credentials = dict((credential["name"], credential) for credential in config["controller_credentials"])
    env, extra_vars = {}, {}
    render = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for name in template["credentials"]:
        kind = credentials[name]["credential_type"]
        inputs = credential_inputs.get(name)
        if inputs is None:
            continue
        if kind == "Microsoft Azure Resource Manager":
            env.update((AZURE_RM_ENV[field], value) for field, value in inputs.items())
            continue
        injectors = types[kind]["injectors"]
        env.update((key, render.from_string(value).render(inputs)) for key, value in injectors.get("env", {}).items())
        extra_vars.update((key, render.from_string(value).render(inputs)) for key, value in injectors.get("extra_vars", {}).items())
    return env, extra_vars


def launch(template_name, inventory, answers=None, credential_inputs=None, job_type="run", tags=None, env=None):
    """(return code, output) of a launch of the job template named *template_name* on *inventory*."""
    config = configuration()
    template = next(template for template in config["controller_templates"] if template["name"] == template_name)
    assert job_type == template.get("job_type", "run") or template.get("ask_job_type_on_launch"), "%s does not ask for the job type" % template_name
    assert not tags or template.get("ask_tags_on_launch"), "%s does not ask for tags" % template_name
    injected_env, injected_vars = credential_injection(template, config, credential_inputs or {})
    extra_vars = dict(survey_extra_vars(template, answers or {}), awx_job_id=4711, awx_job_template_name=template_name, **injected_vars)
    arguments = ["-i", inventory, os.path.join("extensions", "controller", "project", template["playbook"])]
    arguments += ["--check"] if job_type == "check" else []
    arguments += ["--tags", ",".join(tags)] if tags else []
    secrets = [value for inputs in (credential_inputs or {}).values() for field, value in inputs.items()
               if any(word in field for word in ("password", "secret"))]
    return ansible_playbook(*arguments, env=dict(injected_env, **(env or {})), extravars=extra_vars, secrets=secrets)
