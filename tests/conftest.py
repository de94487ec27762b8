import os

import pytest

# Tests import their helpers (harness, planted/, adversarial/) by plain name: pyproject.toml puts tests/ on the
# import path (pytest's `pythonpath`); `course` and `autograder` are installed packages. Nothing opens a window.
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def playwright_session():
    """One Playwright per test process: its sync API cannot be started twice at once, and the browser tests and the
    hub tests may run in the same pytest worker."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p
