"""SQL Server's errors as the lab raises them: number, severity, state and the documented text."""


class SqlError(Exception):
    """An error answer; *then* are the errors SQL Server sends after it for the same statement
    (3013 "BACKUP DATABASE is terminating abnormally." after the cause)."""

    def __init__(self, number, text, severity=16, state=1, then=()):
        super().__init__("Msg %d, Level %d, State %d: %s" % (number, severity, state, text))
        self.number, self.text, self.severity, self.state = number, text, severity, state
        self.then = list(then)
        self.printed = []  # (number, text, severity, state) the statement sent before it failed

    def messages(self):
        """(number, text, severity, state) of this error and those that follow it."""
        return [(self.number, self.text, self.severity, self.state)] + [m for error in self.then for m in error.messages()]


def login_failed(user):
    return SqlError(18456, "Login failed for user '%s'." % user, severity=14, state=1)


def cannot_open_database(database):
    return SqlError(4060, 'Cannot open database "%s" requested by the login. The login failed.' % database, severity=11, state=1)


def not_implemented(statement):
    shown = " ".join(statement.split())
    shown = shown if len(shown) <= 200 else shown[:200] + "..."
    return SqlError(50000, "The lab's SQL Server does not implement this statement: %s" % shown, severity=16, state=1)


def terminating(statement):
    """3013: what SQL Server adds after the cause of a failed BACKUP, RESTORE or VERIFY."""
    return SqlError(3013, "%s is terminating abnormally." % statement, severity=16, state=1)


def failed(cause, statement):
    """*cause* followed by 3013 for *statement* ("BACKUP DATABASE", "RESTORE DATABASE", "VERIFY DATABASE")."""
    cause.then.append(terminating(statement))
    return cause
