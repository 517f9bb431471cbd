"""A PC/SC daemon of the test run's own, so that runs sharing a machine never meet.

pcscd has one socket per machine (/run/pcscd/pcscd.comm, compiled in) and vpcd, its virtual
reader driver, listens on a fixed TCP port (35963, and 35964 for its second slot): two runs on
one machine (two developers, CI beside one, two pytest-xdist workers) would share a daemon, or
fail with "Address already in use". Where this process may (root, pcscd, vpcd's driver and
util-linux's unshare), the PC/SC tests get a pcscd of their own instead: in a private mount
namespace whose /run/pcscd is a temporary directory, reading a reader.conf.d of its own that
puts vpcd on two free ports. pyscard, in the tests and in the CLI processes they start, finds it
through PCSCLITE_CSOCK_NAME; libpcsclite reads that once, at its first call, so it is set here,
when pytest configures (before any test runs), and only in the process that runs the tests (an
xdist worker, or pytest itself without -n). Elsewhere the tests use the machine's pcscd as before.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
SOCKET_ENV = "PCSCLITE_CSOCK_NAME"
# Below Linux's ephemeral range (32768-60999), so no outgoing connection takes a port between
# the check that it is free and vpcd's bind.
PORTS = range(20000, 32000, 2)
PRIVATE = pytest.StashKey["PrivatePcscd | None"]()


class PrivatePcscd:
    """pcscd --foreground in a mount namespace of its own, vpcd on `port` and `port + 1`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.socket = directory / "run" / "pcscd.comm"
        self.log = directory / "pcscd.log"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @classmethod
    def plan(cls) -> PrivatePcscd | None:
        if os.environ.get(SOCKET_ENV) or os.geteuid() != 0:
            return None  # a pcscd chosen by the caller, or not ours to start
        if not (shutil.which("pcscd") and shutil.which("unshare") and VPCD_DRIVER.exists()):
            return None
        return cls(Path(tempfile.mkdtemp(prefix="yakuba-pcscd-")))

    def start(self, timeout: float = 20.0) -> subprocess.Popen[bytes]:
        """Start the daemon; returns once its socket is there (its readers may follow)."""
        self.port = _free_port_pair()
        run, conf = self.directory / "run", self.directory / "reader.conf.d"
        run.mkdir(exist_ok=True)
        conf.mkdir(exist_ok=True)
        (conf / "vpcd").write_text(
            'FRIENDLYNAME "Virtual PCD"\n'
            f"DEVICENAME   /dev/null:{self.port:#x}\n"
            f"LIBPATH      {VPCD_DRIVER}\n"
            f"CHANNELID    {self.port:#x}\n")
        Path("/run/pcscd").mkdir(parents=True, exist_ok=True)  # the mount point
        script = f'mount --bind "{run}" /run/pcscd && exec pcscd --foreground --config "{conf}"'
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + timeout
        while not self.socket.exists() and self.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.process

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def _free_port_pair() -> int:
    """A port P with P and P + 1 free on every interface (vpcd binds 0.0.0.0)."""
    for port in random.sample(PORTS, 200):
        with contextlib.ExitStack() as probes:
            try:
                for candidate in (port, port + 1):
                    probe = probes.enter_context(socket.socket())
                    probe.bind(("0.0.0.0", candidate))  # noqa: S104 - a probe, closed at once
            except OSError:
                continue
        return port
    raise RuntimeError("no two free ports for vpcd")


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the test process dies, so no daemon outlives a
    killed run (prctl PR_SET_PDEATHSIG; it survives exec, and unshare and sh exec in turn)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


def _runs_tests(config: pytest.Config) -> bool:
    """False in the xdist controller, which only hands tests out to its workers."""
    return hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None)


def pytest_configure(config: pytest.Config) -> None:
    private = PrivatePcscd.plan() if _runs_tests(config) else None
    if private is not None:
        os.environ[SOCKET_ENV] = str(private.socket)
    config.stash[PRIVATE] = private


def pytest_unconfigure(config: pytest.Config) -> None:
    private = config.stash.get(PRIVATE, None)
    if private is not None:
        private.remove()
        if os.environ.get(SOCKET_ENV) == str(private.socket):
            del os.environ[SOCKET_ENV]


@pytest.fixture(scope="session")
def private_pcscd(pytestconfig: pytest.Config) -> PrivatePcscd | None:
    """This run's own pcscd, not started yet; None where the machine's pcscd is to be used."""
    return pytestconfig.stash.get(PRIVATE, None)
