"""The migrate HTML dashboard in a real browser (issue 15 item 3): Chromium driven by Playwright
sorts, filters and opens details; the page makes no network request; at phone width nothing runs
off the side. Screenshots are kept under the test's tmp folder as artefacts.

Needs pip `playwright` (the test extra) and a Chromium: $THEMIS_LINT_CHROMIUM, else `chromium`
(Debian's package) on PATH. Without them the test skips, saying which is missing.
"""
from __future__ import annotations

import os
import shutil

import pytest

from tests.fleet.gitfarm import BROKEN, CONF, SH, make_repo
from tests.helpers import invoke


def chromium_path() -> str | None:
    for candidate in (os.environ.get("THEMIS_LINT_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip playwright is not installed")
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium found: apt-get install chromium, or set THEMIS_LINT_CHROMIUM")
    with sync_api.sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        except Exception as exc:  # noqa: BLE001  any launch failure is a reason to skip, not to fail
            pytest.skip(f"Chromium at {executable} cannot be launched: {exc}")
        yield launched
        launched.close()


@pytest.fixture
def dashboard(tmp_path, monkeypatch):
    """A report of five repositories, one of each kind a person cares about."""
    monkeypatch.chdir(tmp_path)
    make_repo(tmp_path / "repos/billing", {"config/themisdb.conf": CONF, "scripts/start.sh": SH})
    make_repo(tmp_path / "repos/catalog", {"README.md": "# nothing to do\n"})
    make_repo(tmp_path / "repos/search", {"scripts/start.sh": SH, "deploy/themisdb.conf": BROKEN})
    make_repo(tmp_path / "repos/orders", {"scripts/start.sh": SH})
    (tmp_path / "repos/orders/scripts/start.sh").write_text(SH + "# work in progress\n")
    invoke("migrate", "--no-progress", "--commit", "--html", "report.html", "repos/billing", "repos/catalog",
           "repos/search", "repos/orders", "repos/missing")
    return tmp_path / "report.html"


def visible_paths(page) -> list[str]:
    return page.eval_on_selector_all("#repos tbody.repo:not([hidden])", "bs => bs.map(b => b.dataset.path)")


def test_dashboard_sorts_filters_collapses_offline(browser, dashboard, tmp_path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    url = dashboard.as_uri()
    page.goto(url)
    assert page.inner_text("#count") == "showing 5 of 5 repositories"
    assert visible_paths(page) == ["repos/billing", "repos/catalog", "repos/missing", "repos/orders",
                                   "repos/search"]

    page.click("th[data-key=fixes] button")  # ascending, ties by name
    assert visible_paths(page)[-1] == "repos/billing"
    page.click("th[data-key=fixes] button")  # descending
    assert visible_paths(page)[0] == "repos/billing"
    assert page.get_attribute("th[data-key=fixes]", "aria-sort") == "descending"
    page.click("th[data-key=outcome] button")  # worst first
    assert visible_paths(page)[:2] == ["repos/missing", "repos/orders"]

    page.select_option("#f-outcome", "refused")
    assert visible_paths(page) == ["repos/orders"]
    page.click(".tile[data-outcome=changed]")  # the tiles filter too
    assert visible_paths(page) == ["repos/billing"] and page.get_attribute(
        ".tile[data-outcome=changed]", "aria-pressed") == "true"
    page.select_option("#f-outcome", "")
    page.select_option("#f-code", "TH900")
    assert visible_paths(page) == ["repos/search"]
    page.select_option("#f-code", "")
    page.select_option("#f-column", "fixes")
    page.fill("#f-min", "3")
    assert visible_paths(page) == ["repos/billing"]
    page.fill("#f-min", "0")
    page.fill("#f-text", "SEARCH")
    assert visible_paths(page) == ["repos/search"] and page.inner_text("#count") == "showing 1 of 5 repositories"
    page.fill("#f-text", "")

    details = "tbody[data-path='repos/billing'] tr.details"
    toggle = "tbody[data-path='repos/billing'] button.toggle"
    assert not page.is_visible(details)
    page.click(toggle)
    assert page.is_visible(details) and page.get_attribute(toggle, "aria-expanded") == "true"
    assert "TH103" in page.inner_text(f"{details} li.unsafe")  # the unsafe fix, listed for review
    page.click(f"{details} summary")  # the diff
    assert "+exec themisdb-server --storage.rocksdb.walSize 32MB" in page.inner_text(f"{details} pre.diff")
    page.screenshot(path=str(tmp_path / "dashboard-desktop.png"), full_page=True)
    page.click(toggle)
    assert not page.is_visible(details)

    # unsafe fixes, what needs a person and safe fixes never look alike
    page.click("tbody[data-path='repos/search'] button.toggle")
    colour = "e => getComputedStyle(e).borderLeftColor"
    unsafe_line = page.eval_on_selector("li.unsafe", colour)
    person_line = page.eval_on_selector("tbody[data-path='repos/search'] li.person", colour)
    assert unsafe_line != person_line
    assert page.eval_on_selector(".b-unsafe", "e => getComputedStyle(e).color") != page.eval_on_selector(
        ".b-safe", "e => getComputedStyle(e).color")

    assert requests == [url], f"the page made requests: {requests}"
    context.close()


def test_dashboard_fits_a_phone(browser, dashboard, tmp_path) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, device_scale_factor=2)
    page = context.new_page()
    page.goto(dashboard.as_uri())
    page.click("tbody[data-path='repos/billing'] button.toggle")
    page.click("tbody[data-path='repos/billing'] tr.details summary")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide on a 375px screen"
    assert page.is_visible("tbody[data-path='repos/billing'] td[data-label=fixes]")
    assert not page.is_visible("tbody[data-path='repos/search'] tr.details")  # closed ones stay closed
    page.select_option("#f-outcome", "failed")
    assert visible_paths(page) == ["repos/missing"] and not page.is_visible("tbody[data-path='repos/billing']")
    page.select_option("#f-outcome", "")
    page.screenshot(path=str(tmp_path / "dashboard-phone.png"), full_page=True)
    context.close()
