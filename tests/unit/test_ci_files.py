"""The CI files: the composite GitHub Action, the GitHub workflow that uses it, and the GitLab example.

PyYAML is not a dependency, so these are structural checks on the text: indentation, the action's inputs
(each declared input used by its steps, each input the workflow passes declared), one job per API."""

from __future__ import annotations

import re
from pathlib import Path

from uatcert.profiles import PROFILES

APIS = [name for name, profile in PROFILES.items() if profile.selected_by_default]

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
WORKFLOW = ROOT / "docs" / "ci-example.yml"
GITLAB = ROOT / "docs" / "gitlab-ci-example.yml"


def _block(text: str, key: str, indent: int) -> list[str]:
    """The lines under `key:` at `indent` spaces, up to the next key at that indent or less."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line == " " * indent + key + ":")
    block = []
    for line in lines[start + 1:]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        block.append(line)
    return block


def _keys(lines: list[str], indent: int) -> list[str]:
    return [m.group(1) for line in lines if (m := re.fullmatch(" " * indent + r"([A-Za-z0-9_-]+):.*", line))]


def test_the_files_are_plain_yaml_text() -> None:
    for path in (ACTION, WORKFLOW, GITLAB):
        text = path.read_text(encoding="utf-8")
        assert "\t" not in text, f"{path.name}: YAML forbids tabs"
        for number, line in enumerate(text.splitlines(), 1):
            indent = len(line) - len(line.lstrip(" "))
            assert indent % 2 == 0 or line.lstrip().startswith("#"), f"{path.name}:{number}: odd indentation"


def test_every_input_of_the_action_is_used_and_every_step_has_a_shell() -> None:
    text = ACTION.read_text(encoding="utf-8")
    declared = _keys(_block(text, "inputs", 0), 2)
    assert {"profiles", "max-vouchers", "max-face-value", "allow-production"} <= set(declared)
    steps = "\n".join(_block(text, "runs", 0))
    used = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", steps))
    assert used == set(declared), f"unused: {set(declared) - used}; undeclared: {used - set(declared)}"
    assert "  using: composite" in text
    runs = [line for line in steps.splitlines() if re.match(r"\s+run: ", line)]
    shells = [line for line in steps.splitlines() if re.match(r"\s+shell: bash$", line)]
    assert len(runs) == len(shells) >= 4  # a composite action's run steps must name their shell
    for command in ("pip install", "uatcert run", "uatcert verify", "actions/upload-artifact", "history.jsonl"):
        assert command in steps
    assert re.search(r"secrets\.", text) is None  # secrets come from the caller's env, never the action


def test_the_workflow_certifies_one_api_per_job_with_the_action() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    declared = set(_keys(_block(ACTION.read_text(encoding="utf-8"), "inputs", 0), 2))
    matrix = re.search(r"^\s+profile: \[(.*)\]$", text, re.M)
    assert matrix is not None and [p.strip() for p in matrix.group(1).split(",")] == APIS
    uses = [line for line in text.splitlines() if re.fullmatch(r"\s+- uses: OWNER/uatcert@TAG", line)]
    assert len(uses) == 1
    passed = _keys(_block(text, "with", 8), 10)
    assert passed and set(passed) <= declared
    assert "profiles: ${{ matrix.profile }}" in text and "artifact-name: uatcert-evidence-${{ matrix.profile }}" in text
    secrets = re.findall(r"^\s+(UATCERT_\w+): \$\{\{ secrets\.\w+ \}\}$", text, re.M)
    assert {"UATCERT_V3__CLIENT_SECRET", "UATCERT_V2__X_CLIENT_SECRET", "UATCERT_ALLSAFE__PASSWORD"} <= set(secrets)
    assert "fail-fast: false" in text


def test_the_gitlab_example_certifies_one_api_per_job() -> None:
    text = GITLAB.read_text(encoding="utf-8")
    matrix = re.search(r"^\s+- PROFILE: \[(.*)\]$", text, re.M)
    assert matrix is not None and [p.strip() for p in matrix.group(1).split(",")] == APIS
    script = "\n".join(_block(text, "script", 2))
    assert 'uatcert run --profile "$PROFILE"' in script and "uatcert verify" in script and 'exit "$code"' in script
    assert "when: always" in "\n".join(_block(text, "artifacts", 2))
    assert 'name: "uatcert-evidence-$PROFILE"' in text and "junit: reports/junit.xml" in text
