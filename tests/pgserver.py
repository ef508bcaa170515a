"""A throwaway PostgreSQL server for the tests: initdb in a temporary folder, loopback only.

Used by tests/conftest.py when ``BARTA_TEST_DB=postgresql``. As root the cluster runs as an
unprivileged user (``barta-pg``, made with useradd if missing): PostgreSQL refuses root.
Debian's package is installed with apt-get when no initdb is found.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

USER = "barta-pg"


def _bindir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found and shutil.which("initdb") is None:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(
            [*sudo, "apt-get", "install", "-y", "-qq", "postgresql"],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    return os.path.dirname(os.path.realpath(shutil.which("initdb") or "initdb"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self) -> None:
        self.bindir = _bindir()
        self.root = tempfile.mkdtemp(prefix="barta-pg-")
        self.data = os.path.join(self.root, "data")
        self.port = _free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(USER)
            except KeyError:
                subprocess.run(["useradd", "--system", "--no-create-home", USER], check=True)
            shutil.chown(self.root, USER)
            self._as = ["runuser", "-u", USER, "--"]
            self.user = USER
        else:
            self.user = pwd.getpwuid(os.geteuid()).pw_name

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self._as, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def start(self) -> str:
        self._run(
            f"{self.bindir}/initdb", "-D", self.data, "-A", "trust", "-U", "barta",
            "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        opts = (
            f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        self._run(
            f"{self.bindir}/pg_ctl", "-D", self.data, "-o", opts, "-l",
            os.path.join(self.root, "log"), "-w", "start",
        )  # fmt: skip
        return self.url("postgres")

    def url(self, db: str) -> str:
        return f"postgresql://barta@127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        try:
            self._run(f"{self.bindir}/pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


class Databases:
    """A fresh database per test, copied from a migrated template (tens of milliseconds)."""

    def __init__(self, server: PgServer) -> None:
        import psycopg

        self.server = server
        self.admin = psycopg.connect(server.url("postgres"), autocommit=True)
        self.admin.execute("CREATE DATABASE barta_template")
        from store.db import connect, migrate

        db = connect(server.url("barta_template"))
        migrate(db)
        db.conn.close()
        from store.dialect import close_pools

        close_pools()
        self.n = 0

    def fresh(self) -> str:
        self.n += 1
        name = f"t{os.getpid()}_{self.n}_{int(time.time() * 1000) % 100000}"
        self.admin.execute(f"CREATE DATABASE {name} TEMPLATE barta_template")
        return self.server.url(name)

    def drop(self, url: str) -> None:
        from store.dialect import close_pools

        close_pools()
        name = url.rsplit("/", 1)[1]
        self.admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
