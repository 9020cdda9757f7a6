"""The layout's rule: imports run one way, down the pipeline, and never in a circle.

Every module of the package is read with `ast` (nothing is imported), and every import it
makes counts: at the top, inside a function, under TYPE_CHECKING. A module may import its own
stage and any stage below it; stages side by side on one tier (schedule and preview; check,
pipeline and store) do not import each other. A new module outside every stage fails too,
until it is given its place here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "digest"

# Lowest first. The base is one stage: the package itself, the value objects, the config
# (with the cron grammar it validates with), the exception tree and where bundled data lives.
BASE = ("digest", "digest.errors", "digest.model", "digest.config", "digest.config_schema",
        "digest.cron", "digest.resources")
TIERS: tuple[tuple[str, ...], ...] = (
    ("base",),
    ("digest.read",),
    ("digest.edit",),
    ("digest.render",),
    ("digest.publish",),
    ("digest.check", "digest.pipeline", "digest.store"),
    ("digest.deliver",),
    ("digest.schedule", "digest.preview"),
    ("digest.cli",),
    ("digest.__main__",),
)
TIER = {stage: n for n, stages in enumerate(TIERS) for stage in stages}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def stage_of(module: str) -> str | None:
    if module in BASE:
        return "base"
    return next((s for s in TIER if s != "base" and (module == s or module.startswith(s + "."))),
                None)


def imports(module: str) -> Iterator[tuple[int, str]]:
    """(line, module) for each package module that `module` imports."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package, up level - 1
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from digest.schedule import ready` imports the module digest.schedule.ready.
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                     for a in node.names]
        else:
            continue
        for name in names:
            if name == "digest" or name.startswith("digest."):
                yield node.lineno, name


def upward_imports() -> list[str]:
    found = []
    for module in MODULES:
        stage = stage_of(module)
        for line, target in imports(module):
            other = stage_of(target)
            if stage is None or other is None or other == stage or TIER[other] < TIER[stage]:
                continue
            where = f"{MODULES[module].relative_to(PACKAGE.parent)}:{line}"
            way = "up" if TIER[other] > TIER[stage] else "sideways"
            found.append(f"{where} imports {target}: {stage} (tier {TIER[stage]}) may not "
                         f"import {other} (tier {TIER[other]}), that runs {way}")
    return found


def cycles() -> list[list[str]]:
    """Every import cycle between modules, as the modules in it (Tarjan's components)."""
    graph = {m: sorted({t for _, t in imports(m) if t in MODULES}) for m in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while (member := stack.pop()) != node:
                component.append(member)
            component.append(node)
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_every_module_has_a_stage() -> None:
    lost = [m for m in MODULES if stage_of(m) is None]
    assert not lost, f"modules in no stage (give them one in TIERS): {lost}"


def test_imports_run_one_way() -> None:
    assert len(MODULES) > 50 and sum(1 for m in MODULES for _ in imports(m)) > 100
    found = upward_imports()
    assert not found, "imports against the pipeline's order:\n" + "\n".join(found)


def test_no_import_cycle() -> None:
    found = cycles()
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


@pytest.mark.parametrize(("module", "target", "allowed"), [
    ("digest.edit.figures", "digest.read.common", True),
    ("digest.edit.figures", "digest.model", True),
    ("digest.read.feed", "digest.edit.numbers", False),  # up
    ("digest.schedule.run", "digest.preview.engine", False),  # sideways
    ("digest.store.db", "digest.check.gate", False),  # sideways
    ("digest.config", "digest.schedule.trigger", False),
])
def test_the_rule_itself(module: str, target: str, allowed: bool) -> None:
    stage, other = stage_of(module), stage_of(target)
    assert stage is not None and other is not None
    assert (other == stage or TIER[other] < TIER[stage]) is allowed
