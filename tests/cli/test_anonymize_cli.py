"""``piguard anonymize`` end to end: outputs, reports, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from piguard.cli.app import app

ADULT = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "adult"
QI = "sex,age,race,marital-status,education,native-country,workclass,occupation"


@pytest.fixture
def hier(tmp_path: Path) -> Path:
    if not ADULT.exists():
        pytest.fail(f"the Adult data set is missing: {ADULT}")
    d = tmp_path / "hier"
    d.mkdir()
    for p in ADULT.glob("adult_hierarchy_*.csv"):
        shutil.copy(p, d / p.name)
    return d


def _run(*args: str) -> object:
    return CliRunner().invoke(app, list(args))


def test_end_to_end(tmp_path: Path, hier: Path) -> None:
    out = tmp_path / "out.csv"
    report = tmp_path / "report.json"
    result = _run(
        "anonymize", str(ADULT / "adult_subset.csv"), "-o", str(out), "--quasi", QI,
        "--sensitive", "salary-class", "--hierarchies", str(hier), "--k", "5", "--l", "2",
        "--max-suppression", "0.05", "--report", str(report), "--population", "china",
    )  # fmt: skip
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    lines = out.read_text(encoding="utf-8").splitlines()
    assert (
        lines[0]
        == "sex;age;race;marital-status;education;native-country;workclass;occupation;salary-class"
    )
    rep = json.loads(report.read_text(encoding="utf-8"))
    assert set(rep["transformation"]) == set(QI.split(","))
    assert rep["privacy_models"] == ["5-anonymity", "distinct-2-diversity of 'salary-class'"]
    assert rep["classes"]["smallest"] >= 5
    assert rep["suppressed_records"] <= 0.05 * rep["records"]
    assert rep["risk_after"]["prosecutor_highest"] <= 0.2 < rep["risk_before"]["prosecutor_highest"]
    assert rep["risk_before"]["population_size"] == 1_366_040_000
    assert rep["search"]["optimal"]
    assert rep["search"]["nodes_checked"] > 0
    assert 0 <= rep["loss"] <= 1
    assert len(rep["loss_per_attribute"]) == 8
    html = report.with_suffix(".html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("<svg") == 3
    # Every chart is well-formed SVG.
    for chunk in html.split("<svg")[1:]:
        ElementTree.fromstring("<svg" + chunk.split("</svg>")[0] + "</svg>")  # noqa: S314 - our own output
    assert "<script" not in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html
    # The report names columns and numbers, never values from the data.
    assert "Married-civ-spouse" not in html
    assert "Married-civ-spouse" not in report.read_text(encoding="utf-8")


def _assert_failed(result: object, tmp_path: Path, *needles: str) -> None:
    assert result.exit_code == 2  # type: ignore[attr-defined]
    err = result.stderr  # type: ignore[attr-defined]
    assert err.startswith("piguard: error: "), err
    assert err.count("\n") == 1, err
    for needle in needles:
        assert needle in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hier", "in.csv"]


def test_missing_column(tmp_path: Path, hier: Path) -> None:
    (tmp_path / "in.csv").write_text("age,sex\n39,Male\n", encoding="utf-8")
    result = _run("anonymize", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv"),
                  "--quasi", "age,zip", "--hierarchies", str(hier), "--k", "2", "--report",
                  str(tmp_path / "r.json"))  # fmt: skip
    _assert_failed(result, tmp_path, "'zip'", "does not exist")


def test_value_missing_from_hierarchy_names_the_line(tmp_path: Path, hier: Path) -> None:
    (tmp_path / "in.csv").write_text("age,sex\n39,Male\n40,Female\n140,Male\n", encoding="utf-8")
    result = _run("anonymize", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv"),
                  "--quasi", "age,sex", "--hierarchies", str(hier), "--k", "2")  # fmt: skip
    _assert_failed(result, tmp_path, "in.csv:4:", "'age'", "not in its hierarchy")
    assert "140" not in result.stderr  # type: ignore[attr-defined]


def test_infeasible(tmp_path: Path, hier: Path) -> None:
    (tmp_path / "in.csv").write_text("age,sex\n39,Male\n40,Female\n41,Male\n", encoding="utf-8")
    result = _run("anonymize", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv"),
                  "--quasi", "age,sex", "--hierarchies", str(hier), "--k", "4")  # fmt: skip
    _assert_failed(result, tmp_path, "no transformation satisfies")


def test_l_without_sensitive(tmp_path: Path, hier: Path) -> None:
    (tmp_path / "in.csv").write_text("age,sex\n39,Male\n", encoding="utf-8")
    result = _run("anonymize", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv"),
                  "--quasi", "age", "--hierarchies", str(hier), "--k", "1", "--l", "2")  # fmt: skip
    _assert_failed(result, tmp_path, "--sensitive")


def test_help_has_examples() -> None:
    result = _run("anonymize", "--help")
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert "Examples" in result.output
    assert "piguard anonymize" in result.output


def test_parquet_in_and_out(tmp_path: Path, hier: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"age": ["39", "38", "52", "53"], "sex": ["Male"] * 4}), src)
    out = tmp_path / "out.parquet"
    result = _run("anonymize", str(src), "-o", str(out), "--quasi", "age,sex",
                  "--hierarchies", str(hier), "--k", "2")  # fmt: skip
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert pq.read_table(out).column("age").to_pylist() == ["35-39", "35-39", "50-54", "50-54"]


def test_local_recoding_flag(tmp_path: Path, hier: Path) -> None:
    out = tmp_path / "out.csv"
    report = tmp_path / "r.json"
    result = _run("anonymize", str(ADULT / "adult_subset.csv"), "-o", str(out), "--quasi", QI,
                  "--hierarchies", str(hier), "--k", "5", "--max-suppression", "0.05",
                  "--local-recoding", "--report", str(report))  # fmt: skip
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    rep = json.loads(report.read_text(encoding="utf-8"))
    assert rep["local_recoding"], "the subset's suppressed records should get a round"
    assert rep["classes"]["smallest"] >= 5
    released = sum(r["records"] for r in rep["local_recoding"])
    assert released + rep["suppressed_records"] <= 0.05 * rep["records"] + 1
