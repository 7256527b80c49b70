"""Cycle detection for dependency graphs (iterative Tarjan, safe for deep graphs)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def find_cycles(graph: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Each strongly connected component with a cycle, as a path starting at its smallest ID."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            successors = graph.get(node, ())
            if position < len(successors):
                work.append((node, position + 1))
                succ = successors[position]
                if succ not in index:
                    work.append((succ, 0))
                elif succ in on_stack:
                    low[node] = min(low[node], index[succ])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    cycles.append(_cycle_path(graph, set(component)))
    return sorted(cycles)


def _cycle_path(graph: Mapping[str, Sequence[str]], component: set[str]) -> list[str]:
    """A concrete cycle through the component's smallest node, following edges inside it."""
    start = min(component)
    path = [start]
    seen = {start}
    node = start
    while True:
        nxt = next((s for s in graph.get(node, ()) if s in component), None)
        if nxt is None or nxt == start:
            return path
        if nxt in seen:
            return path[path.index(nxt):]
        path.append(nxt)
        seen.add(nxt)
        node = nxt
