"""The public surface of uatcert.sandbox, and the docs covering every code, fault kind and defect mode."""

from __future__ import annotations

import types
from pathlib import Path

import uatcert.sandbox as sandbox
from uatcert.sandbox import DEFECT_MODES, FAULT_KINDS
from uatcert.sandbox._modes import ALL_DEFECTS
from uatcert.sandbox.v3.codes import ALL_CODES

DOCS = Path(__file__).resolve().parents[3] / "docs" / "sandbox.md"


def test_all_lists_exactly_the_public_names() -> None:
    public = {
        name for name, value in vars(sandbox).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType) and name != "annotations"
    }
    assert set(sandbox.__all__) == public
    for name in [
        "SandboxConfig", "SandboxCredentials", "SandboxV2Credentials", "create_app", "BackgroundServer",
        "SandboxControl", "DEFECT_MODES",
        "load_catalogue", "main", "DEFAULT_CLIENT_ID", "DEFAULT_CLIENT_SECRET", "READONLY_CLIENT_ID",
        "READONLY_CLIENT_SECRET",
    ]:
        assert name in sandbox.__all__


def test_error_catalogue_has_documented_codes_and_well_formed_placeholders() -> None:
    codes = {c.code for c in ALL_CODES}
    documented = {"207-762", "400-056", "400-0C6", "400-4C3", "400-5DC", "400-9A0", "400-BB4", "400-215",
                  "400-67B", "400-B32"}
    assert {c.code for c in ALL_CODES if c.documented} == documented
    assert len(codes) == len(ALL_CODES)
    for code in ALL_CODES:
        assert code.code.startswith(f"{code.status}-") and len(code.code) == 7
        assert code.documented or code.code[4] == "F"


def test_docs_cover_every_code_fault_kind_and_defect_mode() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for code in ALL_CODES:
        assert f"`{code.code}`" in text or code.status >= 500, code.code
    for kind in FAULT_KINDS:
        assert f"| `{kind}` |" in text, kind
    for mode in DEFECT_MODES:
        assert f"| `{mode}` |" in text, mode


def test_defect_registries_give_every_mode_its_requirement_in_the_docs() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert {mode.name: mode.description for mode in ALL_DEFECTS} == DEFECT_MODES
    for mode in ALL_DEFECTS:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{mode.name}` |"))
        assert row.endswith(f"| {mode.breaks} |"), row
