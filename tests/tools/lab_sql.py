"""Set up and inspect the lab's SQL Server from molecule scenarios, through the collection's SQL layer.

Usage: lab_sql.py <lab inventory> database NAME           create the database unless it exists
       lab_sql.py <lab inventory> message NUMBER LANGUAGE TEXT   add or replace a user-defined message
       lab_sql.py <lab inventory> drop-message NUMBER     drop the message in every language
       lab_sql.py <lab inventory> languages NUMBER        print the languages the message exists in
       lab_sql.py <lab inventory> keys NAME               give the database Orchestrator's keys (master, asymmetric, symmetric)
       lab_sql.py <lab inventory> keys-open NAME          print whether they open (yes or no)
       lab_sql.py <lab inventory> replace-smk             a new service master key, as on a rebuilt instance
       lab_sql.py <lab inventory> write-pages NAME COUNT  overwrite COUNT pages with random bytes
       lab_sql.py <lab inventory> digest NAME             print the SHA-256 of the database's pages
Needs the collection on PYTHONPATH (the collections path)."""
import sys

import yaml

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError
from ansible_collections.drkit.microsoft.plugins.module_utils.sql import api, keys
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.client import SqlClient
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import quote_identifier

DATABASE_EXISTS = 1801


def connect(inventory_path):
    with open(inventory_path, encoding="utf-8") as stream:
        lab = yaml.safe_load(stream)["all"]["vars"]
    return SqlClient(dict(lab["drkit_lab_sql"], instance=None, integrated_auth=False, encrypt="mandatory",
                          trust_server_certificate=False, login_timeout=10, application_name="drkit.microsoft molecule"))


def main(inventory_path, command, *arguments):
    client = connect(inventory_path)
    if command == "database":
        try:
            client.execute("create_database", "CREATE DATABASE %s" % quote_identifier(arguments[0], "database"))
            print("created")
        except DrkitError as error:
            if error.code != DATABASE_EXISTS:
                raise
            print("exists")
    elif command == "message":
        number, language, text = arguments
        client.execute("add_message", "EXEC sp_addmessage @msgnum = ?, @severity = ?, @msgtext = ?, @lang = ?, @replace = ?",
                       (int(number), 16, text, language, "replace"))
    elif command == "drop-message":
        client.execute("drop_message", "EXEC sp_dropmessage @msgnum = ?, @lang = ?", (int(arguments[0]), "all"))
    elif command == "languages":
        names = api.read_languages(client)
        print(" ".join(sorted(names[row["language_id"]] for row in api.read_user_messages(client) if row["message_id"] == int(arguments[0]))))
    elif command == "keys":
        for statement in ("USE %s" % quote_identifier(arguments[0], "database"),
                          "CREATE MASTER KEY ENCRYPTION BY PASSWORD = N'Molecule-Dmk-1'",
                          "CREATE ASYMMETRIC KEY ORCHESTRATOR_ASYM_KEY WITH ALGORITHM = RSA_2048",
                          "CREATE SYMMETRIC KEY ORCHESTRATOR_SYM_KEY WITH ALGORITHM = AES_256 ENCRYPTION BY ASYMMETRIC KEY ORCHESTRATOR_ASYM_KEY"):
            client.execute("keys", statement)
    elif command == "keys-open":
        print("yes" if keys.symmetric_key_opens(client, arguments[0], "ORCHESTRATOR_SYM_KEY", "ORCHESTRATOR_ASYM_KEY")[0] else "no")
    elif command == "replace-smk":
        client.execute("replace_smk", "EXEC drkit_lab.replace_service_master_key")
    elif command == "write-pages":
        client.execute("write_pages", "EXEC drkit_lab.write_pages @database = ?, @pages = ?", (arguments[0], int(arguments[1])))
    elif command == "digest":
        print(client.execute("digest", "EXEC drkit_lab.database_digest @database = ?", (arguments[0],)).rows[0]["digest"])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(*sys.argv[1:])
