"""Databases with Orchestrator's key hierarchy in the lab's SQL Server, for the key tests."""
import uuid

from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import quote_identifier, quote_literal


def encrypted_database(sql_client, prefix="Orchestrator"):
    """A new database with a master key (encrypted by the service master key), ORCHESTRATOR_ASYM_KEY and ORCHESTRATOR_SYM_KEY;
    its name holds a quote, a bracket, a semicolon and a comment."""
    name = "%s_%s']; --" % (prefix, uuid.uuid4().hex[:8])
    for statement in ("CREATE DATABASE %s" % quote_identifier(name, "database"), "USE %s" % quote_identifier(name, "database"),
                      "CREATE MASTER KEY ENCRYPTION BY PASSWORD = %s" % quote_literal("Dmk-Pa55word!", "password"),
                      "CREATE ASYMMETRIC KEY ORCHESTRATOR_ASYM_KEY WITH ALGORITHM = RSA_2048",
                      "CREATE SYMMETRIC KEY ORCHESTRATOR_SYM_KEY WITH ALGORITHM = AES_256 ENCRYPTION BY ASYMMETRIC KEY ORCHESTRATOR_ASYM_KEY",
                      "USE master"):
        sql_client.execute("setup", statement)
    return name
