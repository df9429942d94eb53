"""Gateway /v1/lists and /v1/passages against a real Postgres."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from services.api.app import create_app
from shared.db import make_engine, make_sessionmaker
from shared.lists import load_entries
from shared.models import PassageRow

pytestmark = pytest.mark.integration

KEY = "k3y"
T0 = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def client(migrated_db: str) -> Iterator[FlaskClient]:
    app = create_app({"DATABASE_URL": migrated_db, "API_KEY": KEY, "TESTING": True})
    with app.test_client() as c:
        c.environ_base["HTTP_X_API_KEY"] = KEY
        yield c


def test_add_list_remove_and_the_passages_service_sees_it(
    client: FlaskClient, migrated_db: str
) -> None:
    r = client.post("/v1/lists/allow", json={"plate": "ab-123 cd", "note": "resident 12"})
    assert r.status_code == 201 and r.json["plate_text"] == "AB123CD"
    assert client.post("/v1/lists/allow", json={"plate": "AB123CD", "note": "x"}).status_code == 200
    assert client.post("/v1/lists/deny", json={"plate": "ZZ999ZZ"}).status_code == 201
    assert client.get("/v1/lists").json["lists"] == [
        {"name": "allow", "count": 1},
        {"name": "deny", "count": 1},
    ]
    items = client.get("/v1/lists/allow?plate=123").json["items"]
    assert [(i["plate_text"], i["note"]) for i in items] == [("AB123CD", "x")]
    engine = make_engine(migrated_db)
    with make_sessionmaker(engine)() as s:
        assert {(e.list_name, e.plate_text) for e in load_entries(s)} == {
            ("allow", "AB123CD"),
            ("deny", "ZZ999ZZ"),
        }
    engine.dispose()
    assert client.delete("/v1/lists/allow/AB-123-CD").status_code == 204
    assert client.delete("/v1/lists/allow/AB123CD").status_code == 404
    assert client.get("/v1/lists/allow").json["items"] == []


def test_bad_list_requests_are_clear_4xx(client: FlaskClient) -> None:
    assert client.post("/v1/lists/vip", json={"plate": "AB1"}).status_code == 404
    r = client.post("/v1/lists/allow", json={"plate": "!!"})
    assert r.status_code == 400 and "not a plate" in r.json["error"]["message"]
    assert client.post("/v1/lists/allow", data="nope").status_code == 400
    assert client.post("/v1/lists/allow", json={"plate": "A" * 40}).status_code == 400
    no_key = client.get("/v1/lists", headers={"X-API-Key": "wrong"})
    assert no_key.status_code == 401


def test_csv_import_adds_updates_and_reports_bad_lines(client: FlaskClient) -> None:
    client.post("/v1/lists/deny", json={"plate": "XY987ZZ"})
    csv_text = "plate,note\nAB123CD,visitor\nxy-987-zz,stolen\n,\n#?!,bad\nQQ111QQ\n"
    r = client.post(
        "/v1/lists/deny/import",
        data={"file": (io.BytesIO(csv_text.encode()), "deny.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 200, r.json
    assert (r.json["added"], r.json["updated"]) == (2, 1)
    assert [e["line"] for e in r.json["errors"]] == [5]
    raw = client.post("/v1/lists/allow/import", data="CD456EF\n", content_type="text/csv")
    assert raw.json["added"] == 1
    big = client.post("/v1/lists/allow/import", data=b"A" * (1024 * 1024 + 10))
    assert big.status_code == 413
    assert client.post("/v1/lists/allow/import", data=b"\xff\xfe\x00").status_code == 400
    huge_field = client.post("/v1/lists/allow/import", data=b"A" * 200_000)  # csv field limit
    assert huge_field.status_code == 400 and "not a CSV" in huge_field.json["error"]["message"]


def test_passages_are_listed_filtered_and_their_crop_served(
    client: FlaskClient, migrated_db: str
) -> None:
    engine = make_engine(migrated_db)
    with make_sessionmaker(engine)() as s:
        for i, (plate, decision) in enumerate([("AB123CD", "allow"), ("XY987ZZ", "deny")]):
            s.add(
                PassageRow(
                    passage_id=f"{i:032x}",
                    camera_id=f"gate-{i}",
                    status="closed",
                    plate_text=plate,
                    confidence=0.9,
                    first_seen=T0 + timedelta(minutes=i),
                    last_seen=T0 + timedelta(minutes=i, seconds=4),
                    read_count=5,
                    best_read_id="a" * 32,
                    best_confidence=0.95,
                    list_name=decision,
                    list_plate=plate,
                    list_distance=0,
                    decision=decision,
                    crop_jpeg=b"\xff\xd8\xffjpeg",
                )
            )
        s.commit()
    engine.dispose()
    page = client.get("/v1/passages?limit=1").json
    assert page["items"][0]["plate_text"] == "XY987ZZ" and page["next_cursor"]
    rest = client.get(f"/v1/passages?cursor={page['next_cursor']}").json
    assert [p["plate_text"] for p in rest["items"]] == ["AB123CD"]
    assert [p["decision"] for p in client.get("/v1/passages?plate=ab*").json["items"]] == ["allow"]
    assert client.get("/v1/passages?camera_id=gate-1&decision=deny").json["items"][0][
        "list_match"
    ] == {"list_name": "deny", "plate_text": "XY987ZZ", "distance": 0}
    assert client.get("/v1/passages?decision=maybe").status_code == 400
    crop = client.get(f"/v1/passages/{0:032x}/crop.jpg")
    assert crop.status_code == 200 and crop.data.startswith(b"\xff\xd8\xff")
    assert client.get("/v1/passages/nothex").status_code == 404
