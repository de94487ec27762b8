"""The adversarial grading corpus: a toy course and the submissions that attack it (see corpus.py)."""
