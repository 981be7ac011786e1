"""Stand-in for the get-pip.py bootstrap script that ansible-test downloads.

ansible-test seeds pip into each test virtual environment with a get-pip.py fetched
from a host that package-registry-only networks cannot reach; it uses a cached copy
when one exists. This stand-in seeds pip from the standard library's ensurepip and
then installs what ansible-test asked for from the configured package index.
"""
import subprocess
import sys

# Options the bundled pip of older Pythons rejects; ansible-test passes them.
UNSUPPORTED = {"--no-setuptools", "--no-wheel"}


def main():
    # In a child process: ensurepip sets PIP_CONFIG_FILE to /dev/null in its own
    # environment, which would hide the machine's pip configuration from the install.
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
    arguments = [arg for arg in sys.argv[1:] if arg not in UNSUPPORTED]
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + arguments)


if __name__ == "__main__":
    main()
