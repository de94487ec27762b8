"""Two channel endpoints over real pipes, the student's side served from a thread (tests of autograder.channel)."""

import os
import threading

import pytest

from autograder.channel import Endpoint, PeerGone


@pytest.fixture
def endpoints():
    """(judge endpoint, student endpoint, share): ``share(name, obj)`` hands a student-side object to the judge
    and returns the judge's proxy for it."""
    a_r, b_w = os.pipe()
    b_r, a_w = os.pipe()
    judge, student = Endpoint(a_r, a_w, guarded=True), Endpoint(b_r, b_w, guarded=False)
    student.ops["share"] = lambda m: student.shared[m["n"]]
    student.shared = {}
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                student.serve_one(student.receive())
            except (PeerGone, OSError):  # the test is over and closed the pipes
                return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def share(name, obj):
        student.shared[name] = obj
        return judge.request({"op": "share", "n": name})["v"]

    yield judge, student, share
    stop.set()
    for fd in (a_r, a_w, b_r, b_w):
        os.close(fd)


@pytest.fixture
def pair(endpoints):
    """(judge endpoint, share)."""
    judge, _, share = endpoints
    return judge, share
