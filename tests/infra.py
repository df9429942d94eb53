"""Find or start RabbitMQ and Postgres for the tests, and isolate each test in them.

Order: the URLs in LPR_TEST_AMQP_URL / LPR_TEST_DATABASE_URL (or the local
defaults) when they answer; else testcontainers when a Docker engine is
reachable; else scripts/start_services.sh (Debian, root) and a second look;
else the session ends with a message saying what to start.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pika
import pika.exceptions
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
DEFAULT_DATABASE_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
DEFAULT_MYSQL_URL = "mysql+pymysql://root@127.0.0.1:3306/test"


class InfraUnavailable(Exception):
    pass


# --- vhosts -----------------------------------------------------------------


class VhostAdmin:
    """Creates and deletes vhosts through rabbitmqctl (local or in a container) or the HTTP API."""

    def __init__(
        self,
        user: str,
        ctl: Callable[[list[str]], None] | None = None,
        http: str | None = None,
        password: str = "",
    ) -> None:
        self.user = user
        self.ctl = ctl
        self.http = http
        self.password = password

    def _http(self, method: str, path: str, body: dict | None = None) -> None:
        req = urllib.request.Request(
            self.http + path, method=method, data=json.dumps(body or {}).encode()
        )
        req.add_header("content-type", "application/json")
        token = f"{self.user}:{self.password}".encode()
        req.add_header("authorization", "Basic " + base64.b64encode(token).decode())
        urllib.request.urlopen(req, timeout=10).read()

    def create(self, name: str) -> None:
        if self.ctl:
            self.ctl(["add_vhost", name])
            self.ctl(["set_permissions", "-p", name, self.user, ".*", ".*", ".*"])
        else:
            q = urllib.parse.quote(name, safe="")
            self._http("PUT", f"/api/vhosts/{q}")
            self._http(
                "PUT",
                f"/api/permissions/{q}/{self.user}",
                {"configure": ".*", "write": ".*", "read": ".*"},
            )

    def delete(self, name: str) -> None:
        if self.ctl:
            self.ctl(["delete_vhost", name])
        else:
            self._http("DELETE", f"/api/vhosts/{urllib.parse.quote(name, safe='')}")


def _local_ctl(args: list[str]) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def vhost_admin_for(amqp_url: str) -> VhostAdmin:
    params = pika.URLParameters(amqp_url)
    user, password = params.credentials.username, params.credentials.password
    if params.host in ("127.0.0.1", "localhost", "::1") and shutil.which("rabbitmqctl"):
        probe = subprocess.run(
            ["rabbitmqctl", "-q", "list_vhosts"], capture_output=True, timeout=60
        )
        if probe.returncode == 0:
            return VhostAdmin(user, ctl=_local_ctl)
    http = f"http://{params.host}:15672"
    try:
        admin = VhostAdmin(user, http=http, password=password)
        admin._http("GET", "/api/overview")
        return admin
    except (urllib.error.URLError, OSError) as exc:
        raise InfraUnavailable(
            f"cannot create vhosts on {params.host}: no local rabbitmqctl and no management API at {http} ({exc}); "
            "enable it with `rabbitmq-plugins enable rabbitmq_management`"
        ) from exc


def vhost_url(amqp_url: str, vhost: str) -> str:
    parts = urllib.parse.urlsplit(amqp_url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + urllib.parse.quote(vhost, safe="")))


# --- reachability -------------------------------------------------------------


def amqp_answers(url: str) -> bool:
    params = pika.URLParameters(url)
    params.connection_attempts = 1
    params.socket_timeout = 3
    try:
        pika.BlockingConnection(params).close()
        return True
    except pika.exceptions.AMQPError:
        return False


def db_answers(url: str) -> bool:
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        return False
    finally:
        engine.dispose()


@dataclass
class Infra:
    amqp_url: str
    database_url: str  # a URL whose user may CREATE DATABASE
    vhosts: VhostAdmin
    how: str
    _finalizers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for fin in reversed(self._finalizers):
            fin()


def _wait_answering(amqp: str, db: str, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if amqp_answers(amqp) and db_answers(db):
            return True
        time.sleep(1)
    return False


def _from_testcontainers() -> Infra | None:
    try:
        from docker.errors import DockerException

        import docker

        docker.from_env().ping()
    except Exception as exc:  # noqa: BLE001 - DockerException, or no docker package at all
        logger.info("no Docker engine for testcontainers: %s", exc)
        return None
    from testcontainers.postgres import PostgresContainer
    from testcontainers.rabbitmq import RabbitMqContainer

    try:
        rabbit = RabbitMqContainer("rabbitmq:3-management").start()
        pg = PostgresContainer("postgres:16", driver="psycopg2").start()
    except DockerException as exc:  # e.g. the image cannot be pulled
        logger.warning("testcontainers could not start: %s", exc)
        return None
    host, port = rabbit.get_container_host_ip(), rabbit.get_exposed_port(5672)
    amqp = f"amqp://guest:guest@{host}:{port}/%2F"

    def ctl(args: list[str]) -> None:
        rc, out = rabbit.exec(["rabbitmqctl", "-q", *args])
        if rc != 0:
            raise RuntimeError(f"rabbitmqctl {args} failed: {out!r}")

    infra = Infra(amqp, pg.get_connection_url(), VhostAdmin("guest", ctl=ctl), "testcontainers")
    infra._finalizers += [rabbit.stop, pg.stop]
    return infra


def bootstrap() -> Infra:
    amqp = os.environ.get("LPR_TEST_AMQP_URL", DEFAULT_AMQP_URL)
    db = os.environ.get("LPR_TEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    explicit = "LPR_TEST_AMQP_URL" in os.environ or "LPR_TEST_DATABASE_URL" in os.environ
    if amqp_answers(amqp) and db_answers(db):
        return Infra(amqp, db, vhost_admin_for(amqp), "configured URLs")
    if explicit:
        raise InfraUnavailable(
            f"LPR_TEST_AMQP_URL={amqp} or LPR_TEST_DATABASE_URL={db} does not answer"
        )
    infra = _from_testcontainers()
    if infra is not None:
        return infra
    script = ROOT / "scripts" / "start_services.sh"
    if script.exists() and os.geteuid() == 0 and shutil.which("apt-get"):
        logger.warning("starting local RabbitMQ and Postgres with %s", script)
        subprocess.run(["bash", str(script)], check=False, timeout=900)
        if _wait_answering(amqp, db, 60):
            return Infra(amqp, db, vhost_admin_for(amqp), "scripts/start_services.sh")
    raise InfraUnavailable(
        "no RabbitMQ/Postgres for integration tests: set LPR_TEST_AMQP_URL and LPR_TEST_DATABASE_URL, "
        "or start a Docker engine (testcontainers), or run scripts/start_services.sh as root on Debian"
    )


# --- per-test databases ---------------------------------------------------------


def create_database(admin_url: str, prefix: str = "lpr_test") -> str:
    """Create an empty database (owned by the admin user) and return its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    url = make_url(admin_url)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if url.get_backend_name() == "mysql":
                conn.execute(
                    text(
                        f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                    )
                )
            else:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, db_url: str) -> None:
    url = make_url(admin_url)
    name = make_url(db_url).database
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if url.get_backend_name() == "mysql":
                conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
            else:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()
