"""Readers: encodings, delimiters, bad input, nested JSON, Excel, Parquet, folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from piguard.errors import EncodingError, InputError
from piguard.sources import Batch, cell_text, file_tables, flatten, walk_folder
from piguard.sources._files import CsvTable

ROWS = [
    ["姓名", "手机号", "备注"],
    ["张伟", "13812345678", "送到北京市朝阳区"],
    ["李娜", "13900001111", ""],
]


def _csv_text(delimiter: str = ",") -> str:
    return "\n".join(delimiter.join(r) for r in ROWS) + "\n"


def _read(table: object) -> tuple[list[str], dict[str, list[object]], int]:
    assert hasattr(table, "batches")
    batches: list[Batch] = list(table.batches())
    columns: dict[str, list[object]] = {}
    for b in batches:
        for k, v in b.columns.items():
            columns.setdefault(k, []).extend(v.to_pylist() if hasattr(v, "to_pylist") else v)
    return table.columns, columns, sum(b.rows for b in batches)  # type: ignore[attr-defined]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_csv_encodings_read_the_same(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "users.csv"
    path.write_bytes(_csv_text().encode(encoding))
    (table,) = file_tables(path)
    header, columns, rows = _read(table)
    assert header == ["姓名", "手机号", "备注"]
    assert columns["姓名"] == ["张伟", "李娜"]
    assert columns["手机号"] == ["13812345678", "13900001111"]
    assert rows == 2


def test_a_wrong_byte_after_the_detection_prefix_names_file_and_line(tmp_path: Path) -> None:
    # 70 KB of valid UTF-8 (past the 64 KB prefix), then a GBK-encoded line.
    lines = ["name,phone"] + [f"user{i},13812345678" for i in range(4000)]
    data = ("\n".join(lines) + "\n").encode("utf-8") + "张伟,13812345678\n".encode("gbk")
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    (table,) = file_tables(path)
    with pytest.raises(EncodingError) as info:
        list(table.batches())
    assert info.value.source == str(path)
    assert info.value.line == len(lines) + 1
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("delimiter", "suffix"), [(";", ".csv"), ("|", ".csv"), ("\t", ".tsv")])
def test_delimiters_are_sniffed(tmp_path: Path, delimiter: str, suffix: str) -> None:
    path = tmp_path / f"t{suffix}"
    path.write_text(_csv_text(delimiter), encoding="utf-8")
    (table,) = file_tables(path)
    header, columns, _ = _read(table)
    assert header == ["姓名", "手机号", "备注"]
    assert columns["手机号"][0] == "13812345678"


def test_truncated_csv_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_text('a,b,c\n1,2,3\n4,5,"unfinished', encoding="utf-8")
    (table,) = file_tables(path)
    with pytest.raises(InputError, match="truncated") as info:
        list(table.batches())
    assert info.value.line == 3


def test_short_row_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("a,b,c\n1,2,3\n\n4,5\n", encoding="utf-8")
    (table,) = file_tables(path)
    with pytest.raises(InputError, match="expected 3 fields") as info:
        list(table.batches())
    assert info.value.line == 4


def test_quoted_newlines_stay_in_the_cell(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('id,note\n1,"line one\nline two"\n2,x\n', encoding="utf-8")
    _, columns, rows = _read(CsvTable(path, "q.csv"))
    assert columns["note"] == ["line one\nline two", "x"]
    assert rows == 2


@pytest.mark.parametrize("engine", ["python", "arrow"])
def test_batches_are_bounded(tmp_path: Path, engine: str) -> None:
    from piguard.sources import BATCH_ROWS

    path = tmp_path / "big.csv"
    n = BATCH_ROWS * 2 + 7
    path.write_text("n\n" + "\n".join(str(i) for i in range(n)) + "\n")
    (table,) = file_tables(path, csv_engine=engine)
    batches = list(table.batches())
    sizes = [b.rows for b in batches]
    if engine == "python":
        assert sizes == [BATCH_ROWS, BATCH_ROWS, 7]
    else:  # Arrow reads blocks of 1 MB: bounded by bytes, not rows
        assert sum(sizes) == n
    values = [v for b in batches for v in _as_list(b.columns["n"])]
    assert values == [str(i) for i in range(n)]


@pytest.mark.parametrize("engine", ["python", "arrow"])
def test_engines_agree_on_errors(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text('a,b\n1,"x\ny"\n2,3\n4\n', encoding="utf-8")
    (table,) = file_tables(path, csv_engine=engine)
    with pytest.raises(InputError, match="expected 2 fields") as info:
        list(table.batches())
    assert info.value.line == 5
    assert "4" not in info.value.message  # the row itself is never quoted


def _as_list(values: object) -> list[object]:
    return values.to_pylist() if hasattr(values, "to_pylist") else list(values)  # type: ignore[union-attr, call-overload]


def test_jsonl_nested_fields_become_dotted_paths(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    records = [
        {"patient": {"name": "张伟", "phone": "13812345678"}, "diagnosis": ["失眠症", "焦虑症"]},
        {"patient": {"name": "李娜"}, "rx": [{"drug": "二甲双胍"}]},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    (table,) = file_tables(path)
    header, columns, rows = _read(table)
    assert rows == 2
    assert header == ["patient.name", "patient.phone", "diagnosis[]", "rx[].drug"]
    assert columns["diagnosis[]"] == ["失眠症", "焦虑症"]
    assert columns["patient.name"] == ["张伟", "李娜"]


def test_bad_jsonl_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1}\n{"a": \n', encoding="utf-8")
    (table,) = file_tables(path)
    with pytest.raises(InputError, match="not valid JSON") as info:
        list(table.batches())
    assert info.value.line == 2


def test_json_document_with_one_list_of_records(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"count": 2, "users": [{"mobile": 13812345678}, {"mobile": 1}]}))
    (table,) = file_tables(path)
    header, columns, rows = _read(table)
    assert (header, rows, table.name) == (["mobile"], 2, "export.json:users")
    assert columns["mobile"] == [13812345678, 1]


def test_flatten_scalars_and_lists() -> None:
    assert flatten([1, 2]) == {"value": [1, 2]} or flatten([1, 2]) == {"[]": [1, 2]}
    assert flatten({"a": {"b": [{"c": 1}, {"c": 2}]}}) == {"a.b[].c": [1, 2]}


def test_excel_sheets_and_numeric_phones(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "用户"
    sheet.append(["姓名", "手机"])
    sheet.append(["张伟", 13812345678])
    sheet.append(["李娜", 13900001111.0])
    book.create_sheet("empty")
    path = tmp_path / "users.xlsx"
    book.save(path)
    tables = file_tables(path)
    assert [t.name for t in tables] == ["用户", "empty"]
    header, columns, _rows = _read(tables[0])
    assert header == ["姓名", "手机"]
    assert [cell_text(v) for v in columns["手机"]] == ["13812345678", "13900001111"]
    assert _read(tables[1])[2] == 0


def test_unreadable_excel_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(InputError, match=r"not a readable \.xlsx") as info:
        file_tables(path)
    assert info.value.source == str(path)


def test_damaged_worksheet_is_an_input_error(tmp_path: Path) -> None:
    # a sheet whose XML stops short: one line naming the sheet and row, no traceback
    import zipfile

    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "用户"
    sheet.append(["姓名", "手机"])
    for i in range(50):
        sheet.append(["张伟", 13812345600 + i])
    whole, cut = tmp_path / "whole.xlsx", tmp_path / "cut.xlsx"
    book.save(whole)
    with zipfile.ZipFile(whole) as zin, zipfile.ZipFile(cut, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, data[:-60] if item.filename.endswith("sheet1.xml") else data)
    (table,) = file_tables(cut)
    with pytest.raises(InputError, match=r"sheet '用户', row \d+: unreadable worksheet") as info:
        _read(table)
    assert info.value.source == str(cut)
    assert "张伟" not in str(info.value)


def test_parquet_columns_and_nested_structs(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table(
        {
            "mobile": pa.array([13812345678, 13900001111], pa.int64()),
            "person": [{"name": "张伟", "city": "北京市"}, {"name": "李娜", "city": "上海市"}],
        }
    )
    path = tmp_path / "users.parquet"
    pq.write_table(table, path)
    (t,) = file_tables(path)
    header, columns, rows = _read(t)
    assert rows == 2
    assert header == ["mobile", "person.name", "person.city"]
    assert columns["person.name"] == ["张伟", "李娜"]
    assert t.rows_total == 2


def test_not_parquet_is_an_input_error(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path = tmp_path / "x.parquet"
    path.write_bytes(b"not parquet at all")
    (t,) = file_tables(path)
    with pytest.raises(InputError, match="Parquet"):
        list(t.batches())


def test_permission_denied_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secret.csv"
    path.write_text("a\n1\n")

    def deny(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", deny)
    (table,) = file_tables(path)
    with pytest.raises(InputError, match="permission denied"):
        list(table.batches())


def test_binary_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(EncodingError, match="binary"):
        file_tables(path)


def test_folder_walk_with_globs(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / ".hidden").mkdir()
    for rel in ["a/x.csv", "a/y.tsv", "b.jsonl", "notes.txt", ".hidden/z.csv", "a/skip.csv"]:
        (tmp_path / rel).write_text("h\n1\n")
    rel = lambda paths: [p.relative_to(tmp_path).as_posix() for p in paths]  # noqa: E731
    assert rel(walk_folder(tmp_path)) == [
        "b.jsonl",
        "notes.txt",
        "a/skip.csv",
        "a/x.csv",
        "a/y.tsv",
    ]
    assert rel(walk_folder(tmp_path, include=["*.csv"], exclude=["skip*"])) == ["a/x.csv"]
    assert rel(walk_folder(tmp_path, include=["a/*"])) == ["a/skip.csv", "a/x.csv", "a/y.tsv"]


def test_truncated_quote_is_found_by_both_engines(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_text('name,note\n张伟,"ok"\n李娜,"cut in the mid', encoding="utf-8")
    for engine in ("arrow", "python"):
        (table,) = file_tables(path, csv_engine=engine)
        with pytest.raises(InputError, match="truncated") as info:
            list(table.batches())
        assert info.value.line == 3


def test_quote_left_open_after_a_line_break_is_truncation(tmp_path: Path) -> None:
    # Cut right after a line break inside the last quoted cell: the file still ends in a
    # newline, and Arrow would close the quote at the end of the file without a word.
    path = tmp_path / "cut.csv"
    path.write_text('姓名,手机\n张三,13812345678\n李四,"13912345678\n', encoding="utf-8")
    for engine in ("arrow", "python"):
        (table,) = file_tables(path, csv_engine=engine)
        with pytest.raises(InputError, match="truncated") as info:
            list(table.batches())
        assert info.value.line == 3
