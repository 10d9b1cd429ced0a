"""Dask clusters for grid-search: local worker processes, an existing scheduler, or SLURM/PBS jobs.

Only the cluster object differs between the kinds; the search submits its trials to the
:class:`distributed.Client` the same way in all of them.
"""

from __future__ import annotations

import logging
import re
import shutil
import signal
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from .._parallel import available_cores
from .._progress import duration
from .._signals import SIGNALS, check_stop
from ..errors import OptionValueError, ParamError

log = logging.getLogger("motifnet")

KINDS = ("local", "scheduler", "slurm", "pbs")
# Workers that we start advertise one unit of this resource, and each trial asks for one, so
# a worker process runs one trial at a time even when it has several threads (jobqueue).
TRIAL_RESOURCE = "motifnet_trial"
# A search none of whose batch jobs has joined says so after this many seconds, then after twice as many.
WAIT_NOTICE_SECONDS = 60.0
DEFAULT_JOBS = 10
# The program that submits a job, per batch system: without it on PATH no job can start.
SUBMIT_COMMANDS = {"slurm": "sbatch", "pbs": "qsub"}
# Wall-time forms the batch systems read (sbatch --time; qsub -l walltime=): a leading number of any
# size, then minutes and seconds fields of two digits below 60.
WALLTIMES = {
    "slurm": (re.compile(r"\d+(:[0-5]\d){0,2}|\d+-([01]?\d|2[0-3])(:[0-5]\d){0,2}|UNLIMITED|INFINITE"),
              "HH:MM:SS, MM:SS, minutes, D-HH:MM:SS or UNLIMITED (e.g. 02:00:00 or 1-12:00:00)"),
    # PBS Pro's duration is [[hours:]minutes:]seconds, hours of any size: the job script's select= is PBS Pro's
    "pbs": (re.compile(r"\d+(:[0-5]\d){0,2}"),
            "HH:MM:SS (hours may pass 24: 36:00:00), MM:SS or seconds (e.g. 02:00:00)"),
}
MEMORY = re.compile(r"\s*\d+(\.\d+)?\s*[A-Za-z]+\s*")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Local workers run this module's dask_setup when they start (a Dask preload).
WORKER_PRELOAD = __name__


def dask_setup(worker) -> None:
    """Preload of local workers: SIGINT and SIGTERM are the search's to handle, not its workers'.

    Ctrl-C in a terminal reaches the whole process group, worker processes included. The search
    process stops at its next safe point and closes the cluster, which ends the workers; a worker
    that died of the signal first would be a lost worker and print a traceback.

    Parameters
    ----------
    worker : distributed.Worker
        The worker starting (not used: the handlers are the process's).
    """
    if threading.current_thread() is threading.main_thread():  # where handlers can be set (a worker's own)
        for signum in SIGNALS:
            signal.signal(signum, signal.SIG_IGN)


@dataclass
class ClusterOptions:
    """Where the trials run.

    Attributes
    ----------
    kind : {'local', 'scheduler', 'slurm', 'pbs'}
        Default is 'local'.
    workers : int or None
        Local worker processes (default: the cores available) or batch jobs of one worker each
        (default: one per pending trial, at most 10). Not used with ``scheduler``.
    threads : int or None
        TensorFlow threads per trial. Default: cores // workers (local), ``cores`` (jobs),
        TensorFlow's own choice (an existing scheduler).
    scheduler : str or None
        Address of a running Dask scheduler (``kind='scheduler'``).
    queue, cores, memory, walltime : optional
        Batch jobs: queue (partition), cores and memory (e.g. ``16GB``) per job, wall time
        (``HH:MM:SS``; see ``WALLTIMES``).
        Unset values come from Dask's jobqueue configuration (``~/.config/dask/jobqueue.yaml``).
    job_extra : tuple of str
        Extra scheduler directives, e.g. ``--account=lab`` (SLURM) or ``-A lab`` (PBS).
    interface : str or None
        Network interface the scheduler listens on for batch jobs (e.g. ``ib0``).
    log_directory : str or None
        Where batch jobs write their logs.
    timeout : float
        Seconds to wait for an existing scheduler to answer. Default is 30.
    """

    kind: str = "local"
    workers: int | None = None
    threads: int | None = None
    scheduler: str | None = None
    queue: str | None = None
    cores: int | None = None
    memory: str | None = None
    walltime: str | None = None
    job_extra: tuple = field(default_factory=tuple)
    interface: str | None = None
    log_directory: str | None = None
    timeout: float = 30.0

    def checked(self) -> ClusterOptions:
        """Refuse options that do not fit the kind or that batch jobs cannot use.

        Batch jobs need cores and memory (given, or in Dask's jobqueue configuration), a memory
        size with a unit and a wall time in a form their batch system reads. What this machine
        must provide (the submit command, the interface) is :func:`check_environment`'s.

        Raises
        ------
        ParamError
            The message names the option, the value received and what would be accepted.
        """
        if self.kind not in KINDS:
            raise ParamError(f"cluster kind must be one of {', '.join(KINDS)}, received: {self.kind!r}")
        if self.kind == "scheduler" and not self.scheduler:
            raise ParamError("a running Dask cluster needs its scheduler's address (--scheduler ADDRESS)")
        if self.scheduler and self.kind != "scheduler":
            raise OptionValueError(f"--scheduler ADDRESS uses a running cluster; it cannot be combined with a "
                             f"{self.kind} cluster")
        jobs_only = {"--queue": self.queue, "--cores": self.cores, "--memory": self.memory,
                     "--walltime": self.walltime, "--job-extra": self.job_extra, "--interface": self.interface}
        given = [name for name, value in jobs_only.items() if value not in (None, ())]
        if given and self.kind not in SUBMIT_COMMANDS:
            verb = "applies" if len(given) == 1 else "apply"
            raise OptionValueError(f"{', '.join(given)} {verb} only to batch jobs: add --slurm or --pbs")
        if self.kind == "scheduler" and self.workers:
            raise OptionValueError("--workers starts local workers or batch jobs; with --scheduler the cluster "
                             "already has its workers")
        for name, value in (("--workers", self.workers), ("--threads", self.threads), ("--cores", self.cores)):
            if value is not None and value < 1:
                raise OptionValueError(f"{name} must be at least 1, received: {value}")
        if self.kind in SUBMIT_COMMANDS:
            self._check_job_options()
        return self

    def _check_job_options(self) -> None:
        """Refuse batch-job values that dask-jobqueue would pass on to a job script that cannot run."""
        import dask

        # dask-jobqueue takes what is not given from its configuration, and refuses a job without both.
        examples = {"cores": "--cores 4", "memory": "--memory 16GB"}
        missing = [name for name in examples
                   if getattr(self, name) is None and dask.config.get(f"jobqueue.{self.kind}.{name}", None) is None]
        if missing:
            raise ParamError(f"--{self.kind} needs {' and '.join(f'--{name}' for name in missing)} for each job, "
                             f"e.g. {' '.join(examples[name] for name in missing)} (or set "
                             f"{' and '.join(missing)} in ~/.config/dask/jobqueue.yaml)")
        if self.memory is not None and not _is_size(self.memory):
            raise OptionValueError(f"--memory must be a size with a unit, e.g. 16GB, 4000MB or 16GiB; received: "
                             f"{self.memory!r}")
        if self.walltime is not None:
            pattern, forms = WALLTIMES[self.kind]
            if not pattern.fullmatch(self.walltime):
                raise OptionValueError(f"--walltime of {self.kind.upper()} jobs must be {forms}; received: "
                                 f"{self.walltime!r}")
        # Each value becomes one directive line of the job script: a line break would add lines that the job runs.
        for name, value in (("--queue", self.queue), *(("--job-extra", extra) for extra in self.job_extra)):
            if value is not None and CONTROL.search(value):
                raise OptionValueError(f"{name} must be one line without control characters (it becomes a "
                                       f"directive of the job script); received: {value!r}")
        if self.log_directory is not None and re.search(r"\s", self.log_directory):
            raise ParamError(f"batch jobs write their logs to {self.log_directory}, and a {self.kind.upper()} "
                             "directive cannot name a path with a space; choose a search folder (-o) whose full path "
                             "has none")


def _is_size(text: str) -> bool:
    """Whether ``text`` is a positive number with a byte unit that Dask reads (``16GB``, ``16 GiB``, ``500M``)."""
    from dask.utils import parse_bytes

    if not MEMORY.fullmatch(text):
        return False  # a bare number would be bytes, not what anyone means for a job
    try:
        return parse_bytes(text) > 0
    except ValueError:
        return False


def check_environment(options: ClusterOptions) -> None:
    """Refuse batch jobs that this machine cannot start, before anything is submitted.

    Parameters
    ----------
    options : ClusterOptions
        Checked options; only ``slurm`` and ``pbs`` are looked at.

    Raises
    ------
    ParamError
        The batch system's submit command (``sbatch``, ``qsub``) is not on PATH, or ``interface``
        is not a network interface of this machine with an IPv4 address (the scheduler listens there).
    """
    command = SUBMIT_COMMANDS.get(options.kind)
    if command is None:
        return
    if shutil.which(command) is None:
        raise ParamError(f"--{options.kind} needs the {command} command, which is not on PATH: run grid-search "
                         f"on a {options.kind.upper()} login node")
    if options.interface is not None:
        present = network_interfaces()
        if options.interface not in present:
            raise ParamError(f"--interface {options.interface}: no such network interface with an IPv4 address "
                             f"on this machine; present: {', '.join(present) or 'none'}")


def network_interfaces() -> list:
    """Names of this machine's network interfaces that have an IPv4 address (all names without psutil)."""
    try:
        import psutil
    except ImportError:  # distributed requires psutil; without it, the names are all there is to check
        return sorted(name for _, name in socket.if_nameindex())
    return sorted(name for name, addresses in psutil.net_if_addrs().items()
                  if any(address.family == socket.AF_INET for address in addresses))


def _import_jobqueue():
    """``dask_jobqueue``, imported with this process's SIGINT handler kept.

    Its ``runner`` module sets SIGINT to ``sys.exit()`` when it is imported: a Ctrl-C then ended a
    ``--slurm`` or ``--pbs`` search with exit status 0 and no word, instead of stopping it as a
    signal does (see :mod:`motifnet._signals`).
    """
    # SIGINT is held back while the modules load (a Ctrl-C then would meet sys.exit()) and delivered to this
    # process's handler once it is back.
    handler = signal.getsignal(signal.SIGINT)
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        import dask_jobqueue
    finally:
        if handler is not None:
            signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    return dask_jobqueue


def make_jobqueue_cluster(options: ClusterOptions):
    """A SLURMCluster or PBSCluster for ``options`` (no job is submitted until it is scaled).

    Each job runs one worker process that takes one trial at a time with all the job's cores.
    ``options`` are checked (:meth:`ClusterOptions.checked`): cores and memory come from them or
    from Dask's jobqueue configuration.
    """
    dask_jobqueue = _import_jobqueue()
    cluster_class = dask_jobqueue.SLURMCluster if options.kind == "slurm" else dask_jobqueue.PBSCluster
    given = {"job_cls": _refusals_kept(cluster_class.job_cls),
             "queue": options.queue, "cores": options.cores, "memory": options.memory,
             "walltime": options.walltime, "interface": options.interface,
             "log_directory": options.log_directory,
             "job_extra_directives": list(options.job_extra) or None}
    kwargs = {key: value for key, value in given.items() if value is not None}
    return cluster_class(processes=1, worker_extra_args=["--resources", f"{TRIAL_RESOURCE}=1"],
                         job_name="motifnet-trial", **kwargs)


class JobRefused(RuntimeError):
    """A batch system's submit command refused a job; the message is its exit status and error output."""


def _refusals_kept(job_class):
    """A subclass of dask-jobqueue's ``job_class`` that keeps the refusal of each job its submit command refused
    in the class's ``refused`` list.

    dask-jobqueue submits jobs in its event loop, where a refusal only reaches the log (as a traceback) and the
    search would wait for workers that never come; the search looks at ``refused`` instead
    (:meth:`Connection.check`).
    """
    from distributed.core import Status

    refused = []

    class RefusalsKept(job_class):
        async def start(self):
            try:
                return await super().start()
            # RuntimeError: the submit command failed; ValueError: its output named no job; OSError: it did not run
            except (RuntimeError, ValueError, OSError) as error:
                refused.append(_refusal(str(error)))
                self.status = Status.failed  # closing the cluster expects each job closed or failed
                raise JobRefused(refused[-1]) from None

        async def close(self):
            await super().close()
            self.status = Status.closed  # dask-jobqueue leaves it 'running', which closing the cluster refuses

    RefusalsKept.refused = refused
    return RefusalsKept


def _refusal(message: str) -> str:
    """What went wrong, in one line, from dask-jobqueue's message for a job not submitted: the submit command's exit
    status and first error line, or its output where it named no job id (the first line of any other message)."""
    status = re.search(r"Exit code: (-?\d+)", message)
    if status:
        return f"exit status {status.group(1)}: {_first_line(message.partition('stderr:')[2], 'no error output')}"
    _, named, output = message.partition("Submission command output is:")
    if named:  # the command ran but printed no job id that dask-jobqueue could read
        return f"its output named no job id: {_first_line(output, 'no output')}"
    return _first_line(message, "no message")


def _first_line(text: str, otherwise: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), otherwise)


def _not_a_refusal(record) -> bool:
    """Whether a log record is not one of a job refusal (which :meth:`Connection.check` turns into one error)."""
    return not (record.exc_info and isinstance(record.exc_info[1], JobRefused))


# Where the event loop reports an exception that nothing awaited (tornado's and asyncio's own loggers).
_LOOP_LOGGERS = ("tornado.application", "asyncio")


@dataclass
class Connection:
    """A connected client and how trials should be submitted to it."""

    client: object
    threads: int | None
    resources: dict | None
    description: str
    refused: list = field(default_factory=list)
    submit_command: str = ""
    jobs: int = 0
    kind: str = ""
    log_directory: str | None = None
    #: Since when no worker has been seen (the connection, or the last look that found one), and how long after
    #: that the next "waiting for the jobs" line is due (doubling, at most an hour more each time).
    started: float = field(default_factory=time.monotonic)
    notice_after: float = WAIT_NOTICE_SECONDS

    def check(self) -> None:
        """Raise :class:`ParamError` when the batch system refused a job: its worker would never come, and what
        refuses one job (an account, a partition, a limit of jobs per user) usually refuses the next.

        While no batch job's worker is there, say so now and then (after a minute, then twice as long each
        time): a job that waits in the queue, one that ended as it started (a module missing on the nodes), or
        jobs that all ended later (at their wall time) left the search silent for as long as it waited.
        """
        if self.refused:
            reason = self.refused[0]
            hint = " (a limit of jobs per user: fewer --workers)" if "limit" in reason.lower() else ""
            raise ParamError(f"{self.submit_command} could not submit {len(self.refused)} of {self.jobs} batch "
                             f"job(s) ({reason}); the search stopped: fix what it names{hint} and run the same command "
                             "again")
        now = time.monotonic()
        waited = now - self.started
        if not self.jobs or waited < self.notice_after:
            return
        if self.client.nthreads():  # workers are there: a later wait counts from now
            self.started, self.notice_after = now, WAIT_NOTICE_SECONDS
            return
        self.notice_after = min(2 * waited, waited + 3600.0)
        logs = f", their logs in {self.log_directory}" if self.log_directory else ""
        queue = {"slurm": "squeue --me", "pbs": "qstat -u $USER"}.get(self.kind, "the batch system's queue")
        log.warning("no worker of the %d %s job(s) for %s: waiting for them (queued: see %s; or ended%s)", self.jobs,
                    self.kind.upper(), duration(waited), queue, logs)


def batch_jobs(options: ClusterOptions, pending: int) -> int:
    """Batch jobs to submit for ``pending`` trials: ``--workers`` (default :data:`DEFAULT_JOBS`), at most one per
    trial, as local workers are (a job beyond the trials would wait in the queue and hold nodes for nothing)."""
    return min(options.workers or DEFAULT_JOBS, max(1, pending))


def local_layout(options: ClusterOptions, cores: int, pending: int) -> tuple[int, int]:
    """Local worker processes and TensorFlow threads per trial on ``cores`` cores, for ``pending`` trials.

    ``--workers`` defaults to the cores and ``--threads`` to the cores shared among the workers. Asked for more
    threads in all than there are cores, the trials compete for them (each runs slower, and memory holds every
    worker's network and data at once): this is warned of and done, as asked.
    """
    workers = min(options.workers or cores, pending)
    threads = options.threads or max(1, cores // workers)
    if workers * threads > cores:
        if options.threads:  # keep the threads asked for, and fit the workers to them
            fit = f"--workers {max(1, cores // threads)} --threads {min(threads, cores)}"
        else:
            fit = f"--workers {min(workers, cores)}"
        log.warning("%d local worker(s) of %d thread(s) each on %d core(s): the trials compete for the cores, "
                    "so each runs slower; %s use(s) them without competing", workers, threads, cores, fit)
    return workers, threads


@contextmanager
def connect(options: ClusterOptions, pending: int):
    """Start (or connect to) the cluster of ``options``; yields a :class:`Connection`.

    ``pending`` (the trials still to run) caps the number of local workers and batch jobs.
    Clusters started here are shut down on exit; an existing scheduler is left running. Local
    workers ignore SIGINT and SIGTERM (see :func:`dask_setup`): a stop is this process's to make.
    """
    import dask
    from distributed import Client, LocalCluster

    options.checked()
    check_environment(options)
    pending = max(1, pending)
    # A trial that kills its worker is resubmitted by the search (once), not by the scheduler.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster, stopping = None, False
        try:
            if options.kind == "scheduler":
                try:
                    client = Client(options.scheduler, timeout=options.timeout)
                except (OSError, TimeoutError, ValueError) as error:
                    raise ParamError(f"--scheduler {options.scheduler}: cannot connect ({error})") from None
                threads, resources = options.threads, None
                description = f"the Dask scheduler at {options.scheduler}"
            elif options.kind == "local":
                workers, threads = local_layout(options, available_cores(), pending)
                try:
                    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                           resources={TRIAL_RESOURCE: 1}, dashboard_address=":0",
                                           silence_logs=logging.ERROR, preload=[WORKER_PRELOAD])
                except Exception:
                    check_stop()  # a signal that reached a worker before it started ignoring signals
                    raise
                client, resources = Client(cluster), {TRIAL_RESOURCE: 1}
                description = f"{workers} local worker process(es), {threads} thread(s) each"
            else:
                cluster = make_jobqueue_cluster(options)
                for name in _LOOP_LOGGERS:
                    logging.getLogger(name).addFilter(_not_a_refusal)
                jobs = batch_jobs(options, pending)
                if options.workers and jobs < options.workers:
                    log.info("--workers %d: %d batch job(s), one per trial left to run", options.workers, jobs)
                cluster.scale(jobs=jobs)
                client, resources = Client(cluster), {TRIAL_RESOURCE: 1}
                threads = options.threads or options.cores
                description = f"{jobs} {options.kind.upper()} job(s) of one worker each"
            batch = options.kind in SUBMIT_COMMANDS
            try:
                yield Connection(client, threads, resources, description, cluster.job_cls.refused if batch else [],
                                 SUBMIT_COMMANDS.get(options.kind, ""), jobs if batch else 0, options.kind,
                                 options.log_directory)
            except KeyboardInterrupt:
                stopping = True
                raise
            finally:
                with _quiet_logs(stopping):
                    client.close()
        finally:
            if cluster is not None:
                with _quiet_logs(stopping):
                    cluster.close()
            for name in _LOOP_LOGGERS:
                logging.getLogger(name).removeFilter(_not_a_refusal)


@contextmanager
def _quiet_logs(quiet: bool):
    """Within the block, when ``quiet``, distributed's handlers show only CRITICAL records.

    For a search stopped by a signal: closing the cluster under running trials may log errors
    (a cancelled task, a closed connection) that are the stop itself, not a problem to report.
    """
    handlers = logging.getLogger("distributed").handlers if quiet else []
    for handler in handlers:
        handler.addFilter(_only_critical)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(_only_critical)


def _only_critical(record) -> bool:
    return record.levelno >= logging.CRITICAL
