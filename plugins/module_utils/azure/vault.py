# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Recovery Services vaults: the options checked against the service's rules, the vault's shape, and the plan.

A vault's storage redundancy (geo-redundant by default, locally or zone-redundant) cannot change once it protects items;
cross-region restore needs geo-redundant storage; a vault does not move to another region.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import ActionType, Plan

REDUNDANCY = {"geo": "GeoRedundant", "local": "LocallyRedundant", "zone": "ZoneRedundant"}
CREATE_VAULT = ActionType("create_vault", "create")
UPDATE_VAULT = ActionType("update_vault", "modify")
_VAULT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{1,49}$")


def desired_vault(params):
    """The vault's settings the options ask for; InvalidParameter names the broken rule."""
    if not _VAULT_NAME.fullmatch(params["name"] or ""):
        raise InvalidParameter("name", "must be 2 to 50 letters, digits and hyphens, starting with a letter")
    if params["cross_region_restore"] and params["storage_redundancy"] != "geo":
        raise InvalidParameter("cross_region_restore", "needs storage_redundancy=geo (the copy in the paired region is what it restores from)")
    return {"location": params["location"], "storage_redundancy": params["storage_redundancy"],
            "cross_region_restore": bool(params["cross_region_restore"])}


def vault_shape(resource):
    """The settings of a vault as the service returns it (its REST document), in the options' terms."""
    settings = (resource.get("properties") or {}).get("redundancySettings") or {}
    by_service = dict((value, key) for key, value in REDUNDANCY.items())
    return {"location": resource["location"], "storage_redundancy": by_service.get(settings.get("standardTierStorageRedundancy"), "geo"),
            "cross_region_restore": settings.get("crossRegionRestore") == "Enabled"}


def vault_document(desired):
    return {"location": desired["location"], "sku": {"name": "Standard"},
            "properties": {"publicNetworkAccess": "Enabled",
                           "redundancySettings": {"standardTierStorageRedundancy": REDUNDANCY[desired["storage_redundancy"]],
                                                  "crossRegionRestore": "Enabled" if desired["cross_region_restore"] else "Disabled"}}}


def plan_vault(name, current, desired, protected_items):
    """*current* is the vault's shape or None; *protected_items* how many items it protects."""
    if current is None:
        if not desired["location"]:
            raise InvalidParameter("location", "is required to create vault %s" % name)
        plan = Plan(before=None, after=desired)
        plan.add(CREATE_VAULT(name, **desired))
        plan.notice("Storage redundancy %s cannot change once the vault protects items." % desired["storage_redundancy"])
        return plan
    wanted = dict(desired, location=desired["location"] or current["location"])
    if wanted["location"].replace(" ", "").lower() != current["location"].replace(" ", "").lower():
        raise InvalidParameter("location", "vault %s is in %s; a vault does not move to another region" % (name, current["location"]))
    wanted["location"] = current["location"]
    if wanted["storage_redundancy"] != current["storage_redundancy"] and protected_items:
        raise InvalidParameter("storage_redundancy", "vault %s protects %d items: its storage redundancy (%s) can no longer change"
                               % (name, protected_items, current["storage_redundancy"]))
    plan = Plan(before=current, after=wanted)
    changed = sorted(key for key in wanted if wanted[key] != current[key])
    if changed:
        plan.add(UPDATE_VAULT(name, fields=changed))
    return plan
