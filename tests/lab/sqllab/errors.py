"""SQL Server's errors as the lab raises them: number, severity, state and the documented text."""


class SqlError(Exception):
    def __init__(self, number, text, severity=16, state=1):
        super().__init__("Msg %d, Level %d, State %d: %s" % (number, severity, state, text))
        self.number, self.text, self.severity, self.state = number, text, severity, state


def login_failed(user):
    return SqlError(18456, "Login failed for user '%s'." % user, severity=14, state=1)


def cannot_open_database(database):
    return SqlError(4060, 'Cannot open database "%s" requested by the login. The login failed.' % database, severity=11, state=1)


def not_implemented(statement):
    shown = " ".join(statement.split())
    shown = shown if len(shown) <= 200 else shown[:200] + "..."
    return SqlError(50000, "The lab's SQL Server does not implement this statement: %s" % shown, severity=16, state=1)
