"""The one topological order of a computational graph, for any objects with lesson 08's ``parents`` (the course's
engine, a student's, or a student's across the grader's wall). It lives outside :mod:`course.autograd`, which is
withheld while 08 is graded, because the checks and the drawings walk a student's graph too."""

__all__ = ["topological_order"]


def topological_order(root, parents=lambda node: node.parents):
    """Every node ``root`` depends on, each once (by identity), parents before the nodes made from them, ending
    with ``root``. ``parents(node)`` lists a node's parents. Iterative, so a graph thousands of operations deep does
    not reach Python's recursion limit."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in parents(node) if id(p) not in seen)
    return order
