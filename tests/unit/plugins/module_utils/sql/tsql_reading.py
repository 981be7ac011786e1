"""Reading T-SQL's delimited tokens back, as SQL Server does: the unit and injection tests' independent check of the quoting."""


def read_delimited(text, at, close):
    """(value, position after the token, whether it ended) of the token whose content starts at *at* and ends at a *close*
    that is not doubled (a doubled one is one *close* of the value)."""
    value = []
    while at < len(text):
        if text[at] == close:
            if text.startswith(close * 2, at):
                value.append(close)
                at += 2
                continue
            return "".join(value), at + 1, True
        value.append(text[at])
        at += 1
    return "".join(value), at, False
