"""Signed notes and checkpoints (c2sp.org/signed-note, c2sp.org/tlog-checkpoint)."""

from __future__ import annotations

import base64

import pytest

from piguard.audit.note import (
    Checkpoint,
    open_checkpoint,
    open_note,
    parse_checkpoint_text,
    sign_checkpoint,
    sign_note,
)
from piguard.errors import IntegrityError
from piguard.keys import NoteSigner, NoteVerifier

# The example of c2sp.org/signed-note ("Verifier keys" / "Example"): a published test vector.
EXAMPLE_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
EXAMPLE_NOTE = (
    "This is an example message.\n"
    "\n"
    "\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3"
    "mFXmRKuwHjG1Yu72IneyaQM=\n"
)


def test_c2sp_example_note_verifies() -> None:
    text, names = open_note(EXAMPLE_NOTE, [NoteVerifier.from_vkey(EXAMPLE_VKEY)])
    assert text == "This is an example message.\n"
    assert names == ["example.com/foo"]


def test_c2sp_example_note_fails_when_changed() -> None:
    verifier = NoteVerifier.from_vkey(EXAMPLE_VKEY)
    with pytest.raises(IntegrityError, match="does not verify"):
        open_note(EXAMPLE_NOTE.replace("example message", "exemplary message"), [verifier])


def test_checkpoint_text_layout() -> None:
    cp = Checkpoint("audit.example.com/log", 20852163, bytes(range(32)))
    assert cp.text() == (
        "audit.example.com/log\n20852163\n" + base64.b64encode(bytes(range(32))).decode() + "\n"
    )
    assert parse_checkpoint_text(cp.text()) == cp


def test_signed_checkpoint_layout_and_round_trip() -> None:
    signer = NoteSigner.generate("audit.example.com/log")
    cp = Checkpoint("audit.example.com/log", 7, bytes(32))
    note = sign_checkpoint(cp, signer)
    lines = note.split("\n")
    assert lines[3] == ""
    assert lines[4].startswith("\u2014 audit.example.com/log ")
    raw = base64.b64decode(lines[4].split(" ")[2])
    assert raw[:4] == signer.key_id
    assert len(raw) == 4 + 64
    assert open_checkpoint(note, signer.verifier(), origin="audit.example.com/log") == cp
    with pytest.raises(IntegrityError, match="not 'other'"):
        open_checkpoint(note, signer.verifier(), origin="other")


def test_unknown_keys_are_ignored_but_one_known_key_is_needed() -> None:
    ours = NoteSigner.generate("audit.example.com/log")
    witness = NoteSigner.generate("witness.example.com")
    stranger = NoteSigner.generate("audit.example.com/log")  # same name, other key
    note = sign_note("hello\n", [witness, ours])
    assert open_note(note, [ours.verifier()])[1] == ["audit.example.com/log"]
    assert open_note(note, [ours.verifier(), witness.verifier()])[1] == [
        "witness.example.com",
        "audit.example.com/log",
    ]
    with pytest.raises(IntegrityError, match="no valid signature"):
        open_note(note, [stranger.verifier()])


@pytest.mark.parametrize(
    "mangle",
    [
        lambda n: n.replace("\n7\n", "\n8\n"),  # tree size changed
        lambda n: n.replace("\n\n", "\n"),  # no blank line
        lambda n: n[:-1],  # no final newline
        lambda n: n.replace("\u2014", "-"),  # not an em dash
        lambda n: n.replace("AAAA", "AAAB", 1),  # root hash changed
    ],
)
def test_tampered_checkpoints_fail(mangle: object) -> None:
    signer = NoteSigner.generate("a.example/log")
    note = sign_checkpoint(Checkpoint("a.example/log", 7, bytes(32)), signer)
    bad = mangle(note)  # type: ignore[operator]
    assert bad != note
    with pytest.raises(IntegrityError):
        open_checkpoint(bad, signer.verifier())


def test_malformed_checkpoint_bodies() -> None:
    for text in ["o\n", "o\n01\nAAAA\n", "o\nx\nAAAA\n", "o\n1\n!!\n", "o\n1\nAAAA\n\n"]:
        with pytest.raises(IntegrityError):
            parse_checkpoint_text(text)
