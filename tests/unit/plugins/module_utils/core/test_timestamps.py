"""User times become one sortable UTC shape; bad ones name the parameter."""

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.timestamps import parse_utc


@pytest.mark.parametrize("value, stamp", [
    ("2026-11-23T06:00:00Z", "2026-11-23T06:00:00.000000Z"),
    ("2026-11-23T07:00:00+01:00", "2026-11-23T06:00:00.000000Z"),
    ("2026-11-23 06:00", "2026-11-23T06:00:00.000000Z"),
])
def test_times_are_normalised_to_utc(value, stamp):
    assert parse_utc(value, "restore_before") == stamp


def test_normalised_stamps_sort_in_time_order():
    assert parse_utc("2026-11-23T06:00:00.5Z", "x") > parse_utc("2026-11-23T06:00:00Z", "x")


def test_a_bad_time_names_the_parameter():
    with pytest.raises(InvalidParameter) as caught:
        parse_utc("yesterday", "restore_before")
    assert caught.value.parameter == "restore_before"
