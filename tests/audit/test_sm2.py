"""SM2 signatures (GB/T 32918.2, SM3, default ID) on signed notes and checkpoints."""

from __future__ import annotations

import base64
import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from typer.testing import CliRunner

from piguard.audit import Checkpoint, open_checkpoint, sign_checkpoint
from piguard.cli.app import app
from piguard.errors import IntegrityError, KeyProviderError
from piguard.keys import NoteSigner, NoteVerifier, _sm2
from piguard.keys._signing import SM2_TYPE

ORIGIN = "audit.sm2.example/log"
DIST_ID = "1234567812345678"
runner = CliRunner()

# GM/T 0003.5-2012 Annex A (= GB/T 32918.5-2017 Annex A): SM2 signature on the recommended curve
# with the default ID 1234567812345678; the same vector is in OpenSSL's
# test/sm2_internal_test.c and Go and Pascal SM2 implementations' tests.
KAT_D = bytes.fromhex("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
KAT_PUB = bytes.fromhex(
    "04"
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
KAT_K = int("59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21", 16)
KAT_SIG = bytes.fromhex(
    "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
    "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
)
# SubjectPublicKeyInfo header for an uncompressed point on the SM2 curve
# (id-ecPublicKey, 1.2.156.10197.1.301), as OpenSSL writes it.
SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_known_answer_gmt_0003_5_annex_a() -> None:
    assert _sm2.public_from_private(KAT_D) == KAT_PUB
    assert _sm2.sign(KAT_D, KAT_PUB, b"message digest", k=KAT_K) == KAT_SIG
    assert _sm2.verify(KAT_PUB, b"message digest", KAT_SIG)
    assert not _sm2.verify(KAT_PUB, b"message digesT", KAT_SIG)
    bad = bytearray(KAT_SIG)
    bad[40] ^= 1
    assert not _sm2.verify(KAT_PUB, b"message digest", bytes(bad))


def test_out_of_range_signatures_and_bad_keys_are_refused() -> None:
    n = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)
    r, s = KAT_SIG[:32], KAT_SIG[32:]
    # GB/T 32918.2 B1/B2: r, s in [1, n-1]; r + n would otherwise verify modulo n in gmssl.
    assert not _sm2.verify(KAT_PUB, b"message digest", bytes(32) + s)
    assert not _sm2.verify(KAT_PUB, b"message digest", r + n.to_bytes(32, "big"))
    assert not _sm2.verify(KAT_PUB, b"message digest", KAT_SIG[:63])
    off_curve = KAT_PUB[:-1] + bytes([KAT_PUB[-1] ^ 1])
    with pytest.raises(KeyProviderError, match="not on the curve"):
        NoteVerifier("x", off_curve, algorithm="sm2")
    with pytest.raises(KeyProviderError, match="range"):
        NoteSigner("x", bytes(32), algorithm="sm2")


def test_public_key_whose_x_starts_with_04_is_encoded_explicitly() -> None:
    # 11*G has X = 04b3cb...: gmssl's constructor strips "04" with str.lstrip and would
    # also eat the leading 0/4 digits of X; piguard sets X || Y itself.
    d = (11).to_bytes(32, "big")
    pub = _sm2.public_from_private(d)
    assert pub[:2] == b"\x04\x04"
    from gmssl import sm2

    assert sm2.CryptSM2(private_key="", public_key=pub.hex()).public_key != pub[1:].hex()
    signer = NoteSigner("k11", d, algorithm="sm2")
    sig = signer.sign(b"note\n")
    assert signer.verifier().verify(b"note\n", sig)
    if shutil.which("openssl") is not None:
        assert _openssl_verifies(pub, b"note\n", sig)


def _pem(label: str, der: bytes) -> str:
    b64 = base64.encodebytes(der).decode().replace("\n", "")
    body = "\n".join(b64[i : i + 64] for i in range(0, len(b64), 64))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"


def _openssl(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", *args], capture_output=True, check=False, timeout=30)


def _openssl_verifies(pub: bytes, message: bytes, sig: bytes) -> bool:
    with tempfile.TemporaryDirectory() as work:
        w = Path(work)
        (w / "pub.pem").write_text(_pem("PUBLIC KEY", SPKI_PREFIX + pub))
        (w / "msg").write_bytes(message)
        r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
        (w / "sig.der").write_bytes(encode_dss_signature(r, s))
        proc = _openssl(
            "pkeyutl", "-verify", "-pubin", "-inkey", str(w / "pub.pem"), "-rawin",
            "-digest", "sm3", "-pkeyopt", f"distid:{DIST_ID}",
            "-in", str(w / "msg"), "-sigfile", str(w / "sig.der"),
        )  # fmt: skip
        return proc.returncode == 0 and b"Verified Successfully" in proc.stdout


@pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command is not installed")
def test_interoperates_with_openssl_command_line(tmp_path: Path) -> None:
    message = Checkpoint(ORIGIN, 7, bytes(range(32))).text().encode()
    # piguard signs, OpenSSL verifies (and rejects a changed message).
    signer = NoteSigner.generate(ORIGIN, "sm2")
    sig = signer.sign(message)
    assert _openssl_verifies(signer.public_key, message, sig)
    assert not _openssl_verifies(signer.public_key, message + b"x", sig)

    # OpenSSL makes the key and signs, piguard verifies.
    key = tmp_path / "k.pem"
    assert _openssl("genpkey", "-algorithm", "SM2", "-out", str(key)).returncode == 0
    der = _openssl("pkey", "-in", str(key), "-pubout", "-outform", "DER").stdout
    assert der.startswith(SPKI_PREFIX)
    pub = der[len(SPKI_PREFIX) :]
    (tmp_path / "msg").write_bytes(message)
    proc = _openssl(
        "pkeyutl", "-sign", "-inkey", str(key), "-rawin", "-digest", "sm3",
        "-pkeyopt", f"distid:{DIST_ID}", "-in", str(tmp_path / "msg"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    r, s = decode_dss_signature(proc.stdout)
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    verifier = NoteVerifier(ORIGIN, pub, algorithm="sm2")
    assert verifier.verify(message, raw)
    assert not verifier.verify(message + b"x", raw)

    # The OpenSSL private key (its scalar d) loads as a piguard signer with the same public key.
    text = _openssl("pkey", "-in", str(key), "-text", "-noout").stdout.decode()
    priv_hex = "".join(text.split("priv:")[1].split("pub:")[0].replace(":", "").split())
    d = int(priv_hex, 16).to_bytes(32, "big")
    assert NoteSigner(ORIGIN, d, algorithm="sm2").public_key == pub


def test_key_formats_round_trip_and_use_the_extension_type() -> None:
    signer = NoteSigner.generate(ORIGIN, "sm2")
    verifier = NoteVerifier.from_vkey(signer.verifier().vkey)
    assert verifier.algorithm == "sm2"
    assert verifier.key_id == signer.key_id
    raw = base64.b64decode(signer.verifier().vkey.split("+", 2)[2])
    assert raw[:1] == b"\xff"
    assert raw.startswith(SM2_TYPE)
    assert len(raw) == len(SM2_TYPE) + 65
    again = NoteSigner.from_secret(signer.export_secret())
    assert again.algorithm == "sm2"
    assert again.public_key == signer.public_key
    # Ed25519 stays the default.
    assert NoteSigner.generate(ORIGIN).algorithm == "ed25519"
    # An SM2 key and an Ed25519 key never verify each other's notes.
    cp = Checkpoint(ORIGIN, 3, bytes(32))
    note = sign_checkpoint(cp, signer)
    assert open_checkpoint(note, verifier) == cp
    with pytest.raises(IntegrityError, match="no valid signature"):
        open_checkpoint(note, NoteSigner.generate(ORIGIN).verifier())


def test_cli_sm2_checkpoint_verifies_offline_and_a_flipped_byte_fails(tmp_path: Path) -> None:
    key, vkey, db = tmp_path / "sm2.key", tmp_path / "sm2.vkey", tmp_path / "audit.db"
    code, out, err = run("audit", "keygen", ORIGIN, "-o", str(key), "--algorithm", "sm2")
    assert code == 0, err
    vkey.write_text(out)
    assert key.stat().st_mode & 0o777 == 0o600
    assert run("audit", "init", "--log", str(db), "--origin", ORIGIN)[0] == 0
    events = tmp_path / "e.jsonl"
    events.write_text(
        '{"time": "2026-11-26T16:00:00+08:00", "actor": "svc", "action": "deidentify.run", '
        '"purpose": "物流配送", "categories": ["basic.phone"]}\n',
        encoding="utf-8",
    )
    assert run("audit", "append", "--log", str(db), str(events))[0] == 0
    cp = tmp_path / "cp.txt"
    code, _, err = run("audit", "checkpoint", "--log", str(db), "--key", str(key), "-o", str(cp))
    assert code == 0, err
    code, out, err = run("audit", "verify", "--checkpoint", str(cp), "--key", str(vkey))
    assert code == 0, err
    assert out.startswith("ok")
    code, out, _ = run("audit", "verify", "--log", str(db), "--key", str(vkey))
    assert code == 0
    assert out.startswith("ok: 1 events verify")

    text, sig_line = cp.read_text().split("\n\n")
    prefix, b64 = sig_line.rsplit(" ", 1)
    raw = bytearray(base64.b64decode(b64))
    raw[20] ^= 0x01  # inside r
    bad = tmp_path / "bad.txt"
    bad.write_text(text + "\n\n" + prefix + " " + base64.b64encode(bytes(raw)).decode() + "\n")
    code, out, err = run("audit", "verify", "--checkpoint", str(bad), "--key", str(vkey))
    assert code == 2
    assert err.startswith("piguard: error:")
    assert "does not verify" in err
    assert len(err.strip().splitlines()) == 1

    # The Ed25519 key of the same name does not accept it either.
    other = tmp_path / "ed.key"
    code, ed_vkey, _ = run("audit", "keygen", ORIGIN, "-o", str(other))
    code, _, err = run("audit", "verify", "--checkpoint", str(cp), "--key", ed_vkey.strip())
    assert code == 2


def test_unknown_algorithm_and_missing_extra_are_one_line_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run("audit", "keygen", ORIGIN, "-o", str(tmp_path / "a"), "--algorithm", "rsa")
    assert code == 2
    assert "unknown signature algorithm 'rsa'" in err
    assert not (tmp_path / "a").exists()
    monkeypatch.setitem(sys.modules, "gmssl", None)  # as if the extra were not installed
    code, _, err = run("audit", "keygen", ORIGIN, "-o", str(tmp_path / "b"), "--algorithm", "sm2")
    assert code == 2
    assert err.strip() == (
        "piguard: error: SM2 signatures need the optional 'sm2' extra: pip install 'piguard[sm2]'"
    )
    assert not (tmp_path / "b").exists()


def test_sm2_keys_never_in_repr_logs_or_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = tmp_path / "sm2.key"
    code, vkey, err = run("audit", "keygen", ORIGIN, "-o", str(key), "--algorithm", "sm2")
    assert code == 0
    secret_text = key.read_text().strip()
    signer = NoteSigner.from_secret(secret_text)
    secret_b64 = secret_text.split("+", 4)[4]
    assert signer.export_secret() == secret_text
    scalar = base64.b64decode(secret_b64)[len(SM2_TYPE) :]
    broken = secret_text[:-4] + "!!!!"
    with pytest.raises(KeyProviderError) as info:
        NoteSigner.from_secret(broken, source="sm2.key")
    texts = [repr(signer), str(signer), vkey, err, caplog.text, str(info.value)]
    for text in texts:
        assert secret_b64 not in text
        assert scalar.hex() not in text.lower()
        assert "PRIVATE" not in text
    assert "sm2" in repr(signer)
