# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""UTC time stamps in one fixed ISO 8601 shape, so that they also sort as strings."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime, timezone

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter


def utc_stamp(moment):
    """``2026-11-23T07:44:04.123456Z``: always microseconds, always UTC."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc_time(value, parameter):
    """An ISO 8601 time given by a user (or read from a service) as an aware UTC datetime; without offset it is UTC."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidParameter(parameter, "must be an ISO 8601 time such as 2026-11-23T06:00:00Z, not %r" % value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def parse_utc(value, parameter):
    """Parse an ISO 8601 time given by a user into a stamp (:func:`utc_stamp`); a time without offset is taken as UTC."""
    return utc_stamp(parse_utc_time(value, parameter))
