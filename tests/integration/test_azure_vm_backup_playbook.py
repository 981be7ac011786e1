"""playbooks/azure_vm_backup.yml against the lab's Resource Manager: vault, policy, protection of the play's VMs grouped by
policy, initial backups; check mode changes nothing, a second run changes nothing and starts no backup."""
import sys
import uuid

import yaml

from lab_admin import admin
from playbook_runner import ansible_playbook, recap_changed


def inventory(tmp_path, lab, azure_args, vms, vault):
    hosts = {vm["name"]: {"drkit_backup_vm": {"name": vm["name"], "resource_group": vm["resource_group"], "policy": policy}}
             for vm, policy in zip(vms, ["vm-daily", "vm-daily", "vm-weekly"])}
    group_vars = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable, "drkit_azure": azure_args,
                  "drkit_backup_vault": vault,
                  "drkit_backup_policies": [{"name": "vm-daily", "schedule": {"frequency": "daily", "times": ["23:30"]},
                                             "retention": {"daily": {"count": 30}}},
                                            {"name": "vm-weekly", "schedule": {"frequency": "weekly", "times": ["02:00"], "days": ["Sunday"]},
                                             "retention": {"weekly": {"count": 12}}}]}
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"children": {"azure_backup_vms": {"hosts": hosts, "vars": group_vars}}}}))
    return str(path)


def test_vms_are_protected_by_policy_and_backed_up_once(lab, tmp_path, azure_args, azure_env, azure_vm):
    vms = [azure_vm(), azure_vm(), azure_vm()]
    vault = {"name": "rsv-%s" % uuid.uuid4().hex[:8], "resource_group": "rg-%s" % uuid.uuid4().hex[:6], "location": "westeurope"}
    path = inventory(tmp_path, lab, azure_args, vms, vault)
    before = admin(lab, "GET", "/state", service="arm")
    code, output = ansible_playbook("-i", path, "--check", "playbooks/azure_vm_backup.yml", env=azure_env)
    assert code == 0, output
    after = admin(lab, "GET", "/state", service="arm")
    assert after["vaults"] == before["vaults"] and after["jobs"] == before["jobs"]

    code, output = ansible_playbook("-i", path, "playbooks/azure_vm_backup.yml", env=azure_env)
    assert code == 0, output
    state = admin(lab, "GET", "/state", service="arm")
    vault_state = next(v for v in state["vaults"].values() if v["name"] == vault["name"])
    assert sorted((item["friendly_name"], item["policy"]) for item in vault_state["protected_items"].values()) == sorted(
        [(vms[0]["name"], "vm-daily"), (vms[1]["name"], "vm-daily"), (vms[2]["name"], "vm-weekly")])
    jobs = [job for job in state["jobs"].values() if job["vault"] == vault_state["id"].lower()]
    assert sorted(job["vm"] for job in jobs) == sorted(vm["name"] for vm in vms)

    code, output = ansible_playbook("-i", path, "playbooks/azure_vm_backup.yml", env=azure_env)
    assert code == 0, output
    assert recap_changed(output) == 0
    assert len([job for job in admin(lab, "GET", "/state", service="arm")["jobs"].values() if job["vault"] == vault_state["id"].lower()]) == 3
    assert azure_args["secret"] not in output

    code, output = ansible_playbook("-i", path, "playbooks/azure_vm_backup_report.yml", env=azure_env)
    assert code == 0, output
    for vm, policy in zip(vms, ["vm-daily", "vm-daily", "vm-weekly"]):
        assert "%s (%s, westeurope): vault %s (%s), policy %s, Protected, last backup Completed at " % (
            vm["name"], vm["resource_group"], vault["name"], vault["resource_group"], policy) in output, output
    assert recap_changed(output) == 0


def test_the_report_names_vms_no_vault_backs_up(lab, tmp_path, azure_args, azure_env, azure_vm):
    vm = azure_vm()
    vault = {"name": "rsv-%s" % uuid.uuid4().hex[:8], "resource_group": "rg-%s" % uuid.uuid4().hex[:6], "location": "westeurope"}
    path = inventory(tmp_path, lab, azure_args, [vm], vault)
    code, output = ansible_playbook("-i", path, "playbooks/azure_vm_backup_report.yml", env=azure_env)
    assert code == 0, output
    assert "%s (%s, westeurope): NOT BACKED UP by any vault" % (vm["name"], vm["resource_group"]) in output
