"""Processes the benchmarks start: gunicorn on loopback, ``flask`` and helper commands.

Every process is started in its own session and stopped by the harness (terminate, then
kill its group), whatever happens to the run.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PYTHON = BIN / "python" if (BIN / "python").exists() else Path(sys.executable)
HOST = "127.0.0.1"
START_TIMEOUT = 60
STOP_TIMEOUT = 10


def app_env(**config) -> dict[str, str]:
    """This environment with the app configured only by ``EVENTSREG_<KEY>`` (JSON values)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("EVENTSREG_", "BENCH_")) and key not in {"DATABASE_URL"}
    }
    env.update({f"EVENTSREG_{key}": json.dumps(value) for key, value in config.items()})
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_command(args: list[str], env: dict[str, str], log: Path) -> str:
    """Run a command to its end from the repository root; its stdout (stderr to *log*)."""
    with open(log, "ab") as fh:
        result = subprocess.run(
            args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=fh, check=False, timeout=600
        )
    if result.returncode:
        raise RuntimeError(f"{' '.join(map(str, args))} failed; see {log}")
    return result.stdout.decode()


def flask(args: list[str], env: dict[str, str], log: Path) -> str:
    return run_command([str(BIN / "flask"), "--app", "app", *args], env, log)


def python_module(module: str, args: list[str], env: dict[str, str], log: Path) -> str:
    return run_command([str(PYTHON), "-m", module, *args], env, log)


class Gunicorn:
    """``gunicorn -w N module:app`` on a loopback port handed over as a bound socket."""

    def __init__(self, name: str, target: str, env: dict[str, str], log: Path, workers: int = 2):
        self.name = name
        self.log = log
        listener = socket.socket()
        listener.bind((HOST, 0))
        listener.listen(1024)
        self.url = f"http://{HOST}:{listener.getsockname()[1]}"
        command = [
            str(BIN / "gunicorn"),
            f"--workers={workers}",
            f"--bind=fd://{listener.fileno()}",
            "--backlog=1024",
            "--graceful-timeout=5",
            "--no-control-socket",
            target,
        ]
        with open(log, "ab") as fh:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=fh,
                stderr=subprocess.STDOUT,
                pass_fds=[listener.fileno()],
                start_new_session=True,
            )
        listener.close()

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name}: gunicorn exited; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name}: not healthy in {START_TIMEOUT}s; see {self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=STOP_TIMEOUT)


def gunicorn_available() -> bool:
    return (BIN / "gunicorn").exists()
