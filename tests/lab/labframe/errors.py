"""The one error the lab raises for anything the operator must fix; labctl prints its message."""


class LabError(Exception):
    """A lab operation failed; the message says what happened and what to do."""
