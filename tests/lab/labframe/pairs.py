"""Secrets handed to a lab process by environment variable, as "name:secret;name:secret" (Azurite's
AZURITE_ACCOUNTS format): a command line is readable by every local user, an environment is not."""


def join_pairs(mapping):
    return ";".join("%s:%s" % item for item in mapping.items())


def parse_pairs(text):
    """{name: secret} from "name:secret;name:secret"; secrets may hold ':'."""
    pairs = {}
    for entry in (text or "").split(";"):
        if entry:
            name, secret = entry.split(":", 1)
            pairs[name] = secret
    return pairs
