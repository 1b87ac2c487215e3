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


def _string_constants(folder: str):
    """(file, line, text) of every string literal in a package, docstrings left out."""
    import ast
    for path in sorted((ROOT / folder).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                yield path.relative_to(ROOT), node.lineno, node.value


def test_each_sop_fact_is_declared_once():
    from rules.sop import load_sop
    from service.reconcile.plan import TabStatus
    sop = load_sop()
    labels = {b.label for b in sop.boxes.values()} | {s.label for s in sop.states.values()}
    held = {s.value for s in TabStatus} - {TabStatus.OK, TabStatus.ERROR, TabStatus.HEADER}  # "ok"/"galat" are common words
    copies = [f"{path}:{line}: {value!r}" for folder in PACKAGES for path, line, value in _string_constants(folder)
              if value in labels or (value in held and path != Path("service/reconcile/plan.py"))]
    assert copies == []
    numbers = [f"{path.relative_to(ROOT)}:{n}" for folder in PACKAGES for path in sorted((ROOT / folder).rglob("*.py"))
               for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if re.search(r"\(5, 7, 9\)|blocking\(\d", line) and "sop.py" not in path.name]
    assert numbers == []


def test_box_columns_fields_and_blockable_steps_come_from_sop_yaml():
    from rules import fields as f
    from rules.findings import GALAT, Finding
    from rules.sop import load_sop
    from sheets.layout import COLUMNS
    sop = load_sop()
    assert f.STEP_BOXES == tuple(sop.boxes)
    assert [(c.key, c.header, c.owner) for c in COLUMNS if c.box] == \
        [(k, b.label, b.pemilik.casefold()) for k, b in sop.boxes.items()]
    assert sop.blockable == {5, 7, 9}
    error = Finding("X-1", f.NILAI, GALAT, "kode", "pesan", blocks_from=5)
    assert [n for n in range(1, 11) if error.blocks(n)] == sorted(sop.blockable)


def test_whether_a_cleared_box_stays_cleared_depends_on_its_kind_not_its_wording():
    from rules import fields as f
    from rules.workflow import ClearKind, read_boxes
    cells = {f.SELESAI_ISI: "YA"}
    for kind in ClearKind:
        _, clears, kinds = read_boxes(cells, {f.SELESAI_ISI: "kalimat apa saja"}, {f.SELESAI_ISI: kind}, False)
        assert (f.SELESAI_ISI in clears) is kind.sticky, kind
        assert kinds.get(f.SELESAI_ISI) == (kind if kind.sticky else None)
    assert {k for k in ClearKind if k.sticky} == {ClearKind.REVISION, ClearKind.REOPENED, ClearKind.REVERIFY,
                                                   ClearKind.UNSEEN}


def test_a_clear_remembered_before_kinds_were_stored_keeps_its_kind():
    from rules.workflow import ClearKind, legacy_kinds
    old = {"selesai_diisi": "Dikosongkan otomatis: Walidata meminta revisi (lihat Catatan Walidata).",
           "disepakati_opd": "Dikosongkan otomatis: Disepakati OPD dicentang terlalu awal; ..."}
    assert legacy_kinds(old) == {"selesai_diisi": ClearKind.REVISION}


DEMO_ONLY = {"service/cli/workspace.py", "service/cli/setup.py"}  # `satudata init --demo`: Magetan's demo data


def test_no_string_in_the_product_names_magetan_outside_the_demo():
    """Any kabupaten/kota runs the product (DECISIONS.md #70): its name comes from kode_wilayah."""
    hits = [f"{path}:{line}" for folder in PACKAGES for path, line, text in _string_constants(folder)
            if "magetan" in text.lower() and str(path) not in DEMO_ONLY]
    assert hits == []


def test_the_engine_asks_a_backend_its_declared_capabilities_never_probes_it():
    """A backend's optional parts are defaults on sheets.base.Backend (or a declared flag such as
    ``supports_metadata_tab``), so the service never asks ``hasattr``/``getattr`` of a backend."""
    probes = re.compile(r"(hasattr|getattr)\(\s*(self\.)?backend\b")
    found = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "service").rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if probes.search(line)]
    assert not found, found
