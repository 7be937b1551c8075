"""The live site of the browser suite: a real web server in its own process, on a small demo district.

The site runs in a subprocess, as in production (gunicorn, one worker with a few threads), on its own
SQLite file under the artefacts folder, so the browser talks to a server that shares nothing with
pytest's test database. Background tasks run inline (TASK_BACKEND=immediate): an import or a
notification is done when the request that caused it answers, so a journey needs no worker.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[4]
# The small build of the demo's own tests: 2 streets, 2 communities, 6 grids, 2,000 people.
DEMO_SCALE = "0.002"
DEMO_SEED = "1"
START_TIMEOUT_SECONDS = 60


def artefacts_dir() -> Path:
    """Where screenshots and the server's files go: BROWSER_ARTEFACTS, else <GRIDWORK_VAR_DIR>/browser."""
    chosen = os.environ.get("BROWSER_ARTEFACTS")
    if chosen:
        return Path(chosen).resolve()
    return (Path(os.environ.get("GRIDWORK_VAR_DIR", "var")) / "browser").resolve()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveSite:
    url: str
    process: subprocess.Popen
    log_path: Path
    db_path: Path

    def query(self, sql: str, *params: object) -> list[tuple]:
        """Rows of the live site's database, read-only: what a journey left behind."""
        with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10) as db:
            return db.execute(sql, params).fetchall()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]


def _environment(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GRIDWORK_VAR_DIR=str(var_dir),
        # Its own database file, whatever database the rest of the suite runs on.
        DATABASE_URL=f"sqlite:///{var_dir / 'site.sqlite3'}",
        STATIC_ROOT=str(var_dir / "static"),
        TASK_BACKEND="immediate",
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _manage(env: dict[str, str], log, *args: str) -> None:
    command = [sys.executable, "-m", "gridwork.cli", *args]
    subprocess.run(command, cwd=REPO, env=env, check=True, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603


def _wait_until_serving(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the browser suite's server stopped:\n{log_path.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/login/", timeout=2) as answer:  # noqa: S310 - our own server
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)  # polling a starting process; no test waits on a clock
    raise RuntimeError(f"the browser suite's server did not answer within {START_TIMEOUT_SECONDS} s")


def start_site(root: Path) -> LiveSite:
    """Migrate a fresh database, build the small demo district, collect static files and serve."""
    var_dir = root / "site"
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    env = _environment(var_dir)
    log_path = root / "server.log"
    log = log_path.open("w", encoding="utf-8")
    _manage(env, log, "migrate", "--noinput", "-v", "0")
    _manage(env, log, "demo", "--scale", DEMO_SCALE, "--seed", DEMO_SEED)
    _manage(env, log, "collectstatic", "--noinput", "-v", "0")
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "gridwork.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "--threads", "4", "--timeout", "60", "--error-logfile", "-"]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, process, log_path)
    except BaseException:
        process.kill()
        raise
    return LiveSite(url=url, process=process, log_path=log_path, db_path=var_dir / "site.sqlite3")
