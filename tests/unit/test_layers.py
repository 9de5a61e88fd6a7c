"""
The layer rules of ARCHITECTURE.md, checked on the import graph of `src/uatcert` (every import
statement, lazy ones inside functions included; imports only for type checkers excluded).
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[2] / "src" / "uatcert"
CLIENTS = frozenset({"v3", "v2", "allsafe"})
FORBIDDEN: dict[str, frozenset[str]] = {
    "sandbox": CLIENTS | {"_http", "suite", "pack", "evidence", "faults", "guard", "runner", "cli", "profiles"},
    **{c: (CLIENTS - {c}) | {"suite", "pack", "evidence", "sandbox", "runner", "cli", "profiles"} for c in CLIENTS},
    "_http": CLIENTS | {"suite", "pack", "evidence", "sandbox"},
    "evidence": {"suite", "pack", "sandbox", "runner", "cli"},
    "suite": {"pack", "runner", "cli"},
    "reconcile": {"_http", "suite", "pack", "sandbox", "runner", "cli"},
    "formats": CLIENTS | {"_http", "suite", "pack", "evidence", "sandbox"},
}
"""Top-level unit -> units it must never import."""
BASE: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "config": frozenset({"errors"}),
    "events": frozenset({"errors"}),
    "guard": frozenset({"config", "errors", "events"}),
}
"""The base layer: each imports only these units of the project."""
HTTP_CORE_USERS = CLIENTS | {"faults"}
PROXY_CORE = frozenset({"errors", "events"})
"""The fault proxy's core imports only these units; its edge modules (`PROXY_EDGE`: the standalone command and
the redacted recording) also `config`, `guard`, `evidence` and the sandbox's public surface."""
PROXY_EDGE = frozenset({"uatcert.proxy.command", "uatcert.proxy.recording"})


@dataclasses.dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def unit_of(module: str) -> str:
    """The top-level unit of `uatcert.x.y` ("x"); the root package is "uatcert"."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking_only(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append(child)
            visit(child)

    visit(tree)
    return found


def import_graph(root: Path) -> tuple[set[str], list[Edge]]:
    """Modules of the package at `root` and the project-internal imports between them."""
    files = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    modules = set(files)
    top = root.name
    edges: list[Edge] = []
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in modules else base)
            for target in targets:
                if target == top or target.startswith(top + "."):
                    while target not in modules and "." in target:
                        target = target.rsplit(".", 1)[0]
                    if target != name:
                        edges.append(Edge(name, target, node.lineno))
    return modules, edges


def violations(root: Path) -> list[str]:
    """Every broken rule, one line each (empty when the layers hold)."""
    modules, edges = import_graph(root)
    found: list[str] = []
    for e in edges:
        src, dst = unit_of(e.source), unit_of(e.target)
        where = f"{e.source} (line {e.line}) imports {e.target}"
        if src == dst:
            continue
        if dst in FORBIDDEN.get(src, ()):
            found.append(f"{where}: {src} must not import {dst}")
        if src in BASE and dst not in BASE[src]:
            found.append(f"{where}: {src} is in the base layer and may import only {sorted(BASE[src]) or 'nothing'}")
        if dst == "_http" and src not in HTTP_CORE_USERS:
            found.append(f"{where}: _http is private to the clients")
        if src == "proxy" and e.source not in PROXY_EDGE and dst not in PROXY_CORE:
            found.append(f"{where}: the proxy core may import only {sorted(PROXY_CORE)}")
        if dst == "proxy" and src in CLIENTS | {"_http", "sandbox", "evidence"}:
            found.append(f"{where}: {src} must not import proxy")
        private = [p for p in e.target.split(".")[2:] if p.startswith("_")]
        if private:
            found.append(f"{where}: a private module of {dst}")
    found.extend(f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(modules, edges))
    units = {unit_of(m) for m in modules}
    unit_edges = [Edge(unit_of(e.source), unit_of(e.target), e.line) for e in edges
                  if unit_of(e.source) != unit_of(e.target)]
    found.extend(f"import cycle between packages: {' -> '.join(cycle)}" for cycle in cycles(units, unit_edges))
    return found


def cycles(modules: set[str], edges: list[Edge]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each as a sorted list."""
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for e in edges:
        graph[e.source].add(e.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0

    def strongconnect(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                strongconnect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            strongconnect(module)
    return components


def test_the_project_keeps_its_layers() -> None:
    assert violations(PACKAGE_ROOT) == []


def test_every_unit_with_a_rule_exists() -> None:
    units = {unit_of(m) for m in import_graph(PACKAGE_ROOT)[0]}
    missing = (set(FORBIDDEN) | set(BASE) | HTTP_CORE_USERS) - units
    assert not missing, f"rules name units that do not exist: {sorted(missing)}"


# the checker itself, on small trees that break one rule each ------------------------------------
def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "uatcert"
    for rel, text in {"__init__.py": "", **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"sandbox/__init__.py": "from uatcert.v3 import Client\n", "v3/__init__.py": ""},
         "uatcert.sandbox (line 1) imports uatcert.v3: sandbox must not import v3"),
        ({"v2/__init__.py": "def f():\n    from uatcert.suite import plugin\n", "suite/__init__.py": "",
          "suite/plugin.py": ""},
         "uatcert.v2 (line 2) imports uatcert.suite.plugin: v2 must not import suite"),
        ({"v3/__init__.py": "from uatcert.v2 import x\n", "v2/__init__.py": ""},
         "uatcert.v3 (line 1) imports uatcert.v2: v3 must not import v2"),
        ({"pack/__init__.py": "from uatcert.suite._shared import x\n", "suite/__init__.py": "",
          "suite/_shared.py": ""},
         "uatcert.pack (line 1) imports uatcert.suite._shared: a private module of suite"),
        ({"suite/__init__.py": "from uatcert._http import core\n", "_http/__init__.py": "", "_http/core.py": ""},
         "uatcert.suite (line 1) imports uatcert._http.core: _http is private to the clients"),
        ({"config.py": "from uatcert import suite\n", "suite/__init__.py": ""},
         "uatcert.config (line 1) imports uatcert.suite: config is in the base layer and may import only"),
        ({"suite/__init__.py": "", "suite/a.py": "from uatcert.suite import b\n",
          "suite/b.py": "def f():\n    from . import a\n"},
         "import cycle: uatcert.suite.a -> uatcert.suite.b"),
        ({"suite/__init__.py": "", "suite/a.py": "from uatcert.runner import x\n", "runner.py": ""},
         "uatcert.suite.a (line 1) imports uatcert.runner: suite must not import runner"),
        ({"pack/__init__.py": "", "pack/a.py": "from uatcert.verdict import x\n",
          "verdict.py": "from uatcert.pack import b\n", "pack/b.py": ""},
         "import cycle between packages: pack -> verdict"),
        ({"proxy/__init__.py": "", "proxy/_core.py": "from uatcert.evidence import Redactor\n",
          "evidence/__init__.py": ""},
         "uatcert.proxy._core (line 1) imports uatcert.evidence: the proxy core may import only"),
        ({"sandbox/__init__.py": "from uatcert.proxy import FaultProxy\n", "proxy/__init__.py": ""},
         "uatcert.sandbox (line 1) imports uatcert.proxy: sandbox must not import proxy"),
    ],
    ids=["sandbox-client", "lazy-client-suite", "client-client", "private", "http-core", "base", "cycle",
         "suite-runner", "package-cycle", "proxy-core", "sandbox-proxy"],
)
def test_each_rule_can_fail(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    found = violations(_tree(tmp_path, files))
    assert any(line.startswith(expected) for line in found), found


def test_type_checking_imports_do_not_count(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "sandbox/__init__.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from uatcert.v3 import C\n",
        "v3/__init__.py": "",
    })
    assert violations(root) == []
