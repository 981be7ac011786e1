"""Every statement the lab answers: importing the modules that define them registers them."""
# pylint: disable=unused-import
from sqllab import backup, basics, databases, labprocs, messages  # noqa: F401
from sqllab.statements import execute  # noqa: F401
