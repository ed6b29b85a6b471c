"""Headless Chromium for the loader tests, driven by Selenium through the
system chromedriver (Debian packages ``chromium`` and ``chromium-driver``).
Nothing here downloads a browser: without them the tests skip, naming the
packages."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from typing import Any

import pytest

PACKAGES = "Debian packages chromium and chromium-driver (apt-get install chromium chromium-driver)"


def _binaries() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def chromium() -> Iterator[Any]:
    """A headless Chromium session (generator for a pytest fixture), or a skip."""
    found = _binaries()
    if found is None:
        pytest.skip(f"no chromium/chromedriver on PATH: install the {PACKAGES}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(found[1]))
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def load_verdict(driver: Any, url: str, timeout: float = 30.0) -> dict[str, str]:
    """Open the loader page and wait for ``data-enoch-done``; return path -> status."""
    driver.get(url)
    deadline = time.monotonic() + timeout
    while driver.execute_script("return document.body.dataset.enochDone") != "true":
        if time.monotonic() > deadline:
            raise AssertionError("the loader page never finished: " + driver.find_element("tag name", "body").text[:500])
        time.sleep(0.05)
    rows = driver.execute_script(
        "return Array.from(document.querySelectorAll('[data-enoch-path]'), e => [e.dataset.enochPath, e.dataset.enochStatus])"
    )
    return {path: status for path, status in rows}
