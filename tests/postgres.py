"""A throwaway PostgreSQL server for the tests, and the `engine` each test runs on.

A test module (or test) marked `engines` runs once on SQLite and once on PostgreSQL: its
collections are opened at `db_location`, a SQLite file or a fresh database on this server.
`sqlite_only` keeps one test of such a module on SQLite (it reads the file, or a PRAGMA).

The server is started once per test run, only if a test needs it: a new cluster in a temporary
folder, listening on a unix socket there and on no TCP port, without fsync (nothing in it is
kept), stopped and deleted at the end. Its programs are found on PATH or in the folders
Debian's packages put them in. Without them the PostgreSQL tests are skipped, saying why,
unless FLASHCARDS_TEST_POSTGRES=require (CI sets it): then they fail. Each such run is marked
`postgresql`, so `-m "not postgresql"` leaves the server out of a quick local run.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROLE = "flashcards"
TEMPLATE = "flashcards_template"


def _bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=_version)
    return versions[-1].parent if versions else None


def _version(pg_ctl: Path) -> int:
    name = pg_ctl.parent.parent.name
    return int(name) if name.isdigit() else 0


class Server:
    """A running cluster: `url(name)` of a database on it, `create()` a new one."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="fcpg-"))  # short: a socket's path is limited
        self.data = self.root / "data"
        self.user = _unprivileged_user()
        self._names = itertools.count(1)

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.user is not None:  # initdb and the server refuse to run as root
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> None:
        if self.user is not None:
            shutil.chown(self.root, self.user)
        self._run(
            "initdb", "-D", str(self.data), "-U", ROLE, "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        self.resume()
        self.admin(f"CREATE DATABASE {TEMPLATE}")
        # The template holds the migrated schema: each test's database is a copy of it.
        from flashcards.storage import Collection

        Collection(self.url(TEMPLATE)).close()

    def resume(self) -> None:
        """Start the server on the cluster (again)."""
        options = (
            f"-k {self.root} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                  str(self.root / "server.log"), "-w", "start")  # fmt: skip

    def pause(self) -> None:
        """Stop the server, closing every connection to it, as a reboot or an upgrade does."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """Stop the server and start it again: every open connection to it is lost."""
        self.pause()
        self.resume()

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{ROLE}@/{database}?host={self.root}"

    def admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(
            host=str(self.root), dbname="postgres", user=ROLE, autocommit=True
        ) as conn:
            conn.execute(statement)

    def create(self, *, empty: bool = False) -> str:
        """A new database holding an empty collection at today's schema (or, `empty`, nothing
        at all); its name."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {'template0' if empty else TEMPLATE}")
        return name

    def databases(self) -> str:
        """The names of the databases on the server, one per line."""
        import psycopg

        with psycopg.connect(
            host=str(self.root), dbname="postgres", user=ROLE, autocommit=True
        ) as conn:
            rows = conn.execute("SELECT datname FROM pg_database ORDER BY datname").fetchall()
        return "\n".join(name for (name,) in rows)

    def drop(self, name: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _unprivileged_user() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root, and no user to run PostgreSQL as")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    required = os.environ.get("FLASHCARDS_TEST_POSTGRES") == "require"
    bindir = _bindir()
    reason = None
    if bindir is None:
        reason = "PostgreSQL's server programs (initdb, pg_ctl) are not installed"
    else:
        try:
            import psycopg  # noqa: F401
        except ModuleNotFoundError:
            reason = "the `postgres` extra (psycopg) is not installed: uv run --extra postgres"
    if reason is not None:
        if required:
            pytest.fail(reason)
        pytest.skip(reason)
    assert bindir is not None
    server = Server(bindir)
    try:
        server.start()
    except subprocess.CalledProcessError as exc:
        server.stop()
        pytest.fail(f"the test PostgreSQL server did not start: {exc.stderr}")
    yield server
    server.stop()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" not in metafunc.fixturenames:
        return
    definition = metafunc.definition
    if definition.get_closest_marker("engines") and not definition.get_closest_marker(
        "sqlite_only"
    ):
        server = pytest.param("postgresql", marks=pytest.mark.postgresql)
        metafunc.parametrize("engine", ["sqlite", server], indirect=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:  # a test asking for the server itself runs on it too
        if "postgres_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgresql)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The engine this test's collections live on: "sqlite", or "postgresql" in the second
    run of a test marked `engines`."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def db_location(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """Where this test's collection lives: a SQLite file, or a new database on the server."""
    if engine == "sqlite":
        yield str(tmp_path / "collection.sqlite3")
        return
    server: Server = request.getfixturevalue("postgres_server")
    name = server.create()
    yield server.url(name)
    server.drop(name)
