"""Each solution notebook run once per worker, in-process: its results and the globals it leaves behind."""

import pytest

from harness import read, run


@pytest.fixture(scope="session")
def solved():
    cache = {}

    def get(aid):
        if aid not in cache:
            nb, ns = read(aid), {"__name__": "__main__"}
            cache[aid] = (nb, run(nb, namespace=ns), ns)
        return cache[aid]

    return get
