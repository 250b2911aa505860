"""Deadlines (30 calendar days; 15 working days with holidays and 调休), the request life
cycle, overdue listing and description validation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from piguard.errors import ConfigError, InputError
from piguard.rights import (
    COMPLAINT_ROUTE,
    HolidayCalendar,
    RequestStore,
    add_working_days,
    due_date,
    load_calendar,
    parse_description,
)

D = dt.date
# National Day 2026 style: 10-01..10-07 off, Sunday 09-27 and Saturday 10-10 worked (调休)
GOLDEN_WEEK = HolidayCalendar(
    holidays=frozenset(D(2026, 10, d) for d in range(1, 8)),
    workdays=frozenset({D(2026, 9, 27), D(2026, 10, 10)}),
)


@pytest.mark.parametrize(
    ("received", "calendar", "expected"),
    [
        (D(2026, 11, 2), HolidayCalendar(), D(2026, 11, 23)),  # Mon + 3 weeks
        (D(2026, 11, 6), HolidayCalendar(), D(2026, 11, 27)),  # Friday
        (D(2026, 11, 7), HolidayCalendar(), D(2026, 11, 27)),  # Saturday: Mon is day 1
        (D(2026, 9, 25), GOLDEN_WEEK, D(2026, 10, 21)),  # 9-27 make-up day counts, 10-1..7 off
    ],
)
def test_cancellation_counts_working_days(
    received: D, calendar: HolidayCalendar, expected: D
) -> None:
    assert due_date("cancellation", received, calendar) == expected


def test_other_requests_have_30_calendar_days_regardless_of_holidays() -> None:
    assert due_date("access", D(2026, 9, 25), GOLDEN_WEEK) == D(2026, 10, 25)
    assert due_date("deletion", D(2026, 12, 15)) == D(2027, 1, 14)


@given(st.dates(D(2020, 1, 1), D(2030, 12, 31)), st.integers(1, 40))
def test_working_day_count_property(start: D, n: int) -> None:
    end = add_working_days(start, n, GOLDEN_WEEK)
    days = [start + dt.timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(GOLDEN_WEEK.is_working_day(d) for d in days) == n
    assert GOLDEN_WEEK.is_working_day(end)


def test_calendar_file(tmp_path: Path) -> None:
    f = tmp_path / "cal.yaml"
    f.write_text("holidays: [2026-10-01, 2026-10-02]\nworkdays: [2026-10-10]\n")
    cal = load_calendar(f)
    assert not cal.is_working_day(D(2026, 10, 1))
    assert cal.is_working_day(D(2026, 10, 10))
    f.write_text("holidays: [2026-13-01]\n")
    with pytest.raises(ConfigError, match="is not a date"):
        load_calendar(f)


def test_life_cycle_and_overdue(tmp_path: Path) -> None:
    store = RequestStore(tmp_path / "r.db")
    a = store.create("access", {"phone": "13800000001"}, received=D(2026, 10, 1))
    c = store.create("cancellation", {"user_id": "7"}, received=D(2026, 11, 2))
    done = store.create("deletion", {"user_id": "8"}, received=D(2026, 9, 1))
    store.transition(done.id, "identity_verified")
    store.transition(done.id, "in_progress")
    store.transition(done.id, "completed")
    assert [r.id for r in store.requests(overdue_on=D(2026, 10, 31))] == []
    assert [r.id for r in store.requests(overdue_on=D(2026, 11, 1))] == [a.id]
    assert [r.id for r in store.requests(overdue_on=D(2026, 11, 24))] == [a.id, c.id]
    with pytest.raises(InputError, match="cannot become completed"):
        store.transition(a.id, "completed")
    with pytest.raises(InputError, match="needs a reason"):
        store.transition(a.id, "refused")
    refused = store.transition(a.id, "refused", reason="manifestly abusive repeated request")
    assert refused.complaint_route == COMPLAINT_ROUTE
    assert refused.to_dict()["identity"] == {"phone": "***"}
    store.close()
    # persisted: a new store on the same file sees the same requests
    again = RequestStore(tmp_path / "r.db")
    assert again.get(c.id).due == D(2026, 11, 23)
    assert (tmp_path / "r.db").stat().st_mode & 0o077 == 0


def test_create_rejects_bad_input() -> None:
    store = RequestStore(":memory:")
    with pytest.raises(InputError, match="unknown request type"):
        store.create("erase", {"phone": "1"}, received=D(2026, 1, 1))
    with pytest.raises(InputError, match="unknown identity kind"):
        store.create("access", {"passport": "E1"}, received=D(2026, 1, 1))
    with pytest.raises(InputError, match="no request"):
        store.get("req-missing")


GOOD = """\
datastores:
  - name: shop
    url: env:SHOP_URL
    tables:
      users:
        key: id
        identity: {user_id: id, phone: mobile}
        pi: {mobile: basic.phone}
        erasure: {mask: {mobile: CN_MOBILE, name: {operator: replace, options: {tag: x}}}}
      orders:
        key: id
        references: {user_id: users.id}
        erasure: {hold: {reason: e-commerce law art. 31, until: 2029-01-01}}
"""


def test_description_parses() -> None:
    d = parse_description(GOOD, source="d.yaml")
    users = d.datastores["shop"].tables["users"]
    assert users.identity == {"user_id": "id", "phone": "mobile"}
    assert users.erasure.action == "mask"
    assert set(users.erasure.mask) == {"mobile", "name"}
    orders = d.datastores["shop"].tables["orders"]
    assert orders.references[0].parent == "users"
    assert orders.erasure.held(D(2028, 1, 1))
    assert not orders.erasure.held(D(2029, 1, 2))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("url: env:SHOP_URL", "url: postgresql://u:pw@h/db", "d.yaml:3: put credentials"),
        ("phone: mobile}", "passport: mobile}", "d.yaml:7: unknown identity kind 'passport'"),
        ("basic.phone", "basic.nope", "d.yaml:8: unknown taxonomy category 'basic.nope'"),
        ("operator: replace", "operator: hash", "d.yaml:9: mask of name: operator 'hash' needs"),
        ("users.id", "people.id", "d.yaml:11: table orders references people"),
        ("until: 2029-01-01", "until: soon", "d.yaml:13: until 'soon' is not a date"),
        ("reason: e-commerce law art. 31, ", "", "d.yaml:13: a legal hold needs a 'reason'"),
        ("        key: id\n        refer", "        refer", "d.yaml:11: table orders: 'key'"),
    ],
)
def test_description_errors_name_the_line(old: str, new: str, message: str) -> None:
    assert old in GOOD
    with pytest.raises(ConfigError) as err:
        parse_description(GOOD.replace(old, new, 1), source="d.yaml")
    assert str(err.value).startswith(message), str(err.value)


def test_credentials_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    d = parse_description(GOOD, source="d.yaml")
    monkeypatch.delenv("SHOP_URL", raising=False)
    with pytest.raises(ConfigError, match="SHOP_URL is not set"):
        d.datastores["shop"].resolve_url()


def test_describe_from_schema_and_inventory(tmp_path: Path) -> None:
    import sqlite3

    from piguard.rights import describe_datastore
    from piguard.sources import discover

    db = tmp_path / "s.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, mobile TEXT, nick TEXT);"
            "CREATE TABLE logs (a TEXT, b TEXT);"
        )
        conn.executemany(
            "INSERT INTO users VALUES (?, ?, ?)",
            [(i, f"138{i:08d}", f"n{i}") for i in range(1, 60)],
        )
    url = f"sqlite:///{db}"
    inv = discover([url]).to_dict()
    text, skipped = describe_datastore(url, name="app", url_env="APP_URL", inventory=inv)
    assert skipped == ["logs"]
    desc = parse_description(text, source="generated.yaml")
    users = desc.datastores["app"].tables["users"]
    assert users.key == "id"
    assert users.identity == {"phone": "mobile"}
    assert users.pi["mobile"] == "basic.phone.mobile"
    assert users.erasure.action == "hold"  # nothing is deleted until someone decides
