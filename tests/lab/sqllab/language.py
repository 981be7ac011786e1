"""Every statement the lab answers: importing the modules that define them registers them."""
# pylint: disable=unused-import
from sqllab import backup, basics, databases, dbkeys, keys, labprocs, messages, serversecrets  # noqa: F401
from sqllab.statements import execute  # noqa: F401
