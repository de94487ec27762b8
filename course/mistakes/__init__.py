"""Catalogues of classic wrong implementations, by lesson, that the graded checks recognise by name."""
