"""The hub tests drive the same Debian Chromium as the browser tests."""

from browser.conftest import chromium  # noqa: F401 (a fixture)
