"""Signed notes and checkpoints in the C2SP formats (c2sp.org/signed-note, tlog-checkpoint).

A checkpoint's note text is three lines: the log's **origin**, the **tree size** in decimal and
the **root hash** in standard base64, each ending in a newline. The signed note appends a blank
line and one signature line per signer: ``— <key name> <base64(4-byte key id || signature)>``.

>>> from piguard.keys import NoteSigner
>>> signer = NoteSigner.generate("audit.example.com/log")
>>> cp = Checkpoint("audit.example.com/log", 2, bytes(32))
>>> note = sign_checkpoint(cp, signer)
>>> note.splitlines()[:3]
['audit.example.com/log', '2', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=']
>>> open_checkpoint(note, signer.verifier()) == cp
True
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass

from piguard.errors import IntegrityError
from piguard.keys import NoteSigner, NoteVerifier

__all__ = [
    "Checkpoint",
    "open_checkpoint",
    "open_note",
    "parse_checkpoint_text",
    "sign_checkpoint",
    "sign_note",
]

EM_DASH = "\u2014"
_SIG_LINE = re.compile(r"\u2014 (\S+) ([A-Za-z0-9+/=]+)\n")
#: Verifiers must accept at least 16 signatures (signed-note, "Format"); we refuse more than 100.
MAX_SIGNATURES = 100


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A tree head: origin, size and root hash (plus opaque extension lines, rarely used)."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The note text (c2sp.org/tlog-checkpoint, "Note text")."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode()]
        lines.extend(self.extensions)
        return "".join(line + "\n" for line in lines)


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise IntegrityError("note text must end with a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise IntegrityError("note contains control characters")


def sign_note(text: str, signers: Sequence[NoteSigner]) -> str:
    """Sign ``text`` (which must end in a newline) with each signer."""
    _check_text(text)
    message = text.encode("utf-8")
    lines = []
    for signer in signers:
        sig = base64.b64encode(signer.key_id + signer.sign(message)).decode()
        lines.append(f"{EM_DASH} {signer.name} {sig}\n")
    return text + "\n" + "".join(lines)


def open_note(note: str, verifiers: Sequence[NoteVerifier]) -> tuple[str, list[str]]:
    """Verify a signed note; return its text and the names of the keys that signed it.

    Signatures from unknown keys are ignored; a failing signature from a known key, or no
    verified signature at all, raises :class:`~piguard.errors.IntegrityError`.
    """
    if not note.endswith("\n"):
        raise IntegrityError("signed note must end with a newline")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise IntegrityError("signed note has no blank line before its signatures")
    text, sig_block = note[: cut + 1], note[cut + 2 :]
    _check_text(text)
    lines = sig_block.splitlines(keepends=True)
    if not lines or len(lines) > MAX_SIGNATURES:
        raise IntegrityError("signed note has no signature lines (or too many)")
    known = {(v.name, v.key_id): v for v in verifiers}
    message = text.encode("utf-8")
    verified: list[str] = []
    for line in lines:
        m = _SIG_LINE.fullmatch(line)
        if not m:
            raise IntegrityError("malformed signature line in signed note")
        try:
            raw = base64.b64decode(m.group(2), validate=True)
        except (ValueError, binascii.Error):
            raise IntegrityError("signature line is not valid base64") from None
        if len(raw) < 5:
            raise IntegrityError("signature line is too short")
        verifier = known.get((m.group(1), raw[:4]))
        if verifier is None:
            continue
        if not verifier.verify(message, raw[4:]):
            raise IntegrityError(f"the signature of key {verifier.name} does not verify")
        verified.append(verifier.name)
    if not verified:
        raise IntegrityError("the note carries no valid signature from the given key")
    return text, verified


def parse_checkpoint_text(text: str) -> Checkpoint:
    """Parse checkpoint note text (no signature checks: see :func:`open_checkpoint`)."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise IntegrityError("a checkpoint has at least three lines, each ending in a newline")
    origin, size_s, root_s, *ext = lines[:-1]
    if not origin:
        raise IntegrityError("checkpoint origin line is empty")
    if not re.fullmatch(r"0|[1-9][0-9]*", size_s):
        raise IntegrityError("checkpoint tree size is not a decimal number")
    try:
        root = base64.b64decode(root_s, validate=True)
    except (ValueError, binascii.Error):
        raise IntegrityError("checkpoint root hash is not valid base64") from None
    if any(not line for line in ext):
        raise IntegrityError("checkpoint extension lines must not be empty")
    return Checkpoint(origin, int(size_s), root, tuple(ext))


def sign_checkpoint(checkpoint: Checkpoint, signer: NoteSigner) -> str:
    """The signed checkpoint note."""
    return sign_note(checkpoint.text(), [signer])


def open_checkpoint(note: str, verifier: NoteVerifier, *, origin: str | None = None) -> Checkpoint:
    """Verify a signed checkpoint with ``verifier`` and parse it; check ``origin`` if given."""
    text, _ = open_note(note, [verifier])
    cp = parse_checkpoint_text(text)
    if origin is not None and cp.origin != origin:
        raise IntegrityError(f"checkpoint is for log {cp.origin!r}, not {origin!r}")
    return cp
