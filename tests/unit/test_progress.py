"""The live progress of `uatcert run`: the event reader, the run state, and both displays on a fake event stream."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from rich.console import Console

from uatcert.progress import EventReader, PlainDisplay, RichDisplay, RunProgress, follow_run, replay
from uatcert.suite.progress import append_event


def _stream(total: int = 20) -> list[dict[str, object]]:
    """A fake run: `total` scenarios over two requirements, one failing, each started then finished."""
    events: list[dict[str, object]] = [{"event": "collected", "total": total}]
    for index in range(total):
        requirement = "CAT" if index < total // 2 else "ISS-EVERY"
        fields = {"nodeid": f"steps/x.py::test_{index}", "requirement": requirement, "product": f"PRODUCT{index:02d}"}
        outcome = "failed" if index == 13 else "passed"
        events += [{"event": "start", **fields}, {"event": "finish", **fields, "outcome": outcome}]
    return events


def test_the_state_counts_outcomes_and_knows_the_current_scenario() -> None:
    state = RunProgress()
    events = _stream()
    for event in events[:30]:  # collected + 14 scenarios done + the 15th started
        state.apply(event)
    assert (state.total, state.done) == (20, 14)
    assert state.outcomes == {"passed": 13, "failed": 1}
    assert (state.requirement, state.product) == ("ISS-EVERY", "PRODUCT14")
    assert state.remaining_s(28.0) == 12.0  # 2 s a scenario, 6 to go
    assert RunProgress().line(12.0) == "progress: collecting the scenarios · 0:00:12 elapsed"
    assert state.line(28.0) == ("progress: 14/20 scenarios (13 passed, 1 failed) · ISS-EVERY PRODUCT14 · "
                                "0:00:28 elapsed, about 0:00:12 left")


def test_plain_lines_come_every_tenth_of_the_run_and_every_interval() -> None:
    out = io.StringIO()
    events = _stream()
    times = [float(i) for i in range(len(events))]  # one event a second: 41 s in all
    state = replay(events, PlainDisplay(out, interval_s=10.0, steps=4), times)
    lines = out.getvalue().splitlines()
    assert lines[0] == "progress: running 20 scenarios"
    assert lines[-1] == "progress: 20 scenarios run (19 passed, 1 failed) in 0:00:40"
    done = [int(line.split()[1].split("/")[0]) for line in lines[1:-1]]
    assert done == sorted(done) and {5, 10, 15, 20} <= set(done)  # each quarter of the 20 scenarios
    assert len(lines) < 12  # periodic lines, not one per event
    assert state.done == 20


def test_the_rich_display_shows_requirement_count_product_and_times() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=150, color_system=None)
    display = RichDisplay(console)
    state = RunProgress()
    for event in _stream()[:30]:
        state.apply(event)
    display.update(state, 28.0)
    display.close(state, 28.0)
    text = screen.getvalue()
    assert "ISS-EVERY" in text and "14/20" in text and "PRODUCT14" in text
    assert "1 failed or broken" in text and "elapsed" in text


def test_the_reader_returns_complete_lines_only_and_skips_damaged_ones(tmp_path: Path) -> None:
    path = tmp_path / "progress.jsonl"
    reader = EventReader(path)
    assert reader.read() == []  # no file yet
    append_event(path, {"event": "collected", "total": 3})
    with path.open("a", encoding="utf-8") as handle:
        handle.write("not json\n" + json.dumps({"event": "start", "nodeid": "a"})[:10])  # a line being written
    events = reader.read()
    assert [e["event"] for e in events] == ["collected"] and isinstance(events[0]["t"], float)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"event": "start", "nodeid": "a"})[10:] + "\n")
    assert reader.read() == [{"event": "start", "nodeid": "a"}]


def test_follow_run_hides_the_output_of_a_normal_run_and_shows_it_after_an_abnormal_end(tmp_path: Path) -> None:
    events = tmp_path / "progress.jsonl"
    script = ("import json,sys\n"
              f"open({str(events)!r},'a').write(json.dumps({{'event':'collected','total':1}})+'\\n')\n"
              "print('pytest says hello'); sys.exit(int(sys.argv[1]))\n")
    for code, shown in ((0, False), (4, True)):
        out, err = io.StringIO(), io.StringIO()
        events.unlink(missing_ok=True)
        result = follow_run([sys.executable, "-c", script, str(code)], env={}, events=events, out=out, err=err)
        assert result == code
        assert "progress: running 1 scenarios" in out.getvalue()
        assert ("pytest says hello" in err.getvalue()) is shown


def test_a_note_of_the_suite_is_printed_after_the_progress_even_when_pytest_is_hidden(tmp_path: Path) -> None:
    events = tmp_path / "progress.jsonl"
    script = ("import json\n"
              f"f = open({str(events)!r}, 'a')\n"
              "f.write(json.dumps({'event': 'collected', 'total': 1}) + '\\n')\n"
              "f.write(json.dumps({'event': 'note', 'text': 'uatcert: 4 workers: 9 calls made ahead'}) + '\\n')\n"
              "print('pytest output')\n")
    out = io.StringIO()
    assert follow_run([sys.executable, "-c", script], env={}, events=events, out=out, err=io.StringIO()) == 0
    lines = out.getvalue().splitlines()
    assert lines[-1] == "uatcert: 4 workers: 9 calls made ahead" and "pytest output" not in out.getvalue()


def test_with_verbose_pytest_speaks_and_no_display_is_drawn(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    script = "print('pytest says hello')"
    assert follow_run([sys.executable, "-c", script], env={}, events=tmp_path / "none.jsonl", out=out,
                      verbose=True) == 0
    assert "pytest says hello" in capfd.readouterr().out  # passed through as it came
    assert out.getvalue() == ""
