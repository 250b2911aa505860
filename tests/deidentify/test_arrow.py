"""Arrow batches (the per-batch function for Spark and Arrow pipelines) and Parquet files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from piguard.deidentify import Deidentifier, metadata_path, parse_policy
from piguard.detect.identifiers import cn_ric
from piguard.errors import InputError
from piguard.keys import EnvKeyProvider

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

DATA = {
    "order_no": [1, 2, 3, 4],
    "buyer": ["张三", "李四丰", None, "王五"],
    "phone": ["13812345678", "13987654321", "18612345678", None],
    "id_number": ["360426199101010071", "110101199003071233", None, "36042619910101104X"],
}


def test_transform_arrow_batch(keys: EnvKeyProvider) -> None:
    batch = pa.RecordBatch.from_pydict(DATA)
    out = Deidentifier(keys=keys).transform_arrow(batch)
    got = out.to_pydict()
    assert got["order_no"] == [1, 2, 3, 4]  # kept, type unchanged
    assert out.schema.field("order_no").type == pa.int64()
    assert got["buyer"] == ["张*", "李**", None, "王*"]  # nulls stay null
    assert got["phone"] == ["138****5678", "139****4321", "186****5678", None]
    new_id = got["id_number"][0]
    assert cn_ric.is_valid(new_id)
    assert new_id != DATA["id_number"][0]


def test_parquet_file(keys: EnvKeyProvider, tmp_path: Path) -> None:
    src = tmp_path / "orders.parquet"
    pq.write_table(pa.table(DATA), src)
    policy = parse_policy("columns: {buyer: PERSON_NAME}\nrules:\n  - entity: PERSON_NAME\n"
                          "    operator: suppress\n  - grade: ordinary\n    operator: mask\n"
                          "  - grade: sensitive\n    operator: hash\n")  # fmt: skip
    out = tmp_path / "safe.parquet"
    summary = Deidentifier(policy, keys=keys).deidentify_file(src, out)
    table = pq.read_table(out)
    assert table.column_names == ["order_no", "phone", "id_number"]  # buyer suppressed
    assert table.column("phone").to_pylist()[0] == "138****5678"
    assert len(table.column("id_number").to_pylist()[0]) == 64  # HMAC-SHA256 pseudonym
    assert summary.rows == 4
    assert (
        json.loads(metadata_path(out).read_text("utf-8"))["rules"]["2"]["key"] == "env:deidentify"
    )
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        Deidentifier(policy, keys=keys).deidentify_file(bad, tmp_path / "x.parquet")
    assert not (tmp_path / "x.parquet").exists()
    assert not list(tmp_path.glob(".*.part"))


def _damage_row_group(src: Path, dst: Path, group: int) -> None:
    """A copy of ``src`` whose first page of row group ``group`` has a garbage header."""
    first = pq.ParquetFile(src).metadata.row_group(group).column(0).data_page_offset
    data = bytearray(src.read_bytes())
    data[first : first + 64] = b"\xff" * 64
    dst.write_bytes(bytes(data))


def test_parquet_damaged_page(keys: EnvKeyProvider, tmp_path: Path) -> None:
    """A damaged page past the first batch is a one-line InputError naming a row, in both
    directions, and leaves no output, metadata or temporary file behind."""
    from piguard.deidentify import reidentify_file

    n = 30000
    src = tmp_path / "ids.parquet"
    ids = [f"11010119900307{i % 10000:04d}" for i in range(n)]
    pq.write_table(pa.table({"id_number": ids, "n": list(range(n))}), src, row_group_size=10000)
    policy = parse_policy("columns: {id_number: CN_RESIDENT_ID}\nrules:\n"
                          "  - entity: CN_RESIDENT_ID\n    operator: encrypt\n")  # fmt: skip
    bad = tmp_path / "bad.parquet"
    _damage_row_group(src, bad, 2)
    with pytest.raises(InputError, match=r"bad\.parquet: row \d+: damaged Parquet data \("):
        Deidentifier(policy, keys=keys).deidentify_file(bad, tmp_path / "x.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.parquet", "ids.parquet"]

    safe = tmp_path / "safe.parquet"
    Deidentifier(policy, keys=keys).deidentify_file(src, safe)
    bad_safe = tmp_path / "bad_safe.parquet"
    _damage_row_group(safe, bad_safe, 2)
    metadata_path(bad_safe).write_bytes(metadata_path(safe).read_bytes())
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(InputError, match=r"row \d+: damaged Parquet data \("):
        reidentify_file(bad_safe, tmp_path / "back.parquet", keys=keys)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_csv_bad_last_row_not_deidentified_twice(keys: EnvKeyProvider, tmp_path: Path) -> None:
    """A bad row after Arrow's first block is reported with its line by a reading pass of the
    csv module: the rows before it are not de-identified a second time (the progress callback
    sees each row at most once) and nothing is left behind."""
    rows = 400_000  # more than one 4 MB Arrow block
    src = tmp_path / "calls.csv"
    with src.open("w", encoding="utf-8") as fh:
        fh.write("n,phone\n")
        fh.writelines(f"{i},138{i:08d}\n" for i in range(rows))
        fh.write("x,13812345678,extra\n")
    policy = parse_policy("columns: {n: keep, phone: CN_MOBILE}\nrules:\n"
                          "  - entity: CN_MOBILE\n    operator: mask\n")  # fmt: skip
    seen: list[int] = []
    with pytest.raises(InputError) as info:
        Deidentifier(policy, keys=keys).deidentify_csv(
            src, tmp_path / "o.csv", progress=seen.append
        )
    assert str(info.value) == f"{src}:{rows + 2}: expected 2 fields, found 3"
    assert 0 < sum(seen) < rows
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calls.csv"]
