"""The privacy accountant: spent budget adds up, is refused beyond the total, and is shared
by separate processes through the SQLite ledger."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from piguard.dp import DatasetRef, Ledger, PrivacyAccountant, dataset_ref
from piguard.errors import ConfigError, PrivacyBudgetExceeded

DATA = DatasetRef("0" * 64, "survey")


def test_spends_add_up_and_stop_at_the_total(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "l.sqlite")
    acct = PrivacyAccountant(ledger, DATA, total_epsilon=1.0)
    for _ in range(10):
        with acct.spend(0.1, "count"):
            pass
    assert acct.spent == pytest.approx(1.0)
    assert acct.remaining == pytest.approx(0.0)
    with pytest.raises(PrivacyBudgetExceeded), acct.spend(0.01, "one more"):
        pass
    assert len(ledger.history(DATA)) == 10


def test_failed_release_refunds(tmp_path: Path) -> None:
    acct = PrivacyAccountant(Ledger(tmp_path / "l.sqlite"), DATA, total_epsilon=1.0)
    with pytest.raises(RuntimeError), acct.spend(0.5, "crash"):
        raise RuntimeError("release failed before anything was shown")
    assert acct.spent == 0.0


def test_budget_is_fixed_once_set(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "l.sqlite")
    PrivacyAccountant(ledger, DATA, total_epsilon=1.0)
    assert PrivacyAccountant(ledger, DATA).total == 1.0
    with pytest.raises(ConfigError, match="cannot be changed"):
        PrivacyAccountant(ledger, DATA, total_epsilon=5.0)
    with pytest.raises(ConfigError, match="no privacy budget"):
        PrivacyAccountant(ledger, DatasetRef("1" * 64, "other"))


def test_dataset_identity_is_content_and_label(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text("x\n1\n")
    b.write_text("x\n1\n")
    assert dataset_ref(a, "s") == dataset_ref(b, "s")
    assert dataset_ref(a) != dataset_ref(b)  # label defaults to the file name
    b.write_text("x\n2\n")
    assert dataset_ref(a, "s") != dataset_ref(b, "s")


def test_separate_processes_cannot_overspend(tmp_path: Path) -> None:
    ledger_path = tmp_path / "l.sqlite"
    PrivacyAccountant(Ledger(ledger_path), DATA, total_epsilon=1.0)
    script = textwrap.dedent(
        f"""
        from piguard.dp import DatasetRef, Ledger, PrivacyAccountant
        from piguard.errors import PrivacyBudgetExceeded
        acct = PrivacyAccountant(Ledger({str(ledger_path)!r}), DatasetRef("0" * 64, "survey"))
        try:
            with acct.spend(0.3, "race"):
                print("spent")
        except PrivacyBudgetExceeded:
            print("refused")
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    outcomes = sorted(p.communicate(timeout=60)[0].strip() for p in procs)
    assert outcomes == ["refused"] * 3 + ["spent"] * 3
    assert PrivacyAccountant(Ledger(ledger_path), DATA).spent == pytest.approx(0.9)
