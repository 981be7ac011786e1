# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One SQL Server connection through pyodbc, and statements run to their real end.

A statement's answer is every result set and every message (PRINT, ``STATS`` progress, warnings)
it produced: the cursor is drained with ``nextset()`` until the server has nothing more, since
a BACKUP or RESTORE whose trailing results are not read may never complete. Errors, including
those that surface in a later result set, become :class:`DrkitError` carrying SQL Server's error
number (3201, 3154, 18456 ...) and its text, without the driver's prefixes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import tempfile
import traceback
from contextlib import contextmanager

from ansible.module_utils.basic import missing_required_lib
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.connection import (freetds_configuration, odbc_connection_string,
                                                                                     pyodbc_connect_kwargs)

# "[42000] [FreeTDS][SQL Server]Login failed for user 'sa'. (18456) (SQLDriverConnect)"; the Microsoft
# driver joins several records with "; ".
_RECORD = re.compile(r"^(?:\[[^\]]*\]\s*)*(?P<text>.*?)\s*\((?P<number>-?\d+)\)(?:\s*\(SQL\w+\))?$", re.DOTALL)
_PREFIX = re.compile(r"^(?:\[[^\]]*\]\s*)+")


class SqlAnswer(object):
    """What one statement produced: result sets (lists of row dicts), messages, and row count."""

    def __init__(self):
        self.result_sets = []
        self.messages = []
        self.row_count = -1

    @property
    def rows(self):
        """The rows of the first result set (most statements have one)."""
        return self.result_sets[0] if self.result_sets else []


class SqlClient(object):
    """A connection with autocommit and no query timeout; the login timeout is the user's."""

    def __init__(self, params):
        try:
            import pyodbc  # pylint: disable=import-outside-toplevel
        except ImportError:
            raise DrkitError(missing_required_lib("pyodbc"), step="connect", details={"exception": traceback.format_exc()})
        self._pyodbc = pyodbc
        self.target = "%s:%s" % (params["login_host"], params.get("login_port") or params.get("instance") or 1433)
        connection_string = odbc_connection_string(params)
        with freetds_entry(freetds_configuration(params)):
            with self.errors("connect", self.target):
                self.connection = pyodbc.connect(connection_string, **pyodbc_connect_kwargs(params))
        # 0: no query timeout. A backup of a large database runs as long as it runs.
        self.connection.timeout = 0

    def execute(self, operation, statement, params=(), target=None):
        """Run *statement* with *params* (as ``?`` placeholders) to its end; returns a :class:`SqlAnswer`."""
        answer = SqlAnswer()
        cursor = self.connection.cursor()
        try:
            with self.errors(operation, target, answer):
                cursor.execute(statement, *params)
                while True:
                    _collect(cursor, answer)
                    if not cursor.nextset():
                        break
        finally:
            cursor.close()
        return answer

    def close(self):
        self.connection.close()

    @contextmanager
    def errors(self, operation, target, answer=None):
        """Report a pyodbc error inside the block as *operation* on *target* with SQL Server's number;
        the messages the statement printed before failing (*answer*) go into the error's details."""
        try:
            yield
        except self._pyodbc.Error as error:
            number, text = sql_error(error)
            details = {"sqlstate": error.args[0] if error.args else None}
            if answer is not None and answer.messages:
                details["messages"] = answer.messages
            raise DrkitError(text, step=operation, target=target, code=number, details=details)


@contextmanager
def freetds_entry(configuration):
    """A private freetds.conf holding *configuration*, named by FREETDSCONF while the block connects.

    FreeTDS reads it only while connecting; it is removed afterwards and the environment restored."""
    if configuration is None:
        yield
        return
    handle, path = tempfile.mkstemp(prefix="drkit-freetds-", suffix=".conf")
    previous = os.environ.get("FREETDSCONF")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(configuration)
        os.environ["FREETDSCONF"] = path
        yield
    finally:
        if previous is None:
            os.environ.pop("FREETDSCONF", None)
        else:
            os.environ["FREETDSCONF"] = previous
        os.unlink(path)


def sql_error(error):
    """(SQL Server error number or None, message text) of a pyodbc error."""
    message = error.args[1] if len(error.args) > 1 else str(error)
    first = message.split("; [", 1)[0]
    found = _RECORD.match(first.strip())
    if found:
        return int(found.group("number")), found.group("text")
    return None, _PREFIX.sub("", first).strip()


def _collect(cursor, answer):
    """Add the cursor's current result set (or row count) and its messages to *answer*."""
    answer.messages.extend(_PREFIX.sub("", text) for _state, text in (cursor.messages or []))
    if cursor.description:
        names = [column[0] for column in cursor.description]
        answer.result_sets.append([dict(zip(names, row)) for row in cursor.fetchall()])
    elif cursor.rowcount is not None and cursor.rowcount >= 0:
        answer.row_count = cursor.rowcount
