"""RFC 4180 records with the line and column of every field (the stdlib csv module does not give them)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

Problem = Callable[[str, int, int], Exception]
"""Builds the error to raise: (problem, line, column)."""


@dataclasses.dataclass(frozen=True)
class Field:
    value: str
    line: int
    column: int
    """1-based position of the field in its record."""


def sniff_delimiter(text: str, known: Callable[[str], bool], delimiters: tuple[str, ...] = (",", ";", "\t")) -> str:
    """The separator that turns the first line into the most `known` header names (comma when tied)."""
    first = text.split("\n", 1)[0]

    def score(delimiter: str) -> int:
        return sum(known(name.strip('"')) for name in first.split(delimiter))

    return max(delimiters, key=lambda d: (score(d), d == ","))


def records(text: str, delimiter: str, problem: Problem) -> list[list[Field]]:
    """The records of `text`; `problem(...)` is raised on an unclosed quote or text after a closing quote."""
    out: list[list[Field]] = []
    record: list[Field] = []
    i, n, line = 0, len(text), 1
    while i < n or record:
        start_line = line
        value: list[str] = []
        if i < n and text[i] == '"':
            quote_line, i = line, i + 1
            while True:
                if i >= n:
                    raise problem("a quoted value is never closed (its closing double quote is missing)",
                                  quote_line, len(record) + 1)
                char = text[i]
                if char == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        value.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                if char == "\n":
                    line += 1
                value.append(char)
                i += 1
            if i < n and text[i] not in (delimiter, "\r", "\n"):
                raise problem(f"unexpected {text[i]!r} after a closing double quote (quote the whole value, "
                              'and double any quote inside it: "")', line, len(record) + 1)
        else:
            while i < n and text[i] not in (delimiter, "\r", "\n"):
                value.append(text[i])
                i += 1
        record.append(Field("".join(value), start_line, len(record) + 1))
        if i < n and text[i] == delimiter:
            i += 1
            continue
        if i < n and text[i] == "\r":
            i += 1
        if i < n and text[i] == "\n":
            i += 1
        line += 1
        out.append(record)
        record = []
        if i >= n:
            break
    return out
