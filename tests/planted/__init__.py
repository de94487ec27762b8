"""Planted mistakes, one module per assignment (``tests/planted/<assignment>.py`` with a ``PLANTED`` list)."""
