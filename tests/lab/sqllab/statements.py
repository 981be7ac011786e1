"""How the lab answers T-SQL: each statement kind is one pattern and one handler, registered with
``@statement``; the modules that register them are imported by sqllab/language.py.

A batch is one statement (the collection sends one at a time). What no pattern matches is
answered with error 50000 naming the statement, never guessed at.
"""
import re

from sqllab import errors


class Reply:
    """What a statement answers: result sets, messages; the session adds the DONE tokens."""

    def __init__(self):
        self.result_sets = []  # [(columns, rows)]
        self.messages = []  # [(number, text, severity, state)]
        self.row_count = None

    def result_set(self, columns, rows):
        self.result_sets.append((columns, list(rows)))

    def info(self, number, text, state=1):
        self.messages.append((number, text, 0 if number == 0 else 10, state))


STATEMENTS = []


def statement(pattern):
    def register(handler):
        STATEMENTS.append((re.compile(pattern, re.IGNORECASE | re.DOTALL), handler))
        return handler
    return register


def execute(session, text, params=None):
    """Run one statement for *session* with *params* ({"@P1": value}); returns a Reply or raises SqlError."""
    stripped = text.strip().rstrip(";").strip()
    for pattern, handler in STATEMENTS:
        found = pattern.fullmatch(stripped)
        if found:
            reply = Reply()
            try:
                handler(session, reply, Values(params or {}), **found.groupdict())
            except errors.SqlError as error:
                error.printed = reply.messages  # progress sent before the failure reaches the client too
                raise
            return reply
    raise errors.not_implemented(stripped)


class Values:
    """A statement's operands: a parameter (@P1) is looked up, a literal (N'..', 12) is read."""

    def __init__(self, params):
        self.params = {name.lower(): value for name, value in params.items()}

    def __call__(self, operand):
        operand = operand.strip()
        if operand.startswith("@"):
            if operand.lower() not in self.params:
                raise errors.SqlError(137, 'Must declare the scalar variable "%s".' % operand, severity=15, state=2)
            return self.params[operand.lower()]
        literal = re.fullmatch(r"N?'((?:[^']|'')*)'", operand, re.DOTALL)
        if literal:
            return literal.group(1).replace("''", "'")
        if re.fullmatch(r"-?\d+", operand):
            return int(operand)
        if operand.upper() == "NULL":
            return None
        raise errors.not_implemented("the operand %s" % operand)
