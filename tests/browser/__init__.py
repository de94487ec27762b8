"""Helpers for tests/test_browser.py: a scratch Jupyter server and a notebook driven in headless Chromium."""
