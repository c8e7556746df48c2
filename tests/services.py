"""Real PostgreSQL and Redis servers for the tests and benchmarks: started in a temporary folder on a free port of
127.0.0.1, stopped and started again on the same port (to test an outage), removed at the end.

PostgreSQL's initdb refuses to run as root, so under root the server runs as the `postgres` user (runuser); its
unix socket lives in the temporary folder, never in /var/run. Debian puts the binaries in
/usr/lib/postgresql/<version>/bin (`NETQA_PG_BIN` names another folder).
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
from pathlib import Path

PG_PASSWORD = "pg-secret-Zq7"  # a password the tests then look for in server logs: it must never be there
REDIS_PASSWORD = "redis-secret-Xk4"
START_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path | None:
    """The folder of initdb and pg_ctl (the newest Debian version), or None when PostgreSQL is not installed."""
    listed = os.environ.get("NETQA_PG_BIN")
    folders = [listed] if listed else sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                             key=lambda f: int(Path(f).parent.name) if Path(f).parent.name.isdigit()
                                             else 0, reverse=True)
    return next((Path(f) for f in folders if (Path(f) / "initdb").exists()), None)


def redis_bin() -> str | None:
    return shutil.which("redis-server")


class Postgres:
    """A PostgreSQL cluster of its own: superuser `netqa` with a password, TCP on 127.0.0.1:port only."""

    def __init__(self, bin_dir: Path, durable: bool = False):
        self.bin_dir = bin_dir
        self.durable = durable  # fsync on, as in production (benchmarks); the tests kill netqa, never the machine
        self.folder = Path(tempfile.mkdtemp(prefix="netqa-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self._user = "postgres" if os.geteuid() == 0 else None
        self._databases = 0
        password_file = self.folder / "password"
        password_file.write_text(PG_PASSWORD + "\n")
        if self._user:
            entry = pwd.getpwnam(self._user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
            os.chown(password_file, entry.pw_uid, entry.pw_gid)
        self.folder.chmod(0o700)
        self._run("initdb", "-D", str(self.data), "-U", "netqa", f"--pwfile={password_file}",
                  "--auth-host=scram-sha-256", "--auth-local=trust", "--no-sync", "-E", "UTF8", "--locale=C")
        self.start()

    def url(self, database: str = "postgres", password: str | None = PG_PASSWORD) -> str:
        secret = f":{password}" if password is not None else ""
        return f"postgresql://netqa{secret}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """The URL of a new, empty database (one per test keeps tests apart)."""
        import psycopg

        self._databases += 1
        name = f"netqa_test_{self._databases}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c shared_buffers=64MB "
                   "-c max_connections=100")
        if not self.durable:
            options += " -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-o", options,
                  "-w", "-t", str(int(START_SECONDS)), "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`immediate`: as if it crashed, clients cut off)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin_dir / program), *args]
        if self._user:
            command = ["runuser", "-u", self._user, "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.folder,
                       timeout=START_SECONDS * 2)


class Redis:
    """redis-server on 127.0.0.1:port with a password and nothing saved to disk."""

    def __init__(self, program: str):
        self.program = program
        self.folder = Path(tempfile.mkdtemp(prefix="netqa-redis-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.start()

    def url(self, password: str | None = REDIS_PASSWORD) -> str:
        secret = f":{password}@" if password is not None else ""
        return f"redis://{secret}127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.program, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--requirepass", REDIS_PASSWORD, "--dir", str(self.folder), "--logfile", str(self.folder / "server.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_SECONDS
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def flush(self) -> None:
        self.client().flushall()

    def client(self):
        import redis

        return redis.Redis.from_url(self.url(), socket_timeout=5)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=START_SECONDS)
        self.process = None

    def remove(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=START_SECONDS)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(f"AUTH {REDIS_PASSWORD}\r\nPING\r\n".encode())
                answer = b""
                while b"PONG" not in answer and b"ERR" not in answer:
                    answer += sock.recv(64) or b"ERR"  # an empty read: the server closed the connection
                return b"PONG" in answer
        except OSError:
            return False
