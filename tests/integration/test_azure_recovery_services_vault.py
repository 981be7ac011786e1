"""drkit.microsoft.azure_recovery_services_vault through azure-mgmt-recoveryservices against the lab's Resource Manager."""
import uuid

from lab_admin import admin
from module_runner import run_module


def vault_args(azure_args, name, resource_group, **options):
    values = dict(azure_args, name=name, resource_group=resource_group, location="westeurope", wait_timeout=60)
    values.update(options)
    return values


def vault_writes(lab, name):
    return [e for e in admin(lab, "GET", "/requests", service="arm") if e["operation"] == "put_vault" and e["path"].endswith("/" + name)]


def test_a_vault_is_previewed_created_and_a_second_run_writes_nothing(lab, azure_args, azure_env):
    name, group = "rsv-%s" % uuid.uuid4().hex[:8], "rg-%s" % uuid.uuid4().hex[:6]
    preview = run_module("azure_recovery_services_vault", vault_args(azure_args, name, group, cross_region_restore=True), check=True,
                         diff=True, env=azure_env)
    assert not preview.failed, preview.result
    assert [a["action"] for a in preview["plan"]] == ["create_vault"] and preview["diff"]["after"]["storage_redundancy"] == "geo"
    assert vault_writes(lab, name) == []

    created = run_module("azure_recovery_services_vault", vault_args(azure_args, name, group, cross_region_restore=True), env=azure_env)
    assert not created.failed, created.result
    settings = created["vault"]["properties"]["redundancySettings"]
    assert settings == {"standardTierStorageRedundancy": "GeoRedundant", "crossRegionRestore": "Enabled"}
    again = run_module("azure_recovery_services_vault", vault_args(azure_args, name, group, cross_region_restore=True), env=azure_env)
    assert (again["changed"], again["plan"]) == (False, []) and len(vault_writes(lab, name)) == 1

    local = run_module("azure_recovery_services_vault", vault_args(azure_args, name, group, storage_redundancy="local"), diff=True,
                       env=azure_env)
    assert local["changed"] is True and local["plan"][0]["detail"]["fields"] == ["cross_region_restore", "storage_redundancy"]
    assert local["vault"]["properties"]["redundancySettings"]["standardTierStorageRedundancy"] == "LocallyRedundant"


def test_redundancy_is_locked_once_items_are_protected(lab, azure_args, azure_env):
    name, group = "rsv-%s" % uuid.uuid4().hex[:8], "rg-%s" % uuid.uuid4().hex[:6]
    admin(lab, "PUT", "/vaults", {"resource_group": group, "name": name, "location": "westeurope", "protected_items": ["vm1", "vm2"]},
          service="arm")
    refused = run_module("azure_recovery_services_vault", vault_args(azure_args, name, group, storage_redundancy="zone"), env=azure_env)
    assert refused.failed and "storage_redundancy" in refused["msg"] and "protects 2 items" in refused["msg"]
    assert vault_writes(lab, name) == []


def test_rules_that_need_no_call_are_checked_first(lab, azure_args, azure_env):
    admin(lab, "DELETE", "/requests", service="arm")
    for options, parameter in (({"name": "9-vault"}, "name"), ({"name": "v"}, "name"),
                               ({"cross_region_restore": True, "storage_redundancy": "local"}, "cross_region_restore")):
        values = dict(vault_args(azure_args, "rsv-ok", "rg-x"), **options)
        refused = run_module("azure_recovery_services_vault", values, env=azure_env)
        assert refused.failed and parameter in refused["msg"]
    assert admin(lab, "GET", "/requests", service="arm") == []


def test_a_vault_does_not_move(lab, azure_args, azure_env):
    name, group = "rsv-%s" % uuid.uuid4().hex[:8], "rg-%s" % uuid.uuid4().hex[:6]
    run_module("azure_recovery_services_vault", vault_args(azure_args, name, group), env=azure_env)
    moved = run_module("azure_recovery_services_vault", vault_args(azure_args, name, group, location="northeurope"), env=azure_env)
    assert moved.failed and "location" in moved["msg"] and "westeurope" in moved["msg"]
    assert len(vault_writes(lab, name)) == 1
