"""Hierarchy files in ARX's format, edge cases, and the builders."""

from __future__ import annotations

from pathlib import Path

import pytest

from piguard.anonymize import (
    Hierarchy,
    date_hierarchy,
    discover_hierarchies,
    division_hierarchy,
    interval_hierarchy,
    mapping_hierarchy,
    read_hierarchy,
    redaction_hierarchy,
)
from piguard.errors import ConfigError, InputError


def test_reads_arx_files_as_they_are(adult_dir: Path) -> None:
    hs = discover_hierarchies(adult_dir)
    assert set(hs) >= {"age", "sex", "native-country", "salary-class"}
    assert hs["age"].height == 5
    assert len(hs["age"].rows) == 100
    assert hs["age"].generalize("39", 2) == "30-39"
    # The last line of this file has no newline: all 41 countries are read.
    assert len(hs["native-country"].rows) == 41


@pytest.mark.parametrize(
    ("content", "delimiter"),
    [
        ("a;ab;*\nb;ab;*\n", ";"),
        ("a,ab,*\nb,ab,*\n", ","),
        ("\ufeffa;ab;*\r\nb;ab;*\r\n\r\n", ";"),
        ('"a, x";"[0, 5)";*\nb;ab;*', ";"),
    ],
)
def test_delimiters_bom_quotes_blank_lines(tmp_path: Path, content: str, delimiter: str) -> None:
    p = tmp_path / "t_hierarchy_col.csv"
    p.write_text(content, encoding="utf-8")
    h = read_hierarchy(p)
    assert h.name == "col"
    assert h.height == 3
    assert len(h.rows) == 2


def test_gb18030_file(tmp_path: Path) -> None:
    p = tmp_path / "x_hierarchy_城市.csv"
    p.write_bytes("朝阳区;北京市;*\n南山区;深圳市;*\n".encode("gb18030"))
    h = read_hierarchy(p)
    assert h.name == "城市"
    assert h.generalize("南山区", 1) == "深圳市"


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ("a;ab;*\nb;*\n", "levels", 2),
        ("a;ab;*\na;ab;*\n", "twice", 2),
        ("a;;*\n", "empty level", 1),
    ],
)
def test_bad_files_name_the_line(tmp_path: Path, content: str, message: str, line: int) -> None:
    p = tmp_path / "bad_hierarchy_c.csv"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as err:
        read_hierarchy(p)
    assert err.value.line == line
    assert str(p) in str(err.value)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        read_hierarchy(tmp_path / "none_hierarchy_x.csv")
    with pytest.raises(InputError):
        discover_hierarchies(tmp_path / "nope")


def test_builders() -> None:
    h = interval_hierarchy("age", [3, 17, 42], widths=[5, 10, 20])
    assert h.rows[2] == ("42", "[40, 45)", "[40, 50)", "[40, 60)", "*")
    with pytest.raises(ConfigError, match="multiple"):
        interval_hierarchy("age", [1], widths=[5, 7])
    d = date_hierarchy("d", ["2024-02-29", "2024-03-01"])
    assert d.rows[0] == ("2024-02-29", "2024-02", "2024", "*")
    with pytest.raises(ConfigError):
        date_hierarchy("d", ["yesterday"])
    r = redaction_hierarchy("zip", ["100871", "5180"])
    # Shorter codes are padded first, so every level has the same number of visible digits.
    assert r.rows[1][:4] == ("5180", "5180**", "5180**", "518***")
    assert r.rows[1][-1] == "******"
    m = mapping_hierarchy("drink", {"tea": ["hot", "drink"], "cola": ["cold", "drink"]})
    assert m.rows[1] == ("cola", "cold", "drink", "*")
    assert Hierarchy.from_rows("s", [["x", "*"]]).to_csv() == "x;*\n"


def test_division_hierarchy_from_geo() -> None:
    h = division_hierarchy("district", ["110105", "440305", "440300"])
    assert h.rows[0] == ("110105", "110100", "110000", "*")
    assert h.rows[1] == ("440305", "440300", "440000", "*")
    assert h.rows[2] == ("440300", "440300", "440000", "*")
    with pytest.raises(ConfigError):
        division_hierarchy("district", ["999999"])
