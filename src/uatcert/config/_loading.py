"""Reading the settings: every valid `UATCERT_*` name, unknown variables (closest name), `.env`, one-line errors."""

from __future__ import annotations

import dataclasses
import difflib
import io
import json
import os
import re
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_settings import SettingsError

from uatcert.config._settings import ENV_PREFIX, NESTED, Settings
from uatcert.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class SettingName:
    """One `UATCERT_*` variable the model reads: a group (`UATCERT_V3`, JSON) or a field of one."""

    name: str
    secret: bool
    """A `SecretStr` field: its value is never repeated in a message."""
    json: str | None
    """What it holds when its value is JSON (a group: an object; a list field: a list), else None."""


def _holds(annotation: Any, kind: type) -> bool:
    """True when `annotation` is `kind` (or a subclass), alone or in a union / generic."""
    if isinstance(annotation, type) and issubclass(annotation, kind):
        return True
    origin = typing.get_origin(annotation)
    if origin is not None and isinstance(origin, type) and issubclass(origin, kind):
        return True
    return any(_holds(arg, kind) for arg in typing.get_args(annotation))


def setting_names() -> dict[str, SettingName]:
    """Every variable `Settings` reads, upper case, derived from the model (never a hand-kept list)."""
    names: dict[str, SettingName] = {}
    for group, field in Settings.model_fields.items():
        model = field.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        head = f"{ENV_PREFIX}{group}".upper()
        names[head] = SettingName(head, False, 'an object of its settings, e.g. {"base_url": "https://<host>"}')
        for sub, info in model.model_fields.items():
            name = f"{head}{NESTED}{sub}".upper()
            is_list = typing.get_origin(info.annotation) in (list, tuple) or _holds(info.annotation, list)
            names[name] = SettingName(name, _holds(info.annotation, SecretStr),
                                      'a JSON list, e.g. ["one", "two"]' if is_list else None)
    return names


@dataclasses.dataclass(frozen=True)
class UnknownVariable:
    """A `UATCERT_*` variable that is no setting (ignored by the model)."""

    name: str
    source: str
    """"the environment" or the `.env` file it was found in."""
    suggestion: str | None
    """The closest real setting name, if one is close."""

    @property
    def hint(self) -> str:
        where = "" if self.source == "the environment" else f" (in {self.source})"
        advice = f"did you mean {self.suggestion}?" if self.suggestion else "no setting has a similar name"
        return f"{self.name}{where} is not a setting and is ignored: {advice}"


def _env_file() -> Path | None:
    configured = Settings.model_config.get("env_file")
    return Path(str(configured)) if isinstance(configured, str | os.PathLike) else None


def _dotenv(path: Path | None) -> dict[str, str]:
    """The `.env` file's variables (none when there is no file); ConfigError if it is not UTF-8 text."""
    if path is None or not path.is_file():
        return {}
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line}: not UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8") from None
    return {k: v for k, v in dotenv_values(stream=io.StringIO(text)).items() if v is not None}


def unknown_variables(
    environ: Mapping[str, str] | None = None, env_file: Path | None = None
) -> list[UnknownVariable]:
    """`UATCERT_*` variables of the environment and the `.env` file that no setting reads, each with the
    closest real name (difflib over every name of `setting_names()`)."""
    known = setting_names()
    found: dict[str, UnknownVariable] = {}
    sources = [("the environment", dict(os.environ if environ is None else environ)),
               (str(env_file), _dotenv(env_file))]
    for source, variables in sources:
        for name in variables:
            upper = name.upper()
            if not upper.startswith(ENV_PREFIX) or upper in known or upper in found:
                continue
            bare = {k.removeprefix(ENV_PREFIX): k for k in known}  # the shared prefix would make every name close
            close = difflib.get_close_matches(upper.removeprefix(ENV_PREFIX), list(bare), n=1, cutoff=0.75)
            found[upper] = UnknownVariable(name, source, bare[close[0]] if close else None)
    return list(found.values())


def _validation_text(exc: ValidationError, names: dict[str, SettingName]) -> str:
    problems = []
    for err in exc.errors():
        name = ENV_PREFIX + NESTED.join(str(p).upper() for p in err["loc"])
        text = str(err["msg"]).removeprefix("Value error, ")
        value = err.get("input")
        secret = any(n.secret for key, n in names.items() if name.startswith(key))
        if isinstance(value, str) and not secret and "@" not in value and len(value) <= 80:
            text += f" (got {value!r})"
        problems.append(f"{name}: {text}")
    return "invalid settings: " + "; ".join(problems)


def _json_text(exc: SettingsError, names: dict[str, SettingName], variables: dict[str, str]) -> str:
    """The variable whose value should be JSON and is not (pydantic-settings names only the group)."""
    group = re.search(r'field "(\w+)"', str(exc))
    head = f"{ENV_PREFIX}{group.group(1)}".upper() if group else ENV_PREFIX
    for name, value in variables.items():
        setting = names.get(name.upper())
        if setting is None or setting.json is None or not name.upper().startswith(head):
            continue
        try:
            json.loads(value)
        except ValueError:
            return f"invalid settings: {setting.name}: not valid JSON (expected {setting.json})"
    return f"invalid settings: {exc}"


def get_settings(*, warn: Callable[[str], None] | None = None, **overrides: object) -> Settings:
    """
    Read the settings from the environment (and `.env`); any problem is a one-line ConfigError naming the
    variable. Unknown `UATCERT_*` variables are passed to `warn` (one line each, with the closest real name)
    and ignored; when the settings are then incomplete, the error itself names the typo instead.
    """
    env_file = _env_file()
    unknown = unknown_variables(env_file=env_file)
    names = setting_names()
    try:
        try:
            settings = Settings(**overrides).check()  # type: ignore[arg-type]
        except ValidationError as exc:
            raise ConfigError(_validation_text(exc, names)) from None
        except SettingsError as exc:
            raise ConfigError(_json_text(exc, names, {**_dotenv(env_file), **os.environ})) from None
    except ConfigError as exc:
        related = [u for u in unknown if u.suggestion and re.search(rf"\b{u.suggestion}\b", str(exc))]
        for other in (u for u in unknown if u not in related):
            if warn is not None:
                warn(other.hint)
        if related:
            raise ConfigError(f"{exc} ({'; '.join(u.hint for u in related)})") from None
        raise
    for variable in unknown:
        if warn is not None:
            warn(variable.hint)
    return settings
