"""
pytest-bdd's step lookup, with its candidates computed once per test module.

For every step of every scenario, pytest-bdd 9.0.1 (`find_fixturedefs_for_step`) walks the name of every
fixture of the session, asks pytest which definitions of it the test sees, and keeps the step
definitions whose parser matches the step. The profile of a 100-product run put about 40 s there: the
work grows with steps x fixtures, and both grow with the catalogue.

What a test sees depends only on where it is (its module and the conftests above it); the fixtures a
scenario registers on its own test are values (target fixtures), never step definitions. So the step
definitions visible from a module are listed once, in pytest-bdd's order, and each step is matched
against that list: the same definitions, in the same order, as pytest-bdd would find.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from typing import Any

from pytest_bdd.compat import get_fixture_names, getfixturedefs
from pytest_bdd.steps import step_function_context_registry

bdd_scenario: Any = importlib.import_module("pytest_bdd.scenario")  # the package's `scenario` is a function
_original = bdd_scenario.find_fixturedefs_for_step
_visible: dict[int, tuple[Any, list[tuple[Any, Any]]]] = {}
"""id(parent node) -> (the node, [(fixture definition, step function context)]) in pytest-bdd's order."""


def _step_definitions(fixturemanager: Any, node: Any) -> list[tuple[Any, Any]]:
    parent = node.parent
    known = _visible.get(id(parent))
    if known is not None and known[0] is parent:
        return known[1]
    found = []
    for name in get_fixture_names(fixturemanager=fixturemanager):
        for fixturedef in getfixturedefs(fixturemanager, name, node) or []:
            context = step_function_context_registry.get(fixturedef.func)
            if context is not None:
                found.append((fixturedef, context))
    _visible[id(parent)] = (parent, found)
    return found


def find_fixturedefs_for_step(step: Any, fixturemanager: Any, node: Any) -> Iterable[Any]:
    """The step definitions (fixture definitions) visible to `node` that can parse `step`."""
    return _matching(step, _step_definitions(fixturemanager, node))


def _matching(step: Any, definitions: list[tuple[Any, Any]]) -> Iterator[Any]:
    for fixturedef, context in definitions:
        if context.type is not None and context.type != step.type:
            continue
        if context.parser.is_matching(step.name):
            yield fixturedef


def install() -> None:
    """Use the cached lookup for the rest of the process (pytest-bdd calls it by its module global)."""
    bdd_scenario.find_fixturedefs_for_step = find_fixturedefs_for_step


def uninstall() -> None:
    bdd_scenario.find_fixturedefs_for_step = _original
    _visible.clear()
