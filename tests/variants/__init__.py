"""Valid ways of writing each lesson's graded functions (loops, einsum, other formulas, other random draws).

``tests/variants/<aid>.py`` holds ``GROUPS = {name: [Variant, ...]}``; each group is planted into the solution
notebook at once, and every test cell must still pass (tests/lessons/test_valid_variants.py).
"""
