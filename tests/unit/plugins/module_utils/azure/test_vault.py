"""Recovery Services vaults: the options' rules and the plan. Pure functions, no Azure."""
import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.azure import vault
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter

PARAMS = {"name": "rsv-prod", "location": "westeurope", "storage_redundancy": "geo", "cross_region_restore": True}
STORED = {"location": "westeurope", "sku": {"name": "Standard"},
          "properties": {"redundancySettings": {"standardTierStorageRedundancy": "GeoRedundant", "crossRegionRestore": "Enabled"}}}


def test_a_stored_vault_maps_to_the_options_and_back():
    current = vault.vault_shape(STORED)
    assert current == vault.desired_vault(PARAMS)
    assert vault.vault_document(current)["properties"]["redundancySettings"] == STORED["properties"]["redundancySettings"]
    assert vault.plan_vault("rsv-prod", current, vault.desired_vault(PARAMS), 3).actions == []


@pytest.mark.parametrize("name", ["1vault", "v", "a" * 51, "rsv_prod", "rsv.prod"])
def test_vault_names_follow_the_service_s_rule(name):
    with pytest.raises(InvalidParameter) as refused:
        vault.desired_vault(dict(PARAMS, name=name))
    assert refused.value.parameter == "name"


def test_redundancy_is_locked_by_protected_items_and_the_region_never_changes():
    current = vault.vault_shape(STORED)
    with pytest.raises(InvalidParameter) as locked:
        vault.plan_vault("rsv-prod", current, vault.desired_vault(dict(PARAMS, storage_redundancy="zone", cross_region_restore=False)), 2)
    assert locked.value.parameter == "storage_redundancy" and "protects 2 items" in str(locked.value)
    free = vault.plan_vault("rsv-prod", current, vault.desired_vault(dict(PARAMS, storage_redundancy="zone", cross_region_restore=False)), 0)
    assert [(a.type.name, a.detail["fields"]) for a in free.actions] == [("update_vault", ["cross_region_restore", "storage_redundancy"])]
    with pytest.raises(InvalidParameter) as moved:
        vault.plan_vault("rsv-prod", current, vault.desired_vault(dict(PARAMS, location="North Europe")), 0)
    assert moved.value.parameter == "location"
    same_region = vault.plan_vault("rsv-prod", current, vault.desired_vault(dict(PARAMS, location="West Europe")), 0)
    assert same_region.actions == []


def test_creating_needs_a_location_and_cross_region_restore_needs_geo():
    with pytest.raises(InvalidParameter) as missing:
        vault.plan_vault("rsv-new", None, vault.desired_vault(dict(PARAMS, location=None)), 0)
    assert missing.value.parameter == "location"
    with pytest.raises(InvalidParameter) as local:
        vault.desired_vault(dict(PARAMS, storage_redundancy="local"))
    assert local.value.parameter == "cross_region_restore"
