"""
`uatcert init [--api v3|v2|allsafe]… [--file .env]`: write a commented `.env` with every setting of the
chosen APIs (and those every run shares), derived from the settings model (`uatcert.config.Settings`):
each field's description, where the provider gives its value (the field's `given_by` metadata), whether
a target needs it, and its default. Every line is left commented out, so nothing changes until the
integrator fills a value in; secrets stay empty. An existing file is never overwritten.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from uatcert import __version__
from uatcert.config import GIVEN_BY, Settings
from uatcert.profiles import PROFILES

ENV_PREFIX = "UATCERT_"
APIS = tuple(name for name, profile in PROFILES.items()
             if profile.selected_by_default and name in Settings.model_fields)
"""The APIs `--api` chooses among: the profiles run by default that have a settings group of their own."""
SHARED_GROUPS = tuple(name for name in Settings.model_fields if name not in APIS)
"""The other settings groups (sandbox, retry, the client under test, guard, run), after the chosen APIs'."""
EXIT_OK, EXIT_USAGE = 0, 2


def variable(group: str, field: str) -> str:
    return f"{ENV_PREFIX}{group.upper()}__{field.upper()}"


def _group_model(group: str) -> type[BaseModel]:
    annotation = Settings.model_fields[group].annotation
    assert isinstance(annotation, type) and issubclass(annotation, BaseModel)
    return annotation


def _is_secret(info: FieldInfo) -> bool:
    return "SecretStr" in str(info.annotation) or info.annotation is SecretStr


def _default_text(info: FieldInfo) -> str | None:
    """The default as the .env would spell it; None when the field has none."""
    if info.default_factory is not None:
        value: Any = info.default_factory()  # type: ignore[call-arg]
    elif info.default is PydanticUndefined or info.default is None:
        return None
    else:
        value = info.default
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | dict):
        return json.dumps(value)
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def _required(group: str) -> set[str]:
    """The variables a target of this group must set (the group's `missing()` on a blank instance)."""
    blank = _group_model(group)()
    missing = getattr(blank, "missing", None)
    return set(missing()) if callable(missing) else set()


def group_lines(group: str) -> list[str]:
    """The commented block of one settings group."""
    model = _group_model(group)
    required = _required(group)
    title = (model.__doc__ or group).strip().splitlines()[0]
    lines = [f"# ── {title} " + "─" * max(3, 100 - len(title)), "#"]
    for name, info in model.model_fields.items():
        env = variable(group, name)
        lines.append(f"# {info.description or name}")
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get(GIVEN_BY):
            lines.append(f"#   where: {extra[GIVEN_BY]}")
        default = _default_text(info)
        notes = []
        if env in required:
            notes.append("required for a target")
        if _is_secret(info):
            notes.append("secret: fill in locally or from the CI's secret store, never commit it")
        notes.append(f"default: {default}" if default is not None else "default: not set")
        lines.append(f"#   {'; '.join(notes)}")
        lines.append(f"# {env}={'' if _is_secret(info) or default is None else default}")
        lines.append("#")
    return lines


def render_env(apis: Sequence[str]) -> str:
    """The whole .env text for these APIs (names of `PROFILES`, in the order given)."""
    titles = ", ".join(PROFILES[api].title for api in apis)
    lines = [
        f"# uatcert settings for {titles} (written by uatcert {__version__} `uatcert init`).",
        "# Every line is commented out: uncomment a line and give it a value to set it. Environment variables",
        "# override this file. With no target of an API set, the run uses the embedded sandbox for it.",
        "# Keep this file out of version control: it will hold credentials.",
        "",
    ]
    for group in [*apis, *SHARED_GROUPS]:
        lines += [*group_lines(group), ""]
    return "\n".join(lines)


def init_main(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = argparse.ArgumentParser(prog="uatcert init",
                                     description="Write a commented .env with every setting of the chosen APIs.")
    parser.add_argument("--api", action="append", dest="apis", choices=list(APIS), metavar="API",
                        help=f"API to configure (repeatable): {', '.join(APIS)}; default: all")
    parser.add_argument("--file", type=Path, default=Path(".env"), metavar="PATH",
                        help="file to write (default: .env); an existing file is never overwritten")
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    path: Path = args.file
    apis = list(dict.fromkeys(args.apis or APIS))
    try:
        with path.open("x", encoding="utf-8") as handle:  # "x": fails when the file exists
            handle.write(render_env(apis))
    except FileExistsError:
        err.write(f"uatcert init: {path} already exists; it was not changed (remove it or choose --file)\n")
        return EXIT_USAGE
    except OSError as exc:
        err.write(f"uatcert init: cannot write {path}: {exc.strerror or exc}\n")
        return EXIT_USAGE
    out.write(f"wrote {path}: the settings of {', '.join(apis)}; fill in the values UNIQREWARDS or AllSafe gave you, "
              "then `uatcert check`\n")
    return EXIT_OK
