# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""T-SQL text the collection writes itself: identifiers quoted the SQL Server way, and the few
literals that cannot be parameters (a key-backup password) escaped by one function.

Everything else travels as a parameter (``?``), never spliced into a statement.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter

# sysname: nvarchar(128).
MAX_IDENTIFIER_LENGTH = 128


def validate_name(name, parameter):
    """Refuse *name*, naming the module *parameter* it came from, when SQL Server could not hold it: a name is a sysname.

    Modules check the names they are given with it before they connect; QUOTENAME itself returns NULL past 128 characters."""
    if not isinstance(name, str) or not name:
        raise InvalidParameter(parameter, "must be a non-empty name")
    if len(name) > MAX_IDENTIFIER_LENGTH:
        raise InvalidParameter(parameter, "must be at most %d characters (a SQL Server name is a sysname)" % MAX_IDENTIFIER_LENGTH)
    if "\0" in name:
        raise InvalidParameter(parameter, "must not contain a NUL character")


def quote_identifier(name, parameter):
    """``[name]`` with each ``]`` doubled, as QUOTENAME does; refused (:func:`validate_name`) when SQL Server could not hold it."""
    validate_name(name, parameter)
    return "[%s]" % name.replace("]", "]]")


def quote_literal(value, parameter):
    """``N'value'`` with each ``'`` doubled: the one way a value that cannot be a parameter enters T-SQL."""
    if not isinstance(value, str):
        raise InvalidParameter(parameter, "must be a string")
    if "\0" in value:
        raise InvalidParameter(parameter, "must not contain a NUL character")
    return "N'%s'" % value.replace("'", "''")
