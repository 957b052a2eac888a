"""The office's outbox stays bounded: sent rows are pruned, unsent ones are kept whatever their age."""

from __future__ import annotations

import sqlite_utils

from counter_server.city import outbox


def _outbox(sent: range, unsent: list[int]) -> sqlite_utils.Database:
    db = sqlite_utils.Database(memory=True)
    outbox.m015_city_outbox(db)
    db.conn.executemany("INSERT INTO city_outbox (seq, sent_at) VALUES (?, ?)",
                        [(seq, None if seq in unsent else "2026-12-01T09:00:00+00:00") for seq in sent])
    return db


def _rows(db: sqlite_utils.Database) -> list[tuple[int, bool]]:
    return [(seq, at is not None) for seq, at in db.execute("SELECT seq, sent_at FROM city_outbox ORDER BY seq")]


def test_prune_keeps_the_newest_sent_rows_and_every_unsent_one() -> None:
    # 3 and 7 were never acknowledged (an outage in between): they stay, however old
    db = _outbox(range(1, 21), unsent=[3, 7])
    assert outbox.prune(db, keep=5) == 13
    assert _rows(db) == [(3, False), (7, False)] + [(seq, True) for seq in range(16, 21)]
    assert outbox.backlog(db) == 2


def test_prune_with_fewer_sent_rows_than_kept_deletes_nothing() -> None:
    db = _outbox(range(1, 6), unsent=[])
    assert outbox.prune(db, keep=10) == 0
    assert len(_rows(db)) == 5


def test_prune_to_zero_leaves_only_the_unsent() -> None:
    db = _outbox(range(1, 10), unsent=[9])
    assert outbox.prune(db, keep=0) == 8
    assert _rows(db) == [(9, False)]


def test_the_outbox_stays_bounded_over_many_batches() -> None:
    db = _outbox(range(0), unsent=[])
    for batch in range(50):
        seqs = list(range(batch * 100 + 1, batch * 100 + 101))
        db.conn.executemany("INSERT INTO city_outbox (seq) VALUES (?)", [(s,) for s in seqs])
        outbox.mark_sent(db, seqs, "2026-12-01T09:00:00+00:00")
        outbox.prune(db, keep=300)
        assert len(_rows(db)) <= 300
    assert _rows(db)[-1] == (5000, True)
