"""Secret scrubbing: exact values and secret-shaped fields never leave a module."""

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError
from ansible_collections.drkit.microsoft.plugins.module_utils.core.secrets import REDACTED, scrub, scrub_data

CANARY = "Canary-p@ss'w0rd]--;"


@pytest.mark.parametrize("text, secret_part", [
    ("GET https://acct.blob.core.windows.net/c/b?sv=2024-11-04&sr=b&sig=AbC%2Fdef%3D&se=2026", "AbC%2Fdef%3D"),
    ("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0a2V5PT0=;EndpointSuffix=x", "c2VjcmV0a2V5PT0="),
    ("DRIVER={FreeTDS};SERVER=sql1;UID=sa;PWD={pa;ss}}word};DATABASE=master", "pa;ss}}word"),
    ("Password=hunter22;Server=x", "hunter22"),
    ("BACKUP SERVICE MASTER KEY TO FILE = N'c:\\smk' ENCRYPTION BY PASSWORD = N'it''s secret'", "it''s secret"),
    ("RESTORE SERVICE MASTER KEY FROM FILE = 'x' DECRYPTION BY PASSWORD = 'Zz9!zz'", "Zz9!zz"),
    ("headers: {'Authorization': 'Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl'}", "eyJhbGciOi"),
    ('{"client_secret": "s3cr3t-value", "tenant": "t"}', "s3cr3t-value"),
])
def test_secret_shaped_fields_are_masked(text, secret_part):
    scrubbed = scrub(text)
    assert secret_part not in scrubbed
    assert REDACTED in scrubbed


def test_exact_secret_values_are_masked_wherever_they_appear():
    text = "login failed for user 'sa' with %s while connecting" % CANARY
    assert CANARY not in scrub(text, [CANARY])
    assert "login failed for user 'sa'" in scrub(text, [CANARY])


def test_longer_secret_is_masked_whole_when_it_contains_a_shorter_one():
    assert scrub("key=abcdef123456", ["abcd", "abcdef123456"]) == "key=" + REDACTED


def test_tiny_values_are_not_treated_as_secrets():
    assert scrub("a b c", ["a", ""]) == "a b c"


def test_ordinary_text_is_left_alone():
    text = "RESTORE DATABASE [DRMS_Config] FROM DISK = N'/backup/x.bak' WITH CHECKSUM"
    assert scrub(text) == text


def test_nested_results_are_scrubbed():
    data = {"msg": "x " + CANARY, "items": [{"url": "https://a/b?sig=zzz"}, 3, None]}
    scrubbed = scrub_data(data, [CANARY])
    assert CANARY not in repr(scrubbed)
    assert "zzz" not in repr(scrubbed)
    assert scrubbed["items"][1:] == [3, None]


def test_an_error_result_names_step_target_and_code_without_secrets():
    error = DrkitError("Login failed: password %s rejected" % CANARY, step="connect", target="sql1:1433", code=18456,
                       details={"connection": "UID=sa;PWD=%s" % CANARY})
    result = error.as_result([CANARY])
    assert result["step"] == "connect" and result["target"] == "sql1:1433" and result["error_code"] == 18456
    assert "connect on sql1:1433 [18456]" in result["msg"]
    assert CANARY not in repr(result)
