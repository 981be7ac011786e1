"""The SQL wrappers' statements and shapes, with a recording stand-in for the client."""
from types import SimpleNamespace

from ansible_collections.drkit.microsoft.plugins.module_utils.sql import api


class RecordingClient(object):
    def __init__(self, rows=()):
        self.calls, self.rows = [], list(rows)

    def execute(self, operation, statement, params=(), target=None):
        self.calls.append((operation, statement, tuple(params), target))
        return SimpleNamespace(rows=self.rows, messages=["done"])


def test_header_keys_become_snake_case():
    client = RecordingClient([{"FirstLSN": 1, "BackupSetGUID": "g", "HasBackupChecksums": True, "IsCopyOnly": False,
                               "SoftwareVersionMajor": 16, "DatabaseName": "db", "BackupType": 1}])
    assert api.read_backup_header(client, "C:\\b.bak") == {"first_lsn": 1, "backup_set_guid": "g", "has_backup_checksums": True,
                                                           "is_copy_only": False, "software_version_major": 16, "database_name": "db",
                                                           "backup_type": 1}


def test_a_backup_quotes_the_name_and_passes_the_path_as_a_parameter():
    client = RecordingClient()
    api.backup_database(client, "RMS]; DROP", "C:\\Backups\\it's.bak", compression=True, copy_only=True, stats=5)
    operation, statement, params, target = client.calls[0]
    assert operation == "backup_database" and target == "RMS]; DROP"
    assert statement == ("BACKUP DATABASE [RMS]]; DROP] TO DISK = ? WITH CHECKSUM, COMPRESSION, INIT, FORMAT, STATS = 5, COPY_ONLY")
    assert params == ("C:\\Backups\\it's.bak",)


def test_message_values_travel_as_parameters():
    client = RecordingClient()
    api.add_user_message(client, {"message_id": 50123, "severity": 16, "is_event_logged": True, "text": "it's ]; --"}, "Deutsch")
    _operation, statement, params, _target = client.calls[0]
    assert "it's" not in statement and params == (50123, 16, "it's ]; --", "Deutsch", "TRUE", None)
