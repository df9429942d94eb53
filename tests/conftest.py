"""Fixtures that give integration tests a real RabbitMQ and database, isolated per test.

Nothing here runs for unit tests: the session fixture starts only when a test
asks for a broker or a database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from tests import infra as _infra


@pytest.fixture(scope="session")
def infra() -> Iterator[_infra.Infra]:
    try:
        found = _infra.bootstrap()
    except _infra.InfraUnavailable as exc:
        pytest.exit(str(exc), returncode=3)
    yield found
    found.close()


@pytest.fixture
def amqp_url(infra: _infra.Infra) -> Iterator[str]:
    """A fresh vhost for this test (deleted after), as an AMQP URL."""
    vhost = f"lpr-test-{uuid.uuid4().hex[:10]}"
    infra.vhosts.create(vhost)
    try:
        yield _infra.vhost_url(infra.amqp_url, vhost)
    finally:
        infra.vhosts.delete(vhost)


@pytest.fixture
def database_url(infra: _infra.Infra) -> Iterator[str]:
    """A fresh, empty Postgres database for this test (dropped after)."""
    url = _infra.create_database(infra.database_url)
    try:
        yield url
    finally:
        _infra.drop_database(infra.database_url, url)


@pytest.fixture
def migrated_db(database_url: str) -> str:
    from shared.db import upgrade_to_head

    upgrade_to_head(database_url)
    return database_url


@pytest.fixture
def mysql_url() -> Iterator[str]:
    """A fresh MySQL/MariaDB database; skipped where no such server runs."""
    admin = os.environ.get("LPR_TEST_MYSQL_URL", _infra.DEFAULT_MYSQL_URL)
    if not _infra.db_answers(admin):
        pytest.skip(f"no MySQL/MariaDB at {admin} (set LPR_TEST_MYSQL_URL)")
    url = _infra.create_database(admin)
    try:
        yield url
    finally:
        _infra.drop_database(admin, url)
