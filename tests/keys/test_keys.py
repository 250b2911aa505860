"""Key providers and Ed25519 note keys: decoding, plug-ins, and no key material in any text."""

from __future__ import annotations

import base64
import os
from importlib import metadata
from pathlib import Path

import pytest

from piguard.errors import KeyProviderError
from piguard.keys import (
    ENTRY_POINT_GROUP,
    EnvKeyProvider,
    FileKeyProvider,
    KeyProvider,
    KeyRef,
    NoteSigner,
    NoteVerifier,
    load_provider,
    load_signer,
)

KEY = bytes(range(32))
HEX = KEY.hex()
B64 = base64.b64encode(KEY).decode()


@pytest.mark.parametrize("text", [HEX, "hex:" + HEX, "base64:" + B64, B64, f"  {HEX}\n"])
def test_env_provider_decodes_hex_and_base64(text: str) -> None:
    provider = EnvKeyProvider(environ={"PIGUARD_KEY_AUDIT_2026": text})
    assert provider.get_key("audit-2026") == KEY
    assert isinstance(provider, KeyProvider)


def test_env_provider_missing_and_malformed_keys_name_the_variable_not_the_value() -> None:
    secretish = "zz" + HEX  # not hex, not base64
    provider = EnvKeyProvider(environ={"PIGUARD_KEY_BAD": secretish, "PIGUARD_KEY_SHORT": "00ff"})
    with pytest.raises(KeyProviderError, match="PIGUARD_KEY_MISSING is not set"):
        provider.get_key("missing")
    with pytest.raises(KeyProviderError) as bad:
        provider.get_key("bad")
    assert "PIGUARD_KEY_BAD" in str(bad.value)
    assert HEX not in str(bad.value)
    assert secretish not in str(bad.value)
    with pytest.raises(KeyProviderError, match="at least 16"):
        provider.get_key("short")


def test_invalid_key_ids_are_refused() -> None:
    with pytest.raises(KeyProviderError, match="invalid key id"):
        EnvKeyProvider(environ={}).get_key("../etc/passwd")


def test_file_provider_reads_keys_and_refuses_readable_files(tmp_path: Path) -> None:
    path = tmp_path / "audit.key"
    path.write_text(HEX + "\n")
    path.chmod(0o600)
    provider = FileKeyProvider(tmp_path)
    assert provider.get_key("audit") == KEY
    path.chmod(0o644)
    if os.name == "posix":
        with pytest.raises(KeyProviderError, match="chmod 600"):
            provider.get_key("audit")
    with pytest.raises(KeyProviderError, match="no key file"):
        provider.get_key("other")


def test_reprs_and_errors_never_contain_key_material(tmp_path: Path) -> None:
    env = EnvKeyProvider(environ={"PIGUARD_KEY_AUDIT": HEX})
    (tmp_path / "audit.key").write_text(B64)
    (tmp_path / "audit.key").chmod(0o600)
    files = FileKeyProvider(tmp_path)
    signer = NoteSigner("audit.example.com/log", KEY)
    secret_text = signer.export_secret()
    secret_b64 = secret_text.rsplit("+", 1)[-1]
    texts = [repr(env), str(env), repr(files), repr(signer), str(signer), repr(KeyRef("env", "a"))]
    for text in texts:
        assert HEX not in text
        assert B64 not in text
        assert secret_b64 not in text
        assert "PRIVATE" not in text


def test_key_ref_round_trips_and_validates() -> None:
    ref = KeyRef.parse("file:audit-2026")
    assert ref == KeyRef("file", "audit-2026")
    assert str(ref) == "file:audit-2026"
    with pytest.raises(KeyProviderError):
        KeyRef.parse("no-colon")


def test_load_provider_specs_and_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(load_provider("env:MY_"), EnvKeyProvider)
    assert isinstance(load_provider("file:/keys"), FileKeyProvider)

    class Vault:
        name = "vault"

        def __init__(self, arg: str) -> None:
            self.arg = arg

        def get_key(self, key_id: str) -> bytes:
            return KEY

    ep = metadata.EntryPoint(name="vault", value="x:y", group=ENTRY_POINT_GROUP)
    monkeypatch.setattr(metadata.EntryPoint, "load", lambda self: Vault)

    def fake_entry_points(*, group: str) -> list[metadata.EntryPoint]:
        return [ep] if group == ENTRY_POINT_GROUP else []

    monkeypatch.setattr(metadata, "entry_points", fake_entry_points)
    provider = load_provider("vault:secret/piguard")
    assert provider.get_key("audit") == KEY
    assert provider.name == "vault"
    with pytest.raises(KeyProviderError, match="unknown key provider 'kms'"):
        load_provider("kms:x")


# ----------------------------------------------------------------------------- note keys


def test_c2sp_signed_note_example_vkey_parses() -> None:
    # The verifier key of c2sp.org/signed-note's "Example" section.
    vkey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
    verifier = NoteVerifier.from_vkey(vkey)
    assert verifier.name == "example.com/foo"
    assert verifier.key_id.hex() == "530d903a"
    assert verifier.vkey == vkey


def test_vkey_with_a_wrong_id_is_refused() -> None:
    with pytest.raises(KeyProviderError, match="key id does not match"):
        NoteVerifier.from_vkey(
            "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
        )


def test_signer_round_trips_through_its_secret_text_and_signs() -> None:
    for _ in range(20):  # base64 with '+' in it must parse too
        signer = NoteSigner.generate("audit.example.com/log")
        again = NoteSigner.from_secret(signer.export_secret())
        assert again.public_key == signer.public_key
        assert again.key_id == signer.key_id
        sig = again.sign(b"note\n")
        assert NoteVerifier.from_vkey(signer.verifier().vkey).verify(b"note\n", sig)
        assert not signer.verifier().verify(b"note!\n", sig)


def test_load_signer_from_file_and_env(tmp_path: Path) -> None:
    signer = NoteSigner.generate("a.example/log")
    path = tmp_path / "k"
    path.write_text(signer.export_secret())
    path.chmod(0o600)
    assert load_signer(path).key_id == signer.key_id
    env = {"PIGUARD_AUDIT_SIGNER_KEY": signer.export_secret()}
    assert load_signer(environ=env).key_id == signer.key_id
    path.chmod(0o640)
    if os.name == "posix":
        with pytest.raises(KeyProviderError, match="readable by other users"):
            load_signer(path)
    with pytest.raises(KeyProviderError, match="no signer key"):
        load_signer(environ={})


def test_malformed_signer_text_error_does_not_echo_it() -> None:
    text = "PRIVATE+KEY+a.example/log+00000000+" + "A" * 20 + "!!"
    with pytest.raises(KeyProviderError) as err:
        NoteSigner.from_secret(text, source="PIGUARD_AUDIT_SIGNER_KEY")
    assert "AAAA" not in str(err.value)
    assert "PIGUARD_AUDIT_SIGNER_KEY" in str(err.value)


@pytest.mark.parametrize("name", ["", "has space", "has+plus"])
def test_bad_key_names_are_refused(name: str) -> None:
    with pytest.raises(KeyProviderError, match="invalid key name"):
        NoteSigner.generate(name)
