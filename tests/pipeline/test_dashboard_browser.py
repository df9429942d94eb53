"""The operator page in headless Chromium (Debian's /usr/bin/chromium, driven by Selenium).

Load the page, see a new passage appear live, search by plate, add a plate to a list.
Set-up: `apt-get install -y chromium chromium-driver` (scripts/setup.sh does it as root).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from services.api.app import create_app
from shared.db import make_engine, make_sessionmaker
from shared.lists import load_entries
from shared.localrun import free_port
from shared.models import PassageRow
from tests.pipeline.helpers import jpeg

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="no /usr/bin/chromium: apt-get install -y chromium chromium-driver",
    ),
]
webdriver = pytest.importorskip("selenium.webdriver", reason="pip install selenium")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)


@pytest.fixture
def gateway(migrated_db: str) -> Iterator[str]:
    app = create_app({"DATABASE_URL": migrated_db, "API_KEY": None})
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[object]:
    profile = tempfile.mkdtemp(prefix="lpr-chromium-")  # a new, empty profile each time
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _add_passage(url: str, pid: str, plate: str, decision: str) -> None:
    engine = make_engine(url)
    now = datetime.now(UTC)
    with make_sessionmaker(engine)() as s:
        s.add(
            PassageRow(
                passage_id=pid,
                camera_id="gate-1",
                status="announced",
                plate_text=plate,
                confidence=0.93,
                first_seen=now,
                last_seen=now,
                read_count=4,
                best_read_id=pid,
                best_confidence=0.95,
                decision=decision,
                crop_jpeg=jpeg(160, 40, 90),
            )
        )
        s.commit()
    engine.dispose()


def _plates(driver) -> list[str]:  # noqa: ANN001
    # Read in one script: the table is re-rendered every 2 s, so element handles go stale.
    return driver.execute_script(
        "return [...document.querySelectorAll('#rows td.plate')].map(e => e.textContent)"
    )


def test_live_passages_search_and_list_edit(
    gateway: str, browser, migrated_db: str, tmp_path: Path
) -> None:  # noqa: ANN001
    wait = WebDriverWait(browser, 15)
    _add_passage(migrated_db, "1" * 32, "XY987ZZ", "unknown")
    browser.get(gateway + "/")
    wait.until(lambda d: _plates(d) == ["XY987ZZ"])
    _add_passage(migrated_db, "2" * 32, "AB123CD", "allow")  # arrives while the page is open
    wait.until(lambda d: _plates(d) == ["AB123CD", "XY987ZZ"])
    classes = browser.execute_script(
        f"return document.querySelector(\"tr[data-passage='{'2' * 32}']\").className"
    )
    assert "allow" in classes
    images = "return document.querySelectorAll('#rows img').length"
    wait.until(lambda d: d.execute_script(images) == 2)
    browser.find_element(By.ID, "plate").send_keys("XY9*")
    browser.find_element(By.ID, "search").click()
    wait.until(lambda d: _plates(d) == ["XY987ZZ"])
    browser.find_element(By.ID, "addplate").send_keys("xy-987-zz")
    browser.find_element(By.ID, "addnote").send_keys("stolen")
    Select(browser.find_element(By.ID, "addlist")).select_by_visible_text("deny")
    browser.find_element(By.ID, "add").click()
    wait.until(lambda d: "XY987ZZ - stolen" in d.find_element(By.ID, "list-deny").text)
    shot = tmp_path / "dashboard.png"
    browser.save_screenshot(str(shot))
    if os.environ.get("LPR_SCREENSHOT"):
        shutil.copy(shot, os.environ["LPR_SCREENSHOT"])
    engine = make_engine(migrated_db)
    with make_sessionmaker(engine)() as s:
        assert [(e.list_name, e.plate_text, e.note) for e in load_entries(s)] == [
            ("deny", "XY987ZZ", "stolen")
        ]
    engine.dispose()
