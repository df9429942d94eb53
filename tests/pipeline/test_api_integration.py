"""The Flask gateway against a real Postgres database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from services.api.app import create_app
from shared.db import insert_read, make_engine, make_sessionmaker
from tests.pipeline.helpers import make_read

pytestmark = pytest.mark.integration

T0 = datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC)
KEY = "s3cret-key"


@pytest.fixture
def reads(migrated_db: str) -> list:
    msgs = [
        make_read("AB123CD", camera_id="gate-1", frame_id="f1", captured_at=T0, confidence=0.95),
        make_read(
            "AB123CD",
            camera_id="gate-2",
            frame_id="f2",
            captured_at=T0 + timedelta(minutes=5),
            confidence=0.60,
        ),
        make_read(
            "XY987ZT",
            camera_id="gate-1",
            frame_id="f3",
            captured_at=T0 + timedelta(minutes=10),
            confidence=0.99,
        ),
    ]
    # Five reads in the same microsecond: pagination must still neither skip nor repeat.
    msgs += [
        make_read(f"SAME{i}", frame_id="f4", index=i, captured_at=T0 + timedelta(hours=1))
        for i in range(5)
    ]
    engine = make_engine(migrated_db)
    with make_sessionmaker(engine)() as s:
        for m in msgs:
            insert_read(s, m)
        s.commit()
    engine.dispose()
    return msgs


@pytest.fixture
def client(migrated_db: str) -> Iterator[FlaskClient]:
    app = create_app({"DATABASE_URL": migrated_db, "API_KEY": KEY, "TESTING": True})
    with app.test_client() as c:
        c.environ_base["HTTP_X_API_KEY"] = KEY
        yield c


def test_list_newest_first_in_the_contract_shape(client: FlaskClient, reads: list) -> None:
    body = client.get("/v1/reads").get_json()
    assert len(body["items"]) == len(reads) and body["next_cursor"] is None
    times = [i["captured_at"] for i in body["items"]]
    assert times == sorted(times, reverse=True)
    item = next(i for i in body["items"] if i["read_id"] == reads[0].read_id)
    contract = reads[0].model_dump(mode="json", exclude={"crop_jpeg_b64"})
    assert {k: item[k] for k in contract} == contract
    assert item["crop_url"] == f"/v1/reads/{reads[0].read_id}/crop.jpg"


@pytest.mark.parametrize(
    ("query", "plates"),
    [
        ("plate=ab-123 cd", ["AB123CD", "AB123CD"]),
        ("plate=XY*", ["XY987ZT"]),
        ("camera_id=gate-2", ["AB123CD"]),
        ("min_confidence=0.9&camera_id=gate-1", ["XY987ZT", "AB123CD"]),
        ("since=2024-05-01T08:05:00Z&until=2024-05-01T08:10:00Z", ["AB123CD"]),
        ("since=2024-05-01T10:00:00%2B02:00&until=2024-05-01T08:06:00", ["AB123CD", "AB123CD"]),
    ],
)
def test_filters(client: FlaskClient, reads: list, query: str, plates: list[str]) -> None:
    body = client.get(f"/v1/reads?{query}").get_json()
    assert [i["plate_text"] for i in body["items"]] == plates


def test_keyset_pages_cover_every_read_once(client: FlaskClient, reads: list) -> None:
    seen, cursor, pages = [], None, 0
    while True:
        url = "/v1/reads?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).get_json()
        seen += [i["read_id"] for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 4
    assert sorted(seen) == sorted(m.read_id for m in reads) and len(seen) == len(set(seen))


def test_one_read_and_its_crop(client: FlaskClient, reads: list) -> None:
    read = reads[2]
    assert client.get(f"/v1/reads/{read.read_id}").get_json()["plate_text"] == "XY987ZT"
    crop = client.get(f"/v1/reads/{read.read_id}/crop.jpg")
    assert crop.status_code == 200 and crop.mimetype == "image/jpeg"
    assert crop.data[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/v1/reads/" + "0" * 32, 404, "no read"),
        ("/v1/reads/not-an-id/crop.jpg", 404, "no read"),
        ("/v1/reads?since=yesterday", 400, "ISO 8601"),
        ("/v1/reads?limit=0", 400, "limit"),
        ("/v1/reads?limit=100000", 400, "limit"),
        ("/v1/reads?min_confidence=abc", 400, "min_confidence"),
        ("/v1/reads?cursor=garbage!", 400, "cursor"),
        ("/v1/reads?since=2024-05-02T00:00:00Z&until=2024-05-01T00:00:00Z", 400, "before"),
        ("/v2/nothing", 404, "not found"),
    ],
)
def test_errors_are_json_with_the_right_status(
    client: FlaskClient, reads: list, url: str, status: int, words: str
) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert words.lower() in response.get_json()["error"]["message"].lower()


def test_api_key_is_required_on_v1_only(client: FlaskClient, reads: list) -> None:
    for headers in ({"X-API-Key": ""}, {"X-API-Key": "wrong"}):
        response = client.get("/v1/reads", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"]["status"] == 401
    assert (
        client.get(
            f"/v1/reads/{reads[0].read_id}/crop.jpg", headers={"X-API-Key": "no"}
        ).status_code
        == 401
    )
    for path in ("/healthz", "/readyz", "/metrics", "/openapi.json", "/"):
        assert client.get(path, headers={"X-API-Key": ""}).status_code == 200, path


def test_no_key_configured_means_open(migrated_db: str, reads: list) -> None:
    app = create_app({"DATABASE_URL": migrated_db})
    assert app.test_client().get("/v1/reads").status_code == 200


def test_readyz_is_503_until_the_schema_exists(database_url: str) -> None:
    client = create_app({"DATABASE_URL": database_url}).test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503
    from shared.db import upgrade_to_head

    upgrade_to_head(database_url)
    assert client.get("/readyz").get_json() == {"status": "ready", "database": "ok"}
    down = create_app(
        {"DATABASE_URL": "postgresql+psycopg2://postgres@127.0.0.1:1/x"}
    ).test_client()
    assert down.get("/readyz").status_code == 503


def test_metrics_and_openapi(client: FlaskClient, reads: list) -> None:
    client.get("/v1/reads")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'lpr_http_requests_total{endpoint="/v1/reads",method="GET",status="200"}' in text
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {
        "/v1/reads",
        "/v1/reads/{read_id}",
        "/v1/reads/{read_id}/crop.jpg",
        "/healthz",
        "/readyz",
        "/metrics",
    } <= set(spec["paths"])
    page = client.get("/").get_data(as_text=True)
    assert "/v1/passages" in page and "/v1/lists" in page and "X-API-Key" in page
