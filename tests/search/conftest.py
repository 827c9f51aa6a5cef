"""A temporary PostgreSQL cluster for the storage tests, and a fresh database per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from tests import services


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("psycopg")
    try:
        with services.postgres(tmp_path_factory.mktemp("postgres")) as url:
            yield url
    except services.ServiceMissing as missing:
        pytest.skip(str(missing))


@pytest.fixture
def fresh_database(postgres_url: str) -> str:
    """A new database per test, so studies of different tests never meet."""
    import sqlalchemy

    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return postgres_url.rsplit("/", 1)[0] + f"/{name}"
