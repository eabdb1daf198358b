"""The studio in a real browser: Playwright (pip) driving Debian's Chromium.

upload a tune -> train a few epochs -> generate -> the audio element has a playable
source and the score SVG is in the page; a screenshot is saved to artifacts/.
"""
import os
import re
import shutil

import pytest
from conftest import LICK, comping, write_midi
from test_web import server  # noqa: F401  (the live-server fixture)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = os.path.join(os.path.dirname(__file__), "..", "artifacts")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    if not CHROMIUM:
        pytest.skip("no Chromium on this machine (`make test` installs Debian's chromium when run as root)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
            "--no-first-run", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def sync_api_expect():
    from playwright.sync_api import expect

    return expect


@pytest.mark.slow
def test_upload_train_generate_listen_and_look(browser, server, tmp_path):  # noqa: F811
    lick = [(p, s + 16 * i, d) for i in range(3) for p, s, d in LICK]
    tune = write_midi(tmp_path / "lick.mid", [("Piano", 0, False, comping(repeats=3)), ("Sax", 65, False, lick)])
    page = browser.new_page(viewport={"width": 1280, "height": 1800})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)  # the studio's CSP holds
    page.goto(server + "/")
    page.set_input_files("#file", tune)
    expect = sync_api_expect()
    expect(page.locator("#tune-status")).to_have_text("loaded", timeout=20000)  # locators: no eval under the CSP
    assert "Sax" in page.inner_text("#ranking") and "Dm7" in page.input_value("#chart")
    page.fill("#epochs", "5")
    page.click("#train-button")
    expect(page.locator("#train-status")).to_have_text(re.compile("^Model: trained"), timeout=30000)
    page.fill("#chart-search", "rhythm changes")  # the chart library's search box (the built-ins are in it)
    expect(page.locator("#chart-results option", has_text="rhythm changes in Bb")).to_have_count(1, timeout=10000)
    page.select_option("#chart-results", label="rhythm changes in Bb")
    expect(page.locator("#bars")).to_have_value("32", timeout=10000)
    assert "Bbmaj7" in page.input_value("#chart")
    page.select_option("#progression", label="12-bar jazz blues in F")
    assert page.input_value("#bars") == "12"
    page.click("#generate-button")
    page.wait_for_selector("#score svg", timeout=60000)
    src = page.get_attribute("#player", "src")
    assert src and "/api/results/" in src
    playable = page.evaluate("""async () => { const a = document.querySelector('#player');
        if (a.readyState < 1) await new Promise(r => { a.onloadedmetadata = r; a.onerror = r; setTimeout(r, 10000); });
        return {duration: a.duration, error: a.error && a.error.code}; }""")
    assert playable["error"] is None and playable["duration"] > 10  # 12 bars at 132 bpm: about 22 s
    assert page.locator("#score svg").count() >= 1 and "chord tones" in page.inner_text("#metrics")
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, "studio.png"), full_page=True)
    assert not errors, errors
