"""labctl: install, start, stop and inspect the lab, local stand-ins for vendor services.

    python tests/lab/labctl.py {install,start,stop,status,inventory} [--state-dir DIR] [--services a,b]

Every service listens on 127.0.0.1 only, on ports picked free at start. ``start`` is idempotent
(running services are reused, with their ports and keys) and prints the lab's Ansible inventory,
also written to <state>/inventory.yml. The functions below are what the integration tests call.
"""
import argparse
import dataclasses
import os
import sys
import time

from labframe import processes
from labframe.errors import LabError
from labframe.inventory import build_inventory, render
from labframe.state import LabState, write_private
from labframe.tls import create_tls_files, tls_files
from services import SERVICES
from services.base import LabContext, ServiceRun

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_STATE_DIR = os.path.join(REPO, ".lab")
# As the status action of LSB init scripts: 0 running, 3 not running.
EXIT_NOT_RUNNING = 3
LOG_TAIL_LINES = 20


def select(names=None):
    """The services named in *names* (all when None), in registration order."""
    unknown = sorted(set(names or ()) - set(SERVICES))
    if unknown:
        raise LabError("unknown service(s) %s; the lab has: %s" % (", ".join(unknown), ", ".join(SERVICES)))
    return [service for name, service in SERVICES.items() if names is None or name in names]


def install(names=None):
    """Fetch what the named services (all by default) need to run; quick when already done."""
    for service in select(names):
        service.install()


def start(state_dir, names=None):
    """Start the named services (all by default), and those they need, not running yet; wait until all answer.

    Returns the lab's inventory as a dict, as written to <state_dir>/inventory.yml."""
    services = select(_with_needs(names))
    state = LabState(state_dir)
    with state.locked():
        runs = _alive_runs(state)
        # A new CA and certificate per lab start; running services keep the ones they were started with.
        tls = tls_files(state.tls_dir) if runs else create_tls_files(state.tls_dir)
        launched = set()
        for service in services:
            context = _context(state, tls, service, runs)
            if service.name in runs and launched.intersection(service.needs):
                # What it talks to was started afresh, on a new port with new keys: this run is stale.
                _stop_run(service, runs.pop(service.name))
                _save(state, runs)
            if service.name not in runs:
                runs[service.name] = _launch(service, context, state.log_path(service.name))
                launched.add(service.name)
                # Recorded before waiting, so that `stop` finds it whatever happens next.
                _save(state, runs)
            try:
                _wait_until_ready(service, context, runs[service.name])
            except LabError:
                _stop_run(service, runs.pop(service.name))
                _save(state, runs)
                raise
        # Also forgets services found dead above.
        _save(state, runs)
        return _write_inventory(state, tls, runs)


def stop(state_dir, names=None):
    """SIGTERM the named services (all by default), SIGKILL those that outstay their timeout."""
    services = select(names)
    state = LabState(state_dir)
    if not os.path.exists(state.record_path):
        return
    with state.locked():
        runs = _recorded_runs(state)
        # Those that talk to others first, so none is left running in front of a stopped one.
        for service in reversed(services):
            if service.name in runs:
                _stop_run(service, runs.pop(service.name))
                _save(state, runs)
        if runs:
            _write_inventory(state, tls_files(state.tls_dir), runs)
        elif os.path.exists(state.inventory_path):
            os.remove(state.inventory_path)


def status(state_dir, names=None):
    """{service name: its ServiceRun if running, else None} for the named services."""
    runs = _alive_runs(LabState(state_dir))
    return {service.name: runs.get(service.name) for service in select(names)}


def inventory_text(state_dir):
    """The inventory.yml of the lab started in *state_dir*."""
    state = LabState(state_dir)
    try:
        with open(state.inventory_path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        raise LabError("no lab is running in %s: run `python tests/lab/labctl.py start --state-dir %s`"
                       % (state.root, state.root)) from None


def _with_needs(names):
    """*names* and, transitively, the services they need; None (all services) stays None."""
    if names is None:
        return None
    wanted, pending = set(), list(names)
    while pending:
        name = pending.pop()
        if name not in wanted:
            wanted.add(name)
            pending.extend(SERVICES[name].needs if name in SERVICES else ())
    return wanted


def _context(state, tls, service, runs):
    missing = [need for need in service.needs if need not in runs]
    if missing:
        raise LabError("%s needs %s, which is not running; services must be registered after those they need"
                       % (service.name, ", ".join(missing)))
    return LabContext(tls=tls, data_dir=state.data_dir(service.name), peers={need: runs[need] for need in service.needs})


def _launch(service, context, log_path):
    run = ServiceRun(ports=processes.free_ports(service.ports), secrets=service.new_secrets(), log=log_path)
    launch = service.launch(context, run)
    try:
        run.pid, run.start_time = processes.spawn(launch.argv, dict(os.environ, **launch.env), launch.cwd, log_path)
    except OSError as error:
        raise LabError("%s: %s" % (service.name, error)) from None
    return run


def _wait_until_ready(service, context, run):
    deadline = time.monotonic() + service.start_timeout
    while not service.ready(context, run):
        if not processes.is_alive(run.pid, run.start_time):
            raise LabError("%s exited while starting; the end of %s:\n%s" % (service.name, run.log, _log_tail(run.log)))
        if time.monotonic() > deadline:
            raise LabError("%s did not answer within %d s; the end of %s:\n%s"
                           % (service.name, service.start_timeout, run.log, _log_tail(run.log)))
        time.sleep(0.2)


def _stop_run(service, run):
    try:
        processes.stop(run.pid, run.start_time, service.stop_timeout)
    except OSError as error:
        raise LabError("cannot stop %s (pid %d): %s" % (service.name, run.pid, error)) from None


def _recorded_runs(state):
    return {name: ServiceRun(**fields) for name, fields in state.load()["services"].items()}


def _alive_runs(state):
    return {name: run for name, run in _recorded_runs(state).items() if processes.is_alive(run.pid, run.start_time)}


def _save(state, runs):
    state.save({"services": {name: dataclasses.asdict(run) for name, run in runs.items()}})


def _write_inventory(state, tls, runs):
    # In registration order: a service may add keys to the mappings of one registered before it.
    service_vars = [SERVICES[name].inventory_vars(LabContext(tls=tls, data_dir=state.data_dir(name)), runs[name])
                    for name in SERVICES if name in runs]
    inventory = build_inventory(tls.ca_cert, sys.executable, service_vars)
    write_private(state.inventory_path, render(inventory))
    return inventory


def _log_tail(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return "".join(handle.readlines()[-LOG_TAIL_LINES:])
    except FileNotFoundError:
        return "(no log)"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="labctl.py", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("command", choices=["install", "start", "stop", "status", "inventory"])
    parser.add_argument("--state-dir", default=DEFAULT_STATE_DIR, help="where the lab keeps its state (default: %(default)s)")
    parser.add_argument("--services", help="comma-separated service names (default: all of %s)" % ",".join(SERVICES))
    args = parser.parse_args(argv)
    names = args.services.split(",") if args.services else None
    try:
        if args.command == "install":
            install(names)
        elif args.command == "start":
            print(render(start(args.state_dir, names)), end="")
        elif args.command == "stop":
            stop(args.state_dir, names)
        elif args.command == "status":
            return _print_status(status(args.state_dir, names))
        else:
            print(inventory_text(args.state_dir), end="")
    except (LabError, OSError) as error:
        print("labctl %s: %s" % (args.command, error), file=sys.stderr)
        return 1
    return 0


def _print_status(runs):
    for name, run in runs.items():
        if run:
            ports = ", ".join("%s port %d" % port for port in run.ports.items())
            print("%s: running (pid %d, %s)" % (name, run.pid, ports))
        else:
            print("%s: not running" % name)
    return 0 if all(runs.values()) else EXIT_NOT_RUNNING


if __name__ == "__main__":
    sys.exit(main())
