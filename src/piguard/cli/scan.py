"""``piguard scan``: find personal information in text files, folders or standard input.

Streams each file line by line (UTF-8 with or without BOM, GB18030/GBK, UTF-16), optionally
on several processes (``--workers``; output order is the same as with one), and writes the
findings as a table, JSON, JSON Lines or a self-contained HTML report, followed by a summary
per entity and per grade. Previews are masked unless ``--show-values``.
"""

from __future__ import annotations

import contextlib
import enum
import io
import json
import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import IO, Annotated, Any, BinaryIO, cast

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from piguard._util import atomic_write
from piguard.cli._inventory import (
    INVENTORY_EXAMPLES,
    AsTextOption,
    ExcludeGlobOption,
    FullOption,
    IncludeOption,
    SampleSizeOption,
    SchemaOption,
    StreamOption,
    is_structured,
    run_inventory,
)
from piguard.cli._output import examples, make_table, stderr_console, stdout_console
from piguard.detect import Finding, Scanner
from piguard.detect.reader import BinaryFileError, iter_lines, looks_binary
from piguard.detect.report import Summary, render_html
from piguard.errors import InputError

__all__ = ["register"]

_PROGRESS_MIN_BYTES = 8 << 20  # show a progress bar for files from 8 MB
_CHUNK_LINES = 2000


class ScanFormat(enum.StrEnum):
    """Output formats of ``piguard scan``."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    html = "html"


# ---------------------------------------------------------------- sources
class _Source:
    def __init__(self, name: str, path: Path | None) -> None:
        self.name = name
        self.path = path

    def open(self) -> IO[bytes]:
        if self.path is None:
            return sys.stdin.buffer
        try:
            return self.path.open("rb")
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", source=self.name) from None

    def size(self) -> int:
        return self.path.stat().st_size if self.path is not None else 0


def _expand(paths: Sequence[str], summary: Summary) -> Iterator[_Source]:
    for raw in paths:
        if raw == "-":
            yield _Source("<stdin>", None)
            continue
        if "://" in raw:
            raise InputError(
                "database URLs are not scanned yet; export the table as CSV and scan that",
                source=raw.split("@")[-1],
            )
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    child = Path(root) / name
                    try:
                        with child.open("rb") as fh:
                            head = fh.read(8192)
                    except OSError as exc:
                        raise InputError(
                            f"cannot read: {exc.strerror}", source=str(child)
                        ) from None
                    if looks_binary(head):
                        summary.skipped.append(f"{child}: binary file")
                        continue
                    yield _Source(str(child), child)
        elif path.exists():
            yield _Source(str(path), path)
        else:
            raise InputError("no such file or folder", source=raw)


# ---------------------------------------------------------------- workers
_WORKER_SCANNER: Scanner | None = None


def _init_worker(options: dict[str, Any]) -> None:
    global _WORKER_SCANNER  # one scanner per worker process
    _WORKER_SCANNER = Scanner(**options)


def _scan_chunk(args: tuple[str, int, list[str]]) -> list[Finding]:
    source, first, lines = args
    assert _WORKER_SCANNER is not None
    return list(_WORKER_SCANNER.scan_lines(lines, source=source, start_line=first))


def _chunks(
    source: str, lines: Iterator[str], counter: list[int]
) -> Iterator[tuple[str, int, list[str]]]:
    block: list[str] = []
    first = 1
    for line in lines:
        block.append(line)
        if len(block) >= _CHUNK_LINES:
            counter[0] += len(block)
            yield source, first, block
            first += len(block)
            block = []
    if block:
        counter[0] += len(block)
        yield source, first, block


class _Counting(io.RawIOBase):
    """Wraps a binary stream to advance a progress bar by the bytes read."""

    def __init__(self, raw: IO[bytes], advance: Any) -> None:
        self._raw = raw
        self._advance = advance

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._advance(len(data))
        return data


# ---------------------------------------------------------------- writers
class _Writer:
    def __init__(self, fh: IO[str], *, show_values: bool, explain: bool) -> None:
        self.fh = fh
        self.show_values = show_values
        self.explain = explain

    def add(self, finding: Finding) -> None:
        raise NotImplementedError

    def finish(self, summary: Summary) -> None:
        raise NotImplementedError


class _JsonlWriter(_Writer):
    def add(self, finding: Finding) -> None:
        self.fh.write(finding.to_json(show_values=self.show_values, explain=self.explain) + "\n")

    def finish(self, summary: Summary) -> None:
        self.fh.write(json.dumps({"summary": summary.to_dict()}, ensure_ascii=False) + "\n")


class _JsonWriter(_Writer):
    def __init__(self, fh: IO[str], **kw: bool) -> None:
        super().__init__(fh, **kw)
        self.first = True
        fh.write('{\n  "findings": [')

    def add(self, finding: Finding) -> None:
        line = finding.to_json(show_values=self.show_values, explain=self.explain)
        self.fh.write(("\n    " if self.first else ",\n    ") + line)
        self.first = False

    def finish(self, summary: Summary) -> None:
        body = json.dumps(summary.to_dict(), ensure_ascii=False, indent=2).replace("\n", "\n  ")
        self.fh.write(("" if self.first else "\n  ") + f'],\n  "summary": {body}\n}}\n')


class _CollectingWriter(_Writer):
    def __init__(self, fh: IO[str], **kw: bool) -> None:
        super().__init__(fh, **kw)
        self.findings: list[Finding] = []

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)


class _HtmlWriter(_CollectingWriter):
    def finish(self, summary: Summary) -> None:
        self.fh.write(render_html(self.findings, summary, show_values=self.show_values))


class _TableWriter(_CollectingWriter):
    summary_only = False

    def add(self, finding: Finding) -> None:
        if not self.summary_only:
            self.findings.append(finding)

    def finish(self, summary: Summary) -> None:
        from rich.console import Console

        console = (
            Console(file=self.fh, soft_wrap=False)
            if self.fh is not sys.stdout
            else stdout_console()
        )
        if self.findings:
            columns = ["source", "line", "span", "entity", "grade", "score", "preview"]
            if self.explain:
                columns.append("why")
            rows = []
            for f in self.findings:
                row = [
                    f.source,
                    f.line,
                    f"{f.start}-{f.end}",
                    f.entity,
                    "sensitive" if f.sensitive else "ordinary",
                    f"{f.score:.2f}",
                    f.value if self.show_values else f.preview,
                ]
                if self.explain:
                    row.append(f.explanation)
                rows.append(row)
            console.print(make_table("Findings", columns, rows))
        data = summary.to_dict()
        console.print(
            f"[bold]Summary[/bold]: {data['findings']} findings in {data['sources']} "
            f"source(s), {data['lines']} lines",
            highlight=False,
        )
        console.print(make_table("By entity", ["entity", "count"], data["by_entity"].items()))
        console.print(
            make_table(
                "By grade (GB/T 35273-2020)",
                ["grade", "count"],
                [
                    ("sensitive 个人敏感信息", data["by_grade"]["sensitive"]),
                    ("ordinary 一般个人信息", data["by_grade"]["ordinary"]),
                ],
            )
        )


class _SummaryTableWriter(_TableWriter):
    summary_only = True


class _SummaryJsonWriter(_Writer):
    def add(self, finding: Finding) -> None:
        pass

    def finish(self, summary: Summary) -> None:
        self.fh.write(
            json.dumps({"summary": summary.to_dict()}, ensure_ascii=False, indent=2) + "\n"
        )


_WRITERS: dict[ScanFormat, type[_Writer]] = {
    ScanFormat.table: _TableWriter,
    ScanFormat.json: _JsonWriter,
    ScanFormat.jsonl: _JsonlWriter,
    ScanFormat.html: _HtmlWriter,
}


def _split_list(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def run_scan(
    paths: Sequence[str],
    *,
    fmt: ScanFormat,
    output: str | None,
    entities: list[str] | None,
    exclude: list[str] | None,
    workers: int,
    show_values: bool,
    explain: bool,
    min_score: float,
    encoding: str | None,
    encoding_errors: str,
    summary_only: bool = False,
) -> Summary:
    """Scan ``paths`` and write the report; returns the summary."""
    options: dict[str, Any] = {
        "entities": entities,
        "exclude_entities": exclude,
        "min_score": min_score,
    }
    scanner = Scanner(**options)  # validates the entity names before anything is read
    summary = Summary()
    err = stderr_console()
    target = contextlib.nullcontext(sys.stdout) if output in (None, "-") else atomic_write(output)
    pool = (
        ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(options,))
        if workers > 1
        else None
    )
    try:
        with target as fh:
            writer_cls = _WRITERS[fmt]
            if summary_only and fmt is ScanFormat.table:
                writer_cls = _SummaryTableWriter
            elif summary_only and fmt in (ScanFormat.json, ScanFormat.jsonl):
                writer_cls = _SummaryJsonWriter
            writer = writer_cls(fh, show_values=show_values, explain=explain)
            for src in _expand(paths, summary):
                summary.sources += 1
                size = src.size()
                progress = None
                raw = src.open()
                try:
                    stream: IO[bytes] = raw
                    if size >= _PROGRESS_MIN_BYTES and err.is_terminal:
                        progress = Progress(
                            TextColumn("[bold]{task.description}"),
                            BarColumn(),
                            DownloadColumn(),
                            TimeRemainingColumn(),
                            console=err,
                            transient=True,
                        )
                        progress.start()
                        task = progress.add_task(Path(src.name).name, total=size)
                        stream = cast(
                            IO[bytes],
                            _Counting(raw, lambda n, t=task, p=progress: p.advance(t, n)),
                        )
                    try:
                        lines = iter_lines(
                            cast(BinaryIO, stream),
                            source=src.name,
                            encoding=encoding,
                            errors=encoding_errors,
                        )
                        counter = [0]
                        if pool is None:
                            for finding in scanner.scan_lines(
                                _count(lines, counter), source=src.name
                            ):
                                summary.add(finding)
                                writer.add(finding)
                        else:
                            for found in pool.map(_scan_chunk, _chunks(src.name, lines, counter)):
                                for finding in found:
                                    summary.add(finding)
                                    writer.add(finding)
                        summary.lines += counter[0]
                    except BinaryFileError:
                        summary.skipped.append(f"{src.name}: binary file")
                        summary.sources -= 1
                finally:
                    if progress is not None:
                        progress.stop()
                    if src.path is not None:
                        raw.close()
            writer.finish(summary)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    for note in summary.skipped:
        err.print(f"piguard: note: skipped {note}", markup=False, highlight=False)
    return summary


def _count(lines: Iterator[str], counter: list[int]) -> Iterator[str]:
    for line in lines:
        counter[0] += 1
        yield line


def register(app: typer.Typer) -> None:
    """Add ``piguard scan`` to the root command.

    Tables (CSV, Excel, Parquet, JSON …), folders holding tables and database URLs go to the
    data inventory of :mod:`piguard.cli._inventory` (column classification); text goes to
    :func:`run_scan`. ``--as-text`` scans tables as text lines too.
    """

    @app.command(
        "scan",
        epilog=examples(
            "piguard scan orders.log",
            "piguard scan examples/data --format html -o report.html",
            "cat chat.txt | piguard scan - --format jsonl",
            "piguard scan logs/ --exclude-entities PERSON_NAME,ADDRESS --workers 2",
            "piguard scan notes.txt --entities CN_RESIDENT_ID,CN_MOBILE --explain",
            "piguard scan examples/data --summary-only",
            *INVENTORY_EXAMPLES,
        ),
    )
    def scan(
        paths: Annotated[
            list[str],
            typer.Argument(
                help=(
                    "Text files, folders (scanned recursively), - for standard input; "
                    "tables and database URLs give a data inventory."
                )
            ),
        ],
        fmt: Annotated[
            ScanFormat,
            typer.Option("--format", "-f", help="table, json, jsonl or html (one file)."),
        ] = ScanFormat.table,
        output: Annotated[
            str | None,
            typer.Option("--output", "-o", help="Write here (atomically) instead of stdout."),
        ] = None,
        entities: Annotated[
            str | None, typer.Option("--entities", help="Only these entities, comma-separated.")
        ] = None,
        exclude_entities: Annotated[
            str | None,
            typer.Option(
                "--exclude-entities", help="Skip these entities, e.g. PERSON_NAME,ADDRESS."
            ),
        ] = None,
        workers: Annotated[
            int,
            typer.Option(
                "--workers", "-w", min=1, help="Processes to scan with (same output order)."
            ),
        ] = 1,
        show_values: Annotated[
            bool, typer.Option("--show-values", help="Print raw values instead of masked previews.")
        ] = False,
        explain: Annotated[
            bool,
            typer.Option(
                "--explain", help="Add why each finding was reported (pattern, check, context)."
            ),
        ] = False,
        summary_only: Annotated[
            bool,
            typer.Option("--summary-only", help="Print only the summary (table, json, jsonl)."),
        ] = False,
        min_score: Annotated[
            float,
            typer.Option("--min-score", min=0.0, max=1.0, help="Drop findings scored below this."),
        ] = 0.5,
        encoding: Annotated[
            str | None,
            typer.Option(
                "--encoding", help="Input encoding (default: detect UTF-8 / UTF-16 / GB18030)."
            ),
        ] = None,
        encoding_errors: Annotated[
            str,
            typer.Option(
                "--encoding-errors",
                help=(
                    "strict: stop at invalid bytes with file and line (default); "
                    "replace: read on with U+FFFD."
                ),
            ),
        ] = "strict",
        full: FullOption = False,
        stream: StreamOption = False,
        sample_size: SampleSizeOption = 1000,
        include: IncludeOption = None,
        exclude: ExcludeGlobOption = None,
        schema: SchemaOption = None,
        as_text: AsTextOption = False,
    ) -> None:
        """Find personal information (个人信息) in text and grade it (ordinary / sensitive)."""
        if encoding_errors not in ("strict", "replace"):
            raise typer.BadParameter("use strict or replace", param_hint="--encoding-errors")
        if entities and exclude_entities:
            raise typer.BadParameter("give --entities or --exclude-entities, not both")
        if encoding is not None:
            import codecs

            try:
                codecs.lookup(encoding)
            except LookupError:
                raise typer.BadParameter(
                    f"unknown encoding {encoding!r}", param_hint="--encoding"
                ) from None
        if not as_text and is_structured(paths):
            run_inventory(
                paths,
                fmt=fmt.value,
                output=output,
                workers=workers,
                entities=_split_list(entities),
                exclude=_split_list(exclude_entities),
                full=full,
                stream=stream,
                sample_size=sample_size,
                include_globs=include or (),
                exclude_globs=exclude or (),
                schemas=schema,
                summary_only=summary_only,
            )
            return
        run_scan(
            paths,
            fmt=fmt,
            output=output,
            entities=_split_list(entities),
            exclude=_split_list(exclude_entities),
            workers=workers,
            show_values=show_values,
            explain=explain,
            min_score=min_score,
            encoding=encoding,
            encoding_errors=encoding_errors,
            summary_only=summary_only,
        )
