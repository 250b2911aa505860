"""``piguard scan``: formats, encodings, folders, workers, errors and masking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from piguard.cli.app import app

runner = CliRunner()
IDS = ["--exclude-entities", "PERSON_NAME,ADDRESS"]
TEXT = "身份证号：360426199101010071\n手机 13800138000，卡号6222029600133894\n密码：Abc@123456\n"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "orders.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def _jsonl(output: str) -> tuple[list[dict[str, object]], dict[str, object]]:
    rows = [json.loads(line) for line in output.splitlines() if line.strip()]
    return rows[:-1], rows[-1]["summary"]  # type: ignore[return-value]


def test_help_has_examples() -> None:
    result = runner.invoke(app, ["scan", "--help"])
    assert result.exit_code == 0
    assert "Examples" in result.stdout
    assert "--show-values" in result.stdout


def test_jsonl_findings_are_masked_and_summarised(sample: Path) -> None:
    result = runner.invoke(app, ["scan", str(sample), "--format", "jsonl", *IDS])
    assert result.exit_code == 0, result.output
    findings, summary = _jsonl(result.stdout)
    assert [(f["line"], f["entity"]) for f in findings] == [
        (1, "CN_RESIDENT_ID"),
        (2, "CN_MOBILE"),
        (2, "BANK_CARD"),
        (3, "CREDENTIAL"),
    ]
    assert "360426199101010071" not in result.stdout
    assert "Abc@123456" not in result.stdout
    assert findings[1]["preview"] == "138****8000"
    assert summary["by_grade"] == {"sensitive": 3, "ordinary": 1}
    assert summary["lines"] == 3
    assert summary["sources"] == 1


def test_show_values_and_explain(sample: Path) -> None:
    result = runner.invoke(
        app, ["scan", str(sample), "-f", "jsonl", "--show-values", "--explain", *IDS]
    )
    findings, _ = _jsonl(result.stdout)
    assert findings[0]["preview"] == "360426199101010071"
    assert "MOD 11-2" in str(findings[0]["explanation"])


def test_json_output_to_file_is_valid_json(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = runner.invoke(app, ["scan", str(sample), "-f", "json", "-o", str(out), *IDS])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["findings"]) == 4
    assert data["summary"]["by_entity"]["BANK_CARD"] == 1


def test_empty_json_is_valid(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("没有个人信息\n", encoding="utf-8")
    result = runner.invoke(app, ["scan", str(empty), "-f", "json", *IDS])
    assert json.loads(result.stdout)["findings"] == []


def test_table_has_summary_per_entity_and_grade(sample: Path) -> None:
    result = runner.invoke(app, ["scan", str(sample), *IDS], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "CN_RESIDENT_ID" in result.stdout
    assert "138****8000" in result.stdout
    assert "sensitive" in result.stdout
    assert "Summary" in result.stdout


def test_html_report_is_self_contained_and_masked(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["scan", str(sample), "-f", "html", "-o", str(out), *IDS])
    assert result.exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page
    assert "<script" not in page
    assert "360426199101010071" not in page
    assert "138****8000" in page


def test_stdin_and_encodings(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scan", "-", "-f", "jsonl", *IDS], input="手机13800138000\n")
    findings, _ = _jsonl(result.stdout)
    assert findings[0]["source"] == "<stdin>"
    for enc in ("gb18030", "utf-16", "utf-8-sig"):
        path = tmp_path / f"{enc}.txt"
        path.write_bytes(TEXT.encode(enc))
        result = runner.invoke(app, ["scan", str(path), "-f", "jsonl", *IDS])
        assert len(_jsonl(result.stdout)[0]) == 4, enc


def test_invalid_bytes_one_line_error_and_no_output_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes("第一行\n".encode() * 3 + b"\xff\xfe\xfa\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        app, ["scan", str(bad), "--encoding", "utf-8", "-f", "jsonl", "-o", str(out)]
    )
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("piguard: error: ")
    assert f"{bad}:4:" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()
    assert not list(tmp_path.glob(".out.jsonl.*"))


def test_replace_mode_reads_on(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\xfa\n" + "手机13800138000\n".encode())
    result = runner.invoke(
        app,
        [
            "scan",
            str(bad),
            "--encoding",
            "utf-8",
            "--encoding-errors",
            "replace",
            "-f",
            "jsonl",
            *IDS,
        ],
    )
    assert result.exit_code == 0
    assert _jsonl(result.stdout)[0][0]["line"] == 2


def test_folders_recurse_and_skip_binaries(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("手机13800138000\n", encoding="utf-8")
    (tmp_path / "sub" / "b.log").write_text("邮箱 a@b.cn\n", encoding="utf-8")
    (tmp_path / "sub" / "c.png").write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\xff" * 50
    )
    result = runner.invoke(app, ["scan", str(tmp_path), "-f", "jsonl", *IDS])
    assert result.exit_code == 0
    findings, summary = _jsonl(result.stdout)
    assert [f["entity"] for f in findings] == ["CN_MOBILE", "EMAIL"]
    assert summary["sources"] == 2
    assert "binary" in summary["skipped"][0]
    assert "skipped" in result.stderr


def test_workers_give_the_same_output(tmp_path: Path) -> None:
    path = tmp_path / "many.txt"
    lines = [f"第{i}行 手机1380013{i % 10000:04d} 邮箱u{i}@example.com" for i in range(5000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one = runner.invoke(app, ["scan", str(path), "-f", "jsonl", *IDS])
    two = runner.invoke(app, ["scan", str(path), "-f", "jsonl", "--workers", "2", *IDS])
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout
    assert len(_jsonl(one.stdout)[0]) == 10000


def test_entity_options(sample: Path) -> None:
    result = runner.invoke(app, ["scan", str(sample), "-f", "jsonl", "--entities", "cn_mobile"])
    assert [f["entity"] for f in _jsonl(result.stdout)[0]] == ["CN_MOBILE"]
    bad = runner.invoke(app, ["scan", str(sample), "--entities", "PHONE"])
    assert bad.exit_code == 2
    assert "unknown entity 'PHONE'" in bad.stderr


def test_missing_file_is_one_line_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scan", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_summary_only(sample: Path) -> None:
    table = runner.invoke(app, ["scan", str(sample), "--summary-only", *IDS])
    assert table.exit_code == 0
    assert "Summary" in table.stdout
    assert "138****8000" not in table.stdout
    data = json.loads(
        runner.invoke(app, ["scan", str(sample), "-f", "json", "--summary-only", *IDS]).stdout
    )
    assert data["summary"]["findings"] == 4
    assert list(data) == ["summary"]


def test_progress_bar_on_a_terminal(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from rich.console import Console

    import piguard.cli.scan as scan_module

    err = io.StringIO()
    monkeypatch.setattr(scan_module, "_PROGRESS_MIN_BYTES", 1)
    monkeypatch.setattr(
        scan_module, "stderr_console", lambda: Console(file=err, force_terminal=True, width=100)
    )
    result = runner.invoke(app, ["scan", str(sample), "-f", "jsonl", *IDS])
    assert result.exit_code == 0, result.output
    assert len(_jsonl(result.stdout)[0]) == 4
    assert "orders.txt" in err.getvalue()
