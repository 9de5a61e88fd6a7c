"""Fault plans from TOML files: what a good plan gives, and one line naming the file and the field otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from uatcert.errors import ConfigError
from uatcert.proxy import Fault, FaultPlan
from uatcert.proxy.command import main

GOOD = """
# the first v3 issuance: answer lost after the upstream issued
[[fault]]
kind = "lose_response"
api = "v3"
operation = "issue"

[[fault]]
kind = "rate_limit"
api = "v2"
nth = 2
times = 3
retry_after_s = 5

[[fault]]
kind = "hold"
hold_s = 0.5
"""


def test_a_plan_file_gives_its_faults_in_order(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert FaultPlan.load(path) == FaultPlan((
        Fault("lose_response", api="v3", operation="issue"),
        Fault("rate_limit", api="v2", nth=2, times=3, retry_after_s=5),
        Fault("hold", hold_s=0.5),
    ))
    assert FaultPlan.load(path).describe()[1] == "rate_limit on v2 any operation, requests 2-4"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[[fault]]\nkind = "explode"\n', "fault 1: field 'kind' unknown fault kind 'explode'"),
        ('[[fault]]\napi = "v3"\n', "fault 1: field 'kind' is required"),
        ('[[fault]]\nkind = "reset"\n[[fault]]\nkind = "reset"\nnth = 0\n',
         "fault 2: field 'nth' must be a whole number of at least 1, got 0"),
        ('[[fault]]\nkind = "reset"\ntimes = 1.5\n', "fault 1: field 'times' must be a whole number"),
        ('[[fault]]\nkind = "reset"\napi = "v4"\n', "fault 1: field 'api' unknown API 'v4'"),
        ('[[fault]]\nkind = "reset"\napi = "allsafe"\noperation = "issue"\n',
         "fault 1: field 'operation' unknown operation 'issue'; choose one of: availability, allocate, other"),
        ('[[fault]]\nkind = "reset"\nstatus = 503\n', "fault 1: field 'status' applies only to kind"),
        ('[[fault]]\nkind = "error_after_commit"\nstatus = 404\n', "fault 1: field 'status' must be a 5xx status"),
        ('[[fault]]\nkind = "hold"\nhold_s = -1\n', "fault 1: field 'hold_s' must be seconds from 0 to 600"),
        ('[[fault]]\nkind = "reset"\nwhen = "now"\n', "fault 1: unknown field 'when'"),
        ('[[fault]]\nkind = 3\n', "fault 1: field 'kind' must be a string"),
        ('[faults]\nkind = "reset"\n', "unknown top-level key 'faults'"),
        ('fault = "reset"\n', "'fault' must be an array of tables"),
        ('[[fault]\nkind = "reset"\n', "not valid TOML"),
    ],
    ids=["kind", "no-kind", "nth", "times-float", "api", "operation", "status-other-kind", "status-range", "hold",
         "unknown-field", "kind-type", "top-level", "not-tables", "toml"],
)
def test_a_bad_plan_is_one_line_naming_file_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        FaultPlan.load(path)
    message = str(raised.value)
    assert message.startswith(f"fault plan {path}: ") and "\n" not in message
    assert expected in message, message


def test_the_command_refuses_a_bad_plan_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--plan", str(tmp_path / "missing.toml"), "--port", "0"]) == 2
    assert capsys.readouterr().err == f"uatcert proxy: fault plan {tmp_path / 'missing.toml'}: no such file\n"
    assert main(["--upstream", "ftp://example.invalid"]) == 2
    assert "--upstream must be 'sandbox', 'target' or an http(s) URL" in capsys.readouterr().err
    assert main(["--upstream", "https://api.uniqrewards.com", "--port", "0"]) == 2
    assert capsys.readouterr().err == (
        "uatcert proxy: the v3 upstream https://api.uniqrewards.com/v3 looks like production: the proxy forwards "
        "whatever your system sends, with no budget; point it at UAT\n")


def test_every_plan_in_the_documentation_loads(tmp_path: Path) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "proxy.md").read_text(encoding="utf-8")
    blocks = doc.split("```toml\n")[1:]
    assert len(blocks) >= 4
    for index, block in enumerate(blocks):
        path = tmp_path / f"doc-{index}.toml"
        path.write_text(block.split("```", 1)[0], encoding="utf-8")
        assert FaultPlan.load(path).faults, block
