"""What a lab service is: the small interface each stand-in for a vendor service implements.

The frame (labctl) does everything services share: it picks a free port on 127.0.0.1 for each
name in ``ports``, asks ``new_secrets`` for fresh secrets, starts the ``launch`` command as a
detached process logging to ``<state>/logs/<name>.log``, polls ``ready`` until it is true,
records the run in lab.json and merges ``inventory_vars`` into the inventory's ``all.vars``.
A service that fronts another names it in ``needs``: the frame starts that one first (and
restarts this one whenever that one is started afresh) and hands over its run (ports, keys)
in ``context.peers``.
"""
import abc
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LabContext:
    """What the frame gives every service: the lab's TLS files, a data directory of its own, and
    the runs of the services it needs."""

    tls: object  # labframe.tls.TlsFiles
    data_dir: str
    peers: dict = field(default_factory=dict)  # {name in ``needs``: its ServiceRun}


@dataclass
class ServiceRun:
    """One run of a service, as recorded in lab.json."""

    ports: dict
    secrets: dict
    pid: int = 0
    start_time: int = 0
    log: str = ""


@dataclass(frozen=True)
class Launch:
    """The command that runs a service, the environment variables it adds, and its directory."""

    argv: list
    env: dict = field(default_factory=dict)
    cwd: str = None


class Service(abc.ABC):
    """A stand-in for a vendor service; subclasses set ``name`` and ``ports``."""

    name = None  # its name in --services, lab.json and the log file
    ports = ()  # names of the TCP ports it listens on
    needs = ()  # names of services it talks to; registered before it
    start_timeout = 60  # seconds from launch until ``ready`` must be true
    stop_timeout = 20  # seconds it gets to exit after SIGTERM before SIGKILL

    def install(self):
        """Fetch what the service needs to run; quick when already done. Nothing by default."""

    def new_secrets(self):
        """Fresh secrets (keys, passwords) for one run; none by default."""
        return {}

    @abc.abstractmethod
    def launch(self, context, run):
        """The :class:`Launch` that starts the service with ``run.ports`` and ``run.secrets``.

        Raise labframe.errors.LabError when something it needs is missing (say what to run)."""

    @abc.abstractmethod
    def ready(self, context, run):
        """Whether the started service answers real requests yet."""

    @abc.abstractmethod
    def inventory_vars(self, context, run):
        """Its connection details: a mapping merged into the inventory's ``all.vars``."""
