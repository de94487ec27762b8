"""What nbgrader's exchange leaves beside a collected notebook travels with it through `grade`: the submission's
time and its secret, which `nbgrader release_feedback` needs to hand each student their page (the whole loop runs
on a real hub in tests/hub/test_hub_term.py)."""

import nbformat

from autograder.collect import SECRET, collect
from autograder.gradebook import Writer

NOTEBOOKS = {"01_losses": ["01_losses"]}


def _collected(tmp_path, secret="3f" * 64):
    folder = tmp_path / "submitted" / "alice" / "01_losses"
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nbformat.write(nb, str(folder / "01_losses.ipynb"))
    (folder / "timestamp.txt").write_text("2026-12-02 16:23:22.110878 UTC")
    if secret is not None:
        (folder / SECRET).write_text(secret)
    return tmp_path / "submitted"


def test_collect_reads_the_secret_and_does_not_call_it_an_ignored_file(tmp_path):
    (sub,) = collect(_collected(tmp_path), NOTEBOOKS)
    assert sub.secret == "3f" * 64
    assert sub.timestamp == "2026-12-02 16:23:22.110878"
    assert not any("ignored" in m for m in sub.messages), sub.messages


def test_without_a_secret_nothing_is_invented(tmp_path):
    (sub,) = collect(_collected(tmp_path, secret=None), NOTEBOOKS)
    assert sub.secret is None


def test_the_writer_puts_time_and_secret_beside_the_feedback_and_drops_a_stale_secret(tmp_path):
    (sub,) = collect(_collected(tmp_path), NOTEBOOKS)
    writer = Writer(tmp_path / "out")
    writer.submitted("alice", "01_losses", "01_losses", sub.files["01_losses"], sub.timestamp, sub.secret)
    feedback = tmp_path / "out" / "feedback" / "alice" / "01_losses"
    feedback.mkdir(parents=True)
    writer._submission_files("alice", "01_losses", feedback)
    assert (feedback / SECRET).read_text() == "3f" * 64
    assert (feedback / "timestamp.txt").read_text() == "2026-12-02 16:23:22.110878"

    # a later submission from outside the exchange has no secret: the old one must not name the new page
    writer.submitted("alice", "01_losses", "01_losses", sub.files["01_losses"], sub.timestamp, None)
    writer._submission_files("alice", "01_losses", feedback)
    assert not (feedback / SECRET).exists()
