"""The shape of the code base a newcomer relies on: no import loop anywhere, no reference to a
document outside the repository, each SOP fact in its one home (DECISIONS.md #25-#29)."""
from __future__ import annotations

import re
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("rules", "sheets", "service")


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_no_module_imports_itself_through_others():
    graph = grimp.build_graph(*PACKAGES)
    assert _cycles(graph) == []


def test_the_cycle_finder_sees_a_loop():
    graph = grimp.ImportGraph()
    for a, b in (("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")):
        graph.add_import(importer=a, imported=b)
    assert _cycles(graph) == [["p.a", "p.b", "p.c"]]


OUTSIDE = re.compile(r"issue [0-9]|DESIGN (§|section)", re.IGNORECASE)


def test_no_comment_points_at_a_document_outside_the_repository():
    hits = [f"{path.relative_to(ROOT)}:{n}" for folder in (*PACKAGES, "tests", "bench")
            for path in sorted((ROOT / folder).rglob("*.py"))
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if OUTSIDE.search(line)]
    assert hits == []


def test_every_cited_decision_exists():
    decisions = set(re.findall(r"^## (\d+)\.", (ROOT / "docs" / "DECISIONS.md").read_text(encoding="utf-8"), re.M))
    cited = {n for folder in (*PACKAGES, "tests", "bench") for path in (ROOT / folder).rglob("*.py")
             for group in re.findall(r"DECISIONS\.md ((?:#\d+(?:-#?\d+)?(?:,? (?:and )?)?)+)",
                                     path.read_text(encoding="utf-8"))
             for n in re.findall(r"\d+", group)}
    assert cited - decisions == set()
