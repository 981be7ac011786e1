"""Start a command detached from its caller and print its pid, so a lab service outlives labctl.

Usage: python detach.py LOG_FILE -- COMMAND [ARGUMENT...]

The command runs in a session of its own (a signal to its process group reaches everything it
starts, and nothing from the caller's terminal reaches it), reads /dev/null and writes its
output to LOG_FILE, replacing an earlier run's. The fork happens here, in a single-threaded
helper, not in the caller: the service is then nobody's child but init's, so a long-lived
caller such as a pytest session never holds a zombie of it, and forking never copies a
multi-threaded caller's held locks.
"""
import os
import sys


def main(argv):
    if len(argv) < 3 or argv[1] != "--":
        sys.stderr.write(__doc__)
        return 2
    log_path, command = argv[0], argv[2:]
    pid = os.fork()
    if pid == 0:
        _become_service(log_path, command)
    print(pid)
    return 0


def _become_service(log_path, command):
    os.setsid()
    stdin = os.open(os.devnull, os.O_RDONLY)
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(stdin, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    try:
        os.execvp(command[0], command)
    except OSError as error:
        os.write(2, ("cannot run %s: %s\n" % (command[0], error)).encode())
    os._exit(127)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
