"""Deletion and cancellation revoke the person's tokens in the token vault: tokens found in
erased cells and the tokens of the identity values, but never a token still in use (a legal
hold, another person's row). Datastores on SQLite, PostgreSQL and MariaDB; vaults on all three."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from piguard.audit import MemorySink, Pseudonymizer
from piguard.deidentify import TokenVault
from piguard.errors import StorageError
from piguard.keys import EnvKeyProvider
from piguard.rights import Executor, RequestStore, parse_description

TODAY = dt.date(2026, 11, 26)
ALICE_PHONE = "13800000001"
KEYS = EnvKeyProvider(environ={"PIGUARD_KEY_AUDIT": "22" * 32, "PIGUARD_KEY_DEIDENTIFY": "33" * 32})
VAULT_YAML = """\
vaults:
  - name: tokens
    url: env:PIGUARD_TEST_VAULT_URL
    key: deidentify
"""
Shop = Any


class Tokens:
    """A vault the shop's cells were tokenised with; ``t`` maps a label to its token."""

    def __init__(self, url: str) -> None:
        self.vault = TokenVault(
            url, key=KEYS.get_key("deidentify"), key_id="deidentify", reader_roles=("r",)
        )
        self.t: dict[str, str] = {}

    def alive(self, label: str) -> bool:
        try:
            self.vault.detokenize(self.t[label], role="r")
        except StorageError:
            return False
        return True


def _tokenise(shop: Shop, vault_url: str) -> Tokens:
    """Alice's e-mail, order addresses, card and a message become tokens; Bob's order 12
    has the same address as Alice's order 10 (so the same token); Bob's card too."""
    tok = Tokens(vault_url)
    values = {
        "email": "alice@example.cn",
        "addr10": "北京市朝阳区建国路88号",
        "addr11": "北京市海淀区中关村大街1号",
        "card200": "6222020200112233445",
        "card201": "6222020200998877665",
        "msg300": "我在门口",
        "phone": ALICE_PHONE,  # the identity value: tokenised elsewhere, in no cell here
    }
    tokens = tok.vault.tokenize_batch(list(values.values()))
    tok.t = dict(zip(values, tokens, strict=True))
    t = shop.t
    md = shop.meta.tables
    with shop.engine.begin() as conn:
        conn.execute(
            md[t("users")].update().where(md[t("users")].c.id == 1).values(email=tok.t["email"])
        )
        for oid, label in ((10, "addr10"), (11, "addr11"), (12, "addr10")):
            orders = md[t("orders")]
            conn.execute(orders.update().where(orders.c.id == oid).values(address=tok.t[label]))
        payments = md[t("payments")]
        for pid, label in ((200, "card200"), (201, "card201")):
            conn.execute(payments.update().where(payments.c.id == pid).values(card=tok.t[label]))
        messages = md[t("messages")]
        conn.execute(messages.update().where(messages.c.id == 300).values(body=tok.t["msg300"]))
    return tok


def _executor(text: str, tmp_path: Path, sink: MemorySink | None = None) -> Executor:
    return Executor(
        parse_description(text, source="shop.yaml"),
        RequestStore(tmp_path / "requests.db"),
        work_dir=tmp_path / "work",
        audit=sink,
        pseudonymizer=Pseudonymizer(KEYS, "audit"),
        keys=KEYS,
        page_size=1,
        today=lambda: TODAY,
    )


def _request(ex: Executor, kind: str, **identity: str) -> str:
    req = ex.store.create(kind, identity, received=TODAY)
    ex.verify(req.id)
    return req.id


@pytest.fixture
def shop_env(shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Shop:
    monkeypatch.setenv("PIGUARD_TEST_SHOP_URL", shop.url)
    monkeypatch.setenv("PIGUARD_TEST_VAULT_URL", str(tmp_path / "vault.sqlite"))
    return shop


def test_deletion_revokes_erased_and_identity_tokens_not_shared_ones(
    shop_env: Shop, tmp_path: Path, describe: Any
) -> None:
    tok = _tokenise(shop_env, str(tmp_path / "vault.sqlite"))
    sink = MemorySink()
    ex = _executor(describe(shop_env) + VAULT_YAML, tmp_path, sink)
    req = ex.run(_request(ex, "deletion", phone=ALICE_PHONE))
    assert req.state == "completed", req.reason
    steps = {s.step: s for s in ex.store.steps(req.id)}
    assert list(steps) == ["erase:main", "vault:tokens", "consents"]
    # e-mail, order 11's address, card 200, message 300 and the phone's own token; order
    # 10's address token is still in Bob's order 12, so it stays
    assert steps["vault:tokens"].detail == {"revoked": 5, "kept": 1}
    for label in ("email", "addr11", "card200", "msg300", "phone"):
        assert not tok.alive(label), label
    assert tok.alive("addr10")
    assert tok.alive("card201")
    assert ex.store.erased_tokens(req.id) == set()  # forgotten once the request completed
    (event,) = [e for e in sink.events if e.action == "rights.step.vault"]
    assert event.details["revoked"] == 5
    assert event.details["kept"] == 1
    text = json.dumps([e.to_dict() for e in sink.events], ensure_ascii=False)
    assert ALICE_PHONE not in text
    assert "tok_" not in text
    tok.vault.close()


def test_legal_hold_keeps_the_tokens_of_held_rows(
    shop_env: Shop, tmp_path: Path, describe: Any
) -> None:
    tok = _tokenise(shop_env, str(tmp_path / "vault.sqlite"))
    text = describe(
        shop_env,
        orders="{hold: {reason: order records kept by law}}",
        users="{mask: {phone: CN_MOBILE, email: {operator: redact}}}",
    )
    ex = _executor(text + VAULT_YAML, tmp_path)
    req = ex.run(_request(ex, "cancellation", user_id="1"))
    assert req.state == "completed", req.reason
    steps = {s.step: s for s in ex.store.steps(req.id)}
    assert list(steps) == ["erase:main", "vault:tokens", "consents"]
    # the masked e-mail, card 200 and message 300; the request named no phone
    assert steps["vault:tokens"].detail == {"revoked": 3, "kept": 0}
    assert tok.alive("addr10")
    assert tok.alive("addr11")
    assert tok.alive("phone")
    assert not tok.alive("email")
    assert not tok.alive("card200")
    tok.vault.close()


def test_missing_vault_key_stops_before_anything_is_erased(
    shop_env: Shop, tmp_path: Path, describe: Any
) -> None:
    before = shop_env.snapshot()
    text = describe(shop_env) + VAULT_YAML.replace("key: deidentify", "key: nokey")
    ex = _executor(text, tmp_path)
    req = ex.run(_request(ex, "deletion", user_id="1"))
    assert req.state == "failed"
    assert "key 'nokey'" in (req.reason or "")
    assert shop_env.snapshot() == before


@pytest.mark.parametrize("shop", ["sqlite"], indirect=True)
@pytest.mark.parametrize("url", ["postgresql://u:s3cretpw@h:x/db", "foo://u:s3cretpw@h/db"])
def test_unusable_vault_url_fails_the_request_before_erasing(
    url: str, shop_env: Shop, tmp_path: Path, describe: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad port or an unknown scheme: the request fails with a one-line reason that shows
    no password, and nothing is erased."""
    monkeypatch.setenv("PIGUARD_TEST_VAULT_URL", url)
    before = shop_env.snapshot()
    ex = _executor(describe(shop_env) + VAULT_YAML, tmp_path)
    req = ex.run(_request(ex, "deletion", user_id="1"))
    assert req.state == "failed"
    assert "token vault" in (req.reason or "")
    assert "s3cretpw" not in json.dumps([s.to_dict() for s in ex.store.steps(req.id)])
    assert "s3cretpw" not in (req.reason or "")
    assert shop_env.snapshot() == before


def test_vault_failure_after_erasure_resumes_from_remembered_tokens(
    shop_env: Shop, tmp_path: Path, describe: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tok = _tokenise(shop_env, str(tmp_path / "vault.sqlite"))
    ex = _executor(describe(shop_env) + VAULT_YAML, tmp_path)
    rid = _request(ex, "deletion", phone=ALICE_PHONE)
    real = TokenVault.revoke

    def broken(self: TokenVault, **kw: Any) -> int:
        raise StorageError("token vault: database is locked")

    monkeypatch.setattr(TokenVault, "revoke", broken)
    req = ex.run(rid)
    assert req.state == "failed"
    assert "vault:tokens" in (req.reason or "")
    assert ex.store.step_state(rid, "erase:main") == "done"
    assert len(ex.store.erased_tokens(rid)) == 5  # email, both addresses, card, message
    assert tok.alive("email")
    monkeypatch.setattr(TokenVault, "revoke", real)
    req = ex.run(rid)  # resume: the rows are gone, the remembered tokens are revoked
    assert req.state == "completed", req.reason
    steps = {s.step: s for s in ex.store.steps(rid)}
    assert steps["erase:main"].attempts == 1
    assert steps["vault:tokens"].detail == {"revoked": 5, "kept": 1}
    assert not tok.alive("email")
    assert tok.alive("addr10")
    tok.vault.close()


@pytest.mark.parametrize("server", ["pg_url", "mysql_url"])
def test_vault_on_a_database_server(
    server: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    describe: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SQLite datastore, the vault on PostgreSQL / MariaDB (its shared piguard_tokens table:
    this test's key gives its entries lookups no one else's key produces)."""
    vault_url = request.getfixturevalue(server)
    shop = request.getfixturevalue("sqlite_shop")
    monkeypatch.setenv("PIGUARD_TEST_SHOP_URL", shop.url)
    monkeypatch.setenv("PIGUARD_TEST_VAULT_URL", vault_url)
    tok = _tokenise(shop, vault_url)
    try:
        ex = _executor(describe(shop) + VAULT_YAML, tmp_path)
        req = ex.run(_request(ex, "deletion", phone=ALICE_PHONE))
        assert req.state == "completed", req.reason
        (vault_step,) = [s for s in ex.store.steps(req.id) if s.step == "vault:tokens"]
        assert vault_step.detail == {"revoked": 5, "kept": 1}
        assert not tok.alive("email")
        assert tok.alive("addr10")
        assert tok.alive("card201")
    finally:
        tok.vault.revoke(tokens=list(tok.t.values()))  # leave the shared table as found
        tok.vault.close()


def test_revoke_on_server_vaults_is_atomic_and_counts(
    request: pytest.FixtureRequest,
) -> None:
    for server in ("pg_url", "mysql_url"):
        url = request.getfixturevalue(server)
        vault = TokenVault(url, key=bytes(range(32)), key_id="t", reader_roles=("r",))
        a, b = vault.tokenize_batch(["13800000001", "a@example.cn"])
        assert vault.lookup_tokens(["13800000001", "x"]) == {"13800000001": a}
        assert vault.revoke(values=["13800000001"], tokens=[b, a, "tok_unknown"]) == 2
        assert vault.lookup_tokens(["13800000001", "a@example.cn"]) == {}
        with pytest.raises(StorageError):
            vault.detokenize(a, role="r")
        vault.close()


def test_vault_description_errors() -> None:
    base = "datastores:\n  - name: s\n    url: sqlite://\n    tables: {}\n"
    with pytest.raises(Exception, match=r"d.yaml:6: a vault needs 'url'"):
        parse_description(base + "vaults:\n  - name: v\n", source="d.yaml")
    with pytest.raises(Exception, match=r"length must be a whole number"):
        parse_description(base + "vaults:\n  - {name: v, url: env:V, length: 3}\n", source="d.yaml")
    with pytest.raises(Exception, match=r"credentials in the environment"):
        parse_description(
            base + "vaults:\n  - {name: v, url: 'postgresql://u:p@h/db'}\n", source="d.yaml"
        )
    with pytest.raises(Exception, match=r"d.yaml:3: put credentials in the environment"):
        parse_description(base.replace("sqlite://", "'mysql://u:p@h/db'"), source="d.yaml")
    d = parse_description(base + "vaults:\n  - {name: v, url: env:V}\n", source="d.yaml")
    assert d.vaults["v"].key == "deidentify"
    assert d.vaults["v"].prefix == "tok_"
