"""The lab's Windows servers (windowslab) as Ansible's winrm connection and the roles see them: the modules it models, what
it refuses, and what it records."""
import json
import ssl
import urllib.error
import urllib.request

import pytest
import yaml
from lab_admin import admin
from playbook_runner import ansible_playbook


def play(lab, tmp_path, host, tasks):
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {host: lab["drkit_lab_windows"]["servers"][host]}}}))
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{"name": "Lab", "hosts": "all", "gather_facts": False, "tasks": tasks}]))
    return ansible_playbook("-i", str(inventory), str(playbook))


def health(lab, node):
    url = lab["drkit_lab_windows"]["rms_health"]["url"].replace("{node}", node)
    try:
        with urllib.request.urlopen(url, context=ssl.create_default_context(cafile=lab["drkit_lab_ca_bundle"])) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_ad_rms_web_services_answer_as_iis_does_for_a_running_a_stopped_and_a_missing_service(lab, windows):
    windows()
    assert health(lab, "rms1.contoso.com") == 401

    def stopped(estate):
        estate["servers"]["rms1.contoso.com"]["rms"]["app_pools"]["_DRMSAppPool1"] = "Stopped"
    windows(stopped)
    assert health(lab, "rms1.contoso.com") == 503
    assert health(lab, "rms3.contoso.com") == 404


def test_a_module_the_lab_does_not_model_fails_saying_so(lab, windows, tmp_path):
    windows()
    code, output = play(lab, tmp_path, "rms1.contoso.com", [{"name": "Ping", "ansible.windows.win_ping": {}}])
    assert code != 0 and "the lab does not model module ansible.windows.win_ping" in output, output[-3000:]


@pytest.mark.parametrize("right_password", [True, False])
def test_become_runas_checks_the_account_s_password_and_the_log_keeps_no_secret(lab, windows, tmp_path, right_password):
    windows()
    installer = lab["drkit_lab_windows"]["rms_installer"]
    password = installer["password"] if right_password else "not-" + installer["password"]
    task = {"name": "Feature", "ansible.windows.win_feature": {"name": "ADRMS-Server"}, "become": True, "become_method": "ansible.builtin.runas",
            "become_user": installer["username"], "vars": {"ansible_become_password": password}}
    code, output = play(lab, tmp_path, "rms3.contoso.com", [task])
    if right_password:
        assert code == 0 and admin(lab, "GET", "/estate", service="windows")["servers"]["rms3.contoso.com"]["features"]["ADRMS-Server"]
    else:
        assert code != 0 and "The user name or password is incorrect. (Win32ErrorCode 1326 - 0x0000052E)" in output, output[-3000:]
    entries = admin(lab, "GET", "/requests", service="windows")
    assert [entry["become_user"] for entry in entries if entry["operation"] == "module"] == [installer["username"]]
    logged = json.dumps(entries)  # the log's strings as they are, quotes escaped as JSON escapes them
    for secret in (password, lab["drkit_lab_windows"]["servers"]["rms3.contoso.com"]["ansible_password"]):
        assert json.dumps(secret)[1:-1] not in logged


def test_powershell_without_a_module_s_manifest_runs_nothing(lab, windows, tmp_path):
    before = windows()
    code, output = play(lab, tmp_path, "rms1.contoso.com", [{"name": "Raw", "ansible.builtin.raw": "Stop-WebAppPool -Name _DRMSAppPool1"}])
    assert code != 0 and "The input is not the manifest of Ansible's exec wrapper." in output, output[-3000:]
    assert admin(lab, "GET", "/estate", service="windows") == before
