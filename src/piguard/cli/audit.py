"""``piguard audit``: the tamper-evident audit log (集中审计, 存证) from the command line.

Thin wrappers over :mod:`piguard.audit` and :mod:`piguard.keys`. Any verification failure is an
``IntegrityError``: one line on standard error naming the event index, exit code 2.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress

from piguard._util import atomic_write
from piguard.audit import (
    AuditLog,
    ConsistencyProof,
    InclusionProof,
    event_from_dict,
    load_proof,
    open_checkpoint,
    verify_consistency_proof,
    verify_inclusion_proof,
)
from piguard.audit.event import AuditEvent, check_categories
from piguard.cli._output import (
    OutputFormat,
    emit_text,
    examples,
    make_table,
    stderr_console,
    stdout_console,
    to_json,
)
from piguard.errors import InputError
from piguard.keys import NoteSigner, NoteVerifier, load_signer

audit_app = typer.Typer(
    name="audit",
    help=(
        "The tamper-evident audit log (集中审计): an RFC 9162 Merkle log of processing events "
        "with signed checkpoints, inclusion and consistency proofs (GB/T 35273-2020 §11.7)."
    ),
    epilog=examples(
        "piguard audit keygen audit.example.com/log -o audit.key > audit.vkey",
        "piguard audit init --log audit.db --origin audit.example.com/log",
        "piguard audit append --log audit.db events.jsonl",
        "piguard audit checkpoint --log audit.db --key audit.key -o checkpoint.txt",
        "piguard audit prove --log audit.db --index 41 -o proof.json",
        "piguard audit verify --checkpoint checkpoint.txt --key audit.vkey --proof proof.json",
        "piguard audit verify --log audit.db --key audit.vkey",
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
)

LogOpt = Annotated[
    str,
    typer.Option(
        "--log",
        envvar="PIGUARD_AUDIT_LOG",
        help="The log: a SQLite file (sqlite:///path or a plain path) or a postgresql:// URL.",
    ),
]
SignerOpt = Annotated[
    Path | None,
    typer.Option(
        "--key",
        help="Signer key file (from 'piguard audit keygen'); default: $PIGUARD_AUDIT_SIGNER_KEY.",
    ),
]
VerifierOpt = Annotated[
    str,
    typer.Option(
        "--key",
        help="The public verifier key (name+id+key), or a file that holds it.",
    ),
]


def _verifier(text: str) -> NoteVerifier:
    path = Path(text)
    if "+" not in text or (path.exists() and path.is_file()):
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InputError(
                f"cannot read verifier key ({type(exc).__name__})", source=str(path)
            ) from None
    return NoteVerifier.from_vkey(text)


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {what} ({type(exc).__name__})", source=str(path)) from None


@audit_app.command(
    "keygen",
    epilog=examples(
        "piguard audit keygen audit.example.com/log -o audit.key",
        "piguard audit keygen audit.example.com/log -o audit.key --vkey-out audit.vkey",
        "piguard audit keygen audit.example.com/log -o audit.key --algorithm sm2",
    ),
)
def keygen(
    name: Annotated[str, typer.Argument(help="Key name; use the log's origin, e.g. host/log.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Where to write the secret signer key.")
    ],
    vkey_out: Annotated[
        Path | None, typer.Option("--vkey-out", help="Also write the public verifier key here.")
    ] = None,
    algorithm: Annotated[
        str,
        typer.Option(
            "--algorithm",
            help="Signature algorithm: ed25519 (default, C2SP standard) or sm2 (SM2 with SM3, "
            "GB/T 32918; needs the 'sm2' extra; a piguard extension other tools ignore).",
        ),
    ] = "ed25519",
) -> None:
    """Generate a key pair for signing checkpoints: Ed25519, or SM2 (国密 SM2) on request.

    The secret key is written to OUTPUT (owner-only permissions), in the signer-key format of
    Go's sumdb/note and Trillian Tessera. The public verifier key is printed (or written to
    --vkey-out): give it to whoever must verify checkpoints.
    """
    if output.exists():
        raise InputError("refusing to overwrite an existing key file", source=str(output))
    signer = NoteSigner.generate(name, algorithm.lower())
    with atomic_write(output) as fh:
        os.chmod(fh.name, 0o600)
        fh.write(signer.export_secret() + "\n")
    vkey = signer.verifier().vkey + "\n"
    if vkey_out is not None:
        emit_text(vkey, vkey_out)
    else:
        sys.stdout.write(vkey)
    stderr_console().print(f"wrote the secret signer key to {output} (keep it private)")


@audit_app.command(
    "init",
    epilog=examples(
        "piguard audit init --log audit.db --origin audit.example.com/log",
        "piguard audit init --log postgresql://piguard@db/piguard --origin example.com/audit",
        "piguard audit init --log audit.db --origin example.com/audit --hash sm3",
    ),
)
def init(
    log: LogOpt,
    origin: Annotated[
        str, typer.Option("--origin", help="The log's name in its checkpoints (e.g. host/log).")
    ],
    hash_name: Annotated[
        str, typer.Option("--hash", help="Tree hash: sha256 (RFC 9162) or sm3 (GB/T 32905).")
    ] = "sha256",
) -> None:
    """Create a new, empty audit log."""
    AuditLog.create(log, origin=origin, hash=hash_name).close()
    stderr_console().print(f"created audit log {origin} ({hash_name})")


def _read_events(source: str) -> list[AuditEvent]:
    name = "<stdin>" if source == "-" else source
    if source == "-":
        lines = sys.stdin.buffer.read().splitlines()
    else:
        try:
            lines = Path(source).read_bytes().splitlines()
        except OSError as exc:
            raise InputError(f"cannot read ({type(exc).__name__})", source=name) from None
    events = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            event = event_from_dict(json.loads(raw.decode("utf-8-sig")))
            check_categories(event)
            events.append(event)
        except UnicodeDecodeError:
            raise InputError("not UTF-8", source=name, line=number) from None
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON ({exc.msg})", source=name, line=number) from None
        except InputError as exc:
            raise InputError(exc.message, source=name, line=number) from None
    return events


@audit_app.command(
    "append",
    epilog=examples(
        "piguard audit append --log audit.db events.jsonl",
        "cat events.jsonl | piguard audit append --log audit.db -",
        "piguard audit append --log audit.db events.jsonl --key audit.key --checkpoint",
    ),
)
def append(
    log: LogOpt,
    source: Annotated[str, typer.Argument(help="JSONL file of events, one per line; - is stdin.")],
    batch: Annotated[int, typer.Option("--batch", min=1, help="Events per transaction.")] = 10_000,
    checkpoint: Annotated[
        bool, typer.Option("--checkpoint", help="Sign a checkpoint after appending.")
    ] = False,
    key: SignerOpt = None,
) -> None:
    """Append events from a JSONL file (or standard input) in batched transactions.

    Every line is validated first (fields that look like raw PI, such as an 11-digit mobile
    number, are refused; categories must be taxonomy keys): a bad line stops the command
    before anything is written. Each line
    is an object with time, actor, action and optionally purpose, categories (taxonomy keys),
    subject (a keyed pseudonym), request_id, consent_id and details.
    """
    events = _read_events(source)
    signer = load_signer(key) if checkpoint else None
    with AuditLog.open(log) as audit:
        start = audit.size
        with Progress(console=stderr_console(), transient=True) as progress:
            task = progress.add_task("appending", total=len(events))
            for i in range(0, len(events), batch):
                audit.append_many(events[i : i + batch])
                progress.advance(task, min(batch, len(events) - i))
        end = audit.size
        if signer is not None:
            sys.stdout.write(audit.checkpoint(signer))
    stderr_console().print(f"appended {len(events)} events (indexes {start} to {end - 1})")


@audit_app.command(
    "checkpoint",
    epilog=examples(
        "piguard audit checkpoint --log audit.db --key audit.key",
        "piguard audit checkpoint --log audit.db --key audit.key -o witness/checkpoint.txt",
    ),
)
def checkpoint(
    log: LogOpt,
    key: SignerOpt = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Also write it here (a witness copy)."),
    ] = None,
) -> None:
    """Sign a checkpoint of the current tree (C2SP tlog-checkpoint) and print it."""
    signer = load_signer(key)
    with AuditLog.open(log) as audit:
        note = audit.checkpoint(signer)
    emit_text(note, output)
    if output is not None:
        sys.stdout.write(note)


@audit_app.command(
    "prove",
    epilog=examples(
        "piguard audit prove --log audit.db --index 41 -o proof.json",
        "piguard audit prove --log audit.db --event-hash 3q2+7w... -o proof.json",
        "piguard audit prove --log audit.db --from 100 --to 250 -o consistency.json",
    ),
)
def prove(
    log: LogOpt,
    index: Annotated[int | None, typer.Option("--index", help="Prove this event index.")] = None,
    event_hash: Annotated[
        str | None,
        typer.Option("--event-hash", help="Prove the event with this leaf hash (hex or base64)."),
    ] = None,
    size: Annotated[
        int | None,
        typer.Option("--size", help="Tree size to prove against (default: latest checkpoint)."),
    ] = None,
    old: Annotated[
        int | None, typer.Option("--from", help="Consistency proof: the older tree size.")
    ] = None,
    new: Annotated[
        int | None,
        typer.Option(
            "--to", help="Consistency proof: the newer size (default: latest checkpoint)."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the proof file here.")
    ] = None,
) -> None:
    """Write an inclusion or consistency proof as a JSON proof file.

    An inclusion proof shows that an event is in the log at a checkpoint's tree size; a
    consistency proof shows that a later checkpoint extends an earlier one.
    """
    chosen = sum(x is not None for x in (index, event_hash, old))
    if chosen != 1:
        raise InputError("give exactly one of --index, --event-hash or --from")
    with AuditLog.open(log) as audit:
        latest = audit.store.latest_checkpoint()
        proof: InclusionProof | ConsistencyProof
        if old is not None:
            target = new if new is not None else (latest[0] if latest else None)
            if target is None:
                raise InputError("no checkpoint yet: give --to or run 'piguard audit checkpoint'")
            proof = audit.consistency_proof(old, target)
        else:
            if event_hash is not None:
                index = audit.find(_decode_hash(event_hash))
            assert index is not None
            target = size if size is not None else (latest[0] if latest else None)
            if target is None:
                raise InputError("no checkpoint yet: give --size or run 'piguard audit checkpoint'")
            proof = audit.inclusion_proof(index, target)
    emit_text(to_json(proof.to_dict()), output)


def _decode_hash(text: str) -> bytes:
    import base64
    import binascii

    try:
        raw = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        raise InputError("--event-hash is neither 64 hex digits nor base64") from None
    if len(raw) != 32:
        raise InputError("--event-hash must be 32 bytes")
    return raw


def _ok(message: str) -> None:
    sys.stdout.write(message + "\n")


@audit_app.command(
    "verify",
    epilog=examples(
        "piguard audit verify --checkpoint checkpoint.txt --key audit.vkey",
        "piguard audit verify --checkpoint checkpoint.txt --key audit.vkey --proof proof.json",
        "piguard audit verify --checkpoint new.txt --key audit.vkey --proof consistency.json "
        "--old-checkpoint old.txt",
        "piguard audit verify --log audit.db --key audit.vkey --checkpoint witness.txt",
    ),
)
def verify(
    key: VerifierOpt,
    checkpoint: Annotated[
        Path | None, typer.Option("--checkpoint", help="A signed checkpoint file.")
    ] = None,
    proof: Annotated[
        Path | None, typer.Option("--proof", help="An inclusion or consistency proof file.")
    ] = None,
    old_checkpoint: Annotated[
        Path | None,
        typer.Option("--old-checkpoint", help="For a consistency proof: the older checkpoint."),
    ] = None,
    log: Annotated[
        str | None,
        typer.Option("--log", help="Verify the whole log (a path or URL) instead of one proof."),
    ] = None,
) -> None:
    """Verify offline with only the public key: a checkpoint, a proof, or the whole log.

    With --checkpoint alone: the checkpoint's signature. With --proof: the proof against the
    checkpoint. With --log: every event, stored subtree and signed checkpoint; a --checkpoint
    witness copy then also catches truncation of the stored checkpoints.

    Any failure prints one line naming the event or tree size and exits with code 2.
    """
    verifier = _verifier(key)
    if log is not None:
        witnesses = [_read_text(checkpoint, "checkpoint")] if checkpoint else []
        with (
            AuditLog.open(log) as audit,
            Progress(console=stderr_console(), transient=True) as progress,
        ):
            task = progress.add_task("verifying", total=audit.size)
            report = audit.verify(
                verifier,
                witnesses=witnesses,
                progress=lambda n: progress.update(task, completed=n),
            )
        _ok(
            f"ok: {report.size} events verify against {report.checkpoints} signed checkpoints "
            f"(latest covers {report.latest_checkpoint_size or 0}; "
            f"{report.unsigned_events} newer events not yet signed)"
        )
        return
    if checkpoint is None:
        raise InputError("give --checkpoint FILE (with --proof) or --log DB")
    note = _read_text(checkpoint, "checkpoint")
    if proof is None:
        cp = open_checkpoint(note, verifier)
        _ok(f"ok: checkpoint of {cp.origin} at size {cp.size} is validly signed")
        return
    parsed = load_proof(_read_text(proof, "proof"), source=str(proof))
    if isinstance(parsed, InclusionProof):
        cp = verify_inclusion_proof(parsed, note, verifier)
        _ok(f"ok: event {parsed.index} is in {cp.origin} at size {cp.size}")
    else:
        old_note = _read_text(old_checkpoint, "checkpoint") if old_checkpoint else None
        new_cp, _ = verify_consistency_proof(parsed, note, verifier, old_checkpoint=old_note)
        _ok(f"ok: {new_cp.origin} at size {new_cp.size} extends size {parsed.old_size}")


@audit_app.command(
    "show",
    epilog=examples(
        "piguard audit show --log audit.db",
        "piguard audit show --log audit.db --format json",
    ),
)
def show(
    log: LogOpt,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="A table to read, or JSON.")
    ] = OutputFormat.table,
) -> None:
    """Show the log's origin, hash, tree size, root and latest checkpoint."""
    import base64

    with AuditLog.open(log) as audit:
        size = audit.size
        latest = audit.store.latest_checkpoint()
        info: dict[str, Any] = {
            "origin": audit.origin,
            "hash": audit.hasher.name,
            "tree_size": size,
            "root_hash": base64.b64encode(audit.root(size)).decode(),
            "latest_checkpoint_size": latest[0] if latest else None,
            "latest_checkpoint_created": latest[1] if latest else None,
            "latest_checkpoint": latest[2] if latest else None,
        }
    if fmt is OutputFormat.json:
        emit_text(to_json(info))
        return
    rows = [(k, v) for k, v in info.items() if k != "latest_checkpoint"]
    stdout_console().print(make_table(None, ["field", "value"], rows))


def register(app: typer.Typer) -> None:
    """Attach ``audit`` to the root command."""
    app.add_typer(audit_app, name="audit")
