"""The kiosk's offline desk over a real file: leased numbers, local QR checks, the outbox."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from counter_server.core.tokens import key_id_of, make_claim, sign_appointment_token
from counter_server.keys import public_key_text
from kiosk import flow as f
from kiosk.offline import OfflineDesk, OfflineStorageError

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
KEY = Ed25519PrivateKey.generate()


def lease_answer(per_service: int = 2, **extra: Any) -> dict[str, Any]:
    numbers = [
        {"id": f"{service}-{i}", "service_id": service, "number": f"{prefix}{i:03d}",
         "public_id": f"pub-{service}-{i}"}
        for service, prefix in (("ausweis", "A"), ("pass", "P"))
        for i in range(1, per_service + 1)
    ]
    return {
        "office_id": "musterstadt", "office_day": "2026-12-01", "timezone": "Europe/Berlin",
        "walk_in_until": "2026-12-01T17:30:00+01:00",
        "arrival_window": {"early_min": 15, "late_min": 15},
        "status_url_base": "http://server/t/", "numbers": numbers, **extra,
    }


def desk_with_lease(tmp_path: Path, **extra: Any) -> OfflineDesk:
    desk = OfflineDesk(tmp_path / "state" / "offline.json")
    desk.take_lease(lease_answer(**extra))
    public = KEY.public_key()
    desk.take_keys({"office_id": "musterstadt",
                    "keys": [{"kid": key_id_of(public), "public_key": public_key_text(public)}]})
    return desk


def token(start: datetime, service_id: str = "pass", office_id: str = "musterstadt") -> str:
    claim = make_claim(appointment_id="a" * 32, office_id=office_id, service_id=service_id,
                       start=start, timezone="Europe/Berlin", key_id=key_id_of(KEY.public_key()))
    return sign_appointment_token(claim=claim, private_key=KEY)


def walk_in(service_id: str = "ausweis") -> f.CheckinRequest:
    return f.CheckinRequest(service_id=service_id, lang="tr")


def test_leased_numbers_are_issued_once_each_and_survive_a_restart(tmp_path: Path) -> None:
    desk = desk_with_lease(tmp_path)
    first = desk.issue(key="k1", request=walk_in(), now=NOW)
    assert isinstance(first, f.Ticket)
    assert (first.number, first.offline, first.status_url) == ("A001", True, "http://server/t/pub-ausweis-1")
    assert desk.issue(key="k1", request=walk_in(), now=NOW) == first  # a double tap
    again = OfflineDesk(desk.path)  # the kiosk restarted
    second = again.issue(key="k2", request=walk_in(), now=NOW)
    assert isinstance(second, f.Ticket) and second.number == "A002"
    assert again.numbers_left("ausweis", NOW) == 0
    assert again.issue(key="k3", request=walk_in(), now=NOW) == f.CheckinFailed("server_unreachable")
    assert [e.number for e in again.outbox] == ["A001", "A002"]
    assert again.outbox[0].redeem_body() == {
        "issued_at": NOW.isoformat(), "lang": "tr", "priority": "normal", "checkin_key": "k1"
    }
    # the hand-in never reuses the check-in's key: that check-in may have reached the server
    assert again.outbox[0].redemption_key not in ("k1", "k2")


def test_a_new_lease_never_gives_back_a_number_issued_here(tmp_path: Path) -> None:
    desk = desk_with_lease(tmp_path)
    desk.issue(key="k1", request=walk_in(), now=NOW)
    # the server has not heard of A001 yet and still lists it as unused
    desk.take_lease(lease_answer(per_service=3))
    ticket = desk.issue(key="k2", request=walk_in(), now=NOW)
    assert isinstance(ticket, f.Ticket) and ticket.number == "A002"
    desk.redeemed("k1")
    desk.take_lease(lease_answer(per_service=3))
    assert desk.numbers_left("ausweis", NOW) == 1


def test_no_offline_walk_ins_after_closing_or_on_another_day(tmp_path: Path) -> None:
    desk = desk_with_lease(tmp_path)
    evening = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 18:00 in Berlin
    tomorrow = NOW + timedelta(days=1)
    for moment in (evening, tomorrow):
        assert desk.issue(key="k", request=walk_in(), now=moment).code == "server_unreachable"  # type: ignore[union-attr]
    services = (f.Service(id="ausweis", names={"de": "Ausweis"}), f.Service(id="x", names={}))
    assert [s.available for s in desk.offline_services(services, NOW)] == [True, False]
    assert [s.available for s in desk.offline_services(services, evening)] == [False, False]


def test_a_genuine_due_qr_code_gets_an_appointment_ticket_once(tmp_path: Path) -> None:
    desk = desk_with_lease(tmp_path)
    scanned = f.CheckinRequest(appointment_token=token(NOW + timedelta(minutes=10)), lang="de")
    ticket = desk.issue(key="k1", request=scanned, now=NOW)
    assert isinstance(ticket, f.Ticket)
    assert (ticket.kind, ticket.number, ticket.service_id) == ("appointment", "P001", "pass")
    assert desk.outbox[0].redeem_body()["appointment_token"] == scanned.appointment_token
    twice = desk.issue(key="k2", request=scanned, now=NOW)
    assert twice == f.CheckinFailed(
        code="appointment_already_checked_in", details={"ticket": {"number": "P001"}}
    )


def test_qr_codes_that_are_not_due_or_not_genuine_are_refused_here(tmp_path: Path) -> None:
    desk = desk_with_lease(tmp_path)

    def code_for(text: str) -> str:
        result = desk.issue(key=text[:12], request=f.CheckinRequest(appointment_token=text), now=NOW)
        assert isinstance(result, f.CheckinFailed)
        return result.code

    assert code_for(token(NOW + timedelta(hours=1))) == "appointment_too_early"
    assert code_for(token(NOW - timedelta(hours=1))) == "appointment_too_late"
    assert code_for(token(NOW, office_id="elsewhere")) == "token_wrong_office"
    assert code_for(token(NOW + timedelta(days=1))) == "token_wrong_day"
    forged = token(NOW)
    assert code_for(forged[:-4] + ("AAAA" if not forged.endswith("AAAA") else "BBBB")) == "token_invalid"
    assert code_for("not a token at all, just text") == "token_invalid"
    early = desk.issue(key="e", request=f.CheckinRequest(appointment_token=token(NOW + timedelta(hours=1))), now=NOW)
    assert isinstance(early, f.CheckinFailed)
    assert early.details["checkin_from"] == (NOW + timedelta(minutes=45)).isoformat()
    # a typed booking code needs the server's list: nothing to check it against here
    typed = desk.issue(key="c", request=f.CheckinRequest(appointment_code="ABCD2345"), now=NOW)
    assert typed == f.CheckinFailed(code="server_unreachable")
    assert desk.outbox == ()


def test_a_full_disk_issues_nothing_and_changes_nothing(tmp_path: Path) -> None:
    desk = desk_with_lease(tmp_path)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the kiosk's folder should be")
    desk.path = blocker / "offline.json"
    with pytest.raises(OfflineStorageError):
        desk.issue(key="k1", request=walk_in(), now=NOW)
    assert desk.outbox == () and desk.numbers_left("ausweis", NOW) == 2


def test_refused_tickets_are_kept_for_the_admin_and_a_broken_file_is_set_aside(
    tmp_path: Path,
) -> None:
    desk = desk_with_lease(tmp_path)
    desk.issue(key="k1", request=walk_in(), now=NOW)
    desk.redeemed("k1", refusal={"code": "lease_expired"})
    saved = json.loads(desk.path.read_text())
    assert saved["outbox"] == [] and saved["rejected"][0]["refusal"] == {"code": "lease_expired"}
    desk.path.write_text("{ half a file")
    fresh = OfflineDesk(desk.path)
    assert fresh.lease is None and desk.path.with_suffix(".unreadable").exists()


def test_the_errand_list_is_kept_for_a_restart_during_an_outage(tmp_path: Path) -> None:
    desk = desk_with_lease(tmp_path)
    loaded = f.ServicesLoaded(
        office=f.Office(name="Bürgeramt", walk_in_until="2026-12-01T17:30:00+01:00"),
        services=(f.Service(id="ausweis", names={"de": "Ausweis", "ar": "بطاقة"}, prefix="A"),),
    )
    desk.take_services(loaded)
    written = desk.path.stat().st_mtime_ns
    busier = replace(loaded.services[0], waiting=12, eta_min=40)
    desk.take_services(replace(loaded, services=(busier,)))
    assert desk.path.stat().st_mtime_ns == written, "waiting counts alone are not written"
    cached = OfflineDesk(desk.path).cached_services()
    assert cached == f.ServicesLoaded(
        office=f.Office(name="Bürgeramt"), services=loaded.services, online=False
    )


def test_offline_the_errand_list_says_nothing_about_the_queue(tmp_path: Path) -> None:
    from kiosk.views import screen_view

    desk = desk_with_lease(tmp_path)
    services = (f.Service(id="ausweis", names={"de": "Ausweis"}, waiting=52, eta_min=90),)
    offline = desk.offline_services(services, NOW)
    assert offline[0].waiting is None and offline[0].available
    state = f.KioskState(screen="services", services=offline)
    (choice,) = screen_view(state, settings=f.Settings(), symbols={}).choices
    assert choice.detail == "", "no 'Niemand wartet' while 52 may be waiting"


def test_numbers_beyond_the_share_are_struck_off_before_they_are_given_back(tmp_path: Path) -> None:
    desk = desk_with_lease(tmp_path)
    desk.take_lease({**lease_answer(), "per_service": {"ausweis": 1, "pass": 2}})
    released = desk.to_release(NOW)
    assert released == ("ausweis-2",) and desk.numbers_left("ausweis", NOW) == 1
    assert OfflineDesk(desk.path).released == {"ausweis-2"}, "struck off on disk first"
    # the server confirmed: the number is no longer listed
    desk.take_lease(lease_answer(per_service=1))
    assert desk.released == frozenset()


def test_the_server_clock_is_kept_and_old_refusals_of_lost_check_ins_are_handed_in_again(
    tmp_path: Path,
) -> None:
    desk = desk_with_lease(tmp_path)
    desk.take_clock(timedelta(days=300))
    desk.issue(key="k1", request=walk_in(), now=NOW)
    desk.redeemed("k1", refusal={"code": "idempotency_key_reused"})
    restarted = OfflineDesk(desk.path)
    assert restarted.clock_offset == timedelta(days=300)
    assert [e.number for e in restarted.outbox] == ["A001"] and restarted.rejected == ()
