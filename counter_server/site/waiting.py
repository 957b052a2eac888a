"""The waiting list on the site: sign up for an earlier time, see and take a held time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..bookings import self_service, waitlist
from ..bookings.parse import service_of
from ..core.errors import DomainError
from ..mail.notify import mail_configured
from ..uow import Work
from .common import client_of, ctx_of, failure, guard, page_for
from .forms import BadForm, contact_from, email_from, read_form
from .guard import RateLimited
from .month_cache import cached_proposals, month_cache_of
from .render import render
from .routes import SEE_OTHER

router = APIRouter(include_in_schema=False)


@router.post("/book/{service_id}/waitlist")
async def join(request: Request, service_id: str) -> Response:
    page = page_for(request)
    ctx = ctx_of(request)
    try:
        form = await read_form(request)
        page = page_for(request, form.get("lang"))
        service = service_of(ctx.config, service_id)
        email = email_from(form, required=True)
        guard(request).admit(client_of(request), proof=guard(request).proven(form.get("altcha")),
                             settings=ctx.config.booking)
        now = ctx.clock.now()
        free = await ctx.read(cached_proposals(month_cache_of(request.app.state), ctx,
                                               service=service, now=now))
        before = free.earliest[0].start if free.earliest else now + timedelta(weeks=ctx.config.booking.weeks)
        secret = await ctx.write(lambda work: waitlist.join(
            work, service_id=service.id, email=email, lang=page.lang, before=before))
    except (DomainError, BadForm, RateLimited) as error:
        return failure(page, error)
    return RedirectResponse(page.url(f"/book/wait/{secret}"), status_code=SEE_OTHER)


def _entry_view(db: sqlite_utils.Database, secret: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    entry = waitlist.entry_by_secret(db, secret)
    return entry, waitlist.open_offer_of(db, entry["id"])


def _offer_view(db: sqlite_utils.Database, secret: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    offer = waitlist.offer_by_secret(db, secret)
    entry = list(db.query("SELECT * FROM waitlist WHERE id = ?", [offer["waitlist_id"]]))
    return (entry[0] if entry else {"status": "ended", "email": ""}), offer


Finder = Callable[[sqlite_utils.Database, str], tuple[dict[str, Any], dict[str, Any] | None]]
FINDERS: dict[str, Finder] = {"wait": _entry_view, "offer": _offer_view}


@router.get("/book/{kind}/{secret}")
async def status(request: Request, kind: str, secret: str) -> HTMLResponse:
    """A waiting-list entry's page (`wait`) or an offer's (`offer`, the link an e-mail carries)."""
    page = page_for(request)
    ctx = ctx_of(request)
    if kind not in FINDERS:
        return render(page, "error.html", status=404, message=page.t("error_not_found"))
    try:
        entry, offer = await ctx.read(lambda db: FINDERS[kind](db, secret))
    except DomainError as error:
        return failure(page, error)
    if "lang" not in request.query_params:  # the link from the e-mail: the entry's own language
        page = page_for(request, str(entry.get("lang") or "de"))
    now = ctx.clock.now()
    held = offer if offer and offer["status"] == "open" and datetime.fromisoformat(offer["expires_at"]) > now else None
    return render(page, "wait.html", entry=entry, offer=held, base=f"/book/{kind}/{secret}",
                  start=datetime.fromisoformat(held["start"]) if held else None,
                  until=datetime.fromisoformat(held["expires_at"]) if held else None,
                  mail=mail_configured(ctx.config), minutes=ctx.config.booking.waitlist_hold_min,
                  challenge=guard(request).challenge(ctx.config.booking))


@router.post("/book/{kind}/{secret}/{action}")
async def answer(request: Request, kind: str, secret: str, action: str) -> Response:
    """Take the held time (`accept`), give it to the next (`decline`), or leave the list (`leave`)."""
    page = page_for(request)
    ctx = ctx_of(request)
    if kind not in FINDERS or action not in ("accept", "decline", "leave"):
        return render(page, "error.html", status=404, message=page.t("error_not_found"))
    try:
        form = await read_form(request)
        page = page_for(request, form.get("lang"))
        entry, offer = await ctx.read(lambda db: FINDERS[kind](db, secret))
        proof = guard(request).proven(form.get("altcha"))
        if action == "accept":
            contact = contact_from({**form, "email": form.get("email") or entry["email"]})
            guard(request).admit(client_of(request), proof=proof, settings=ctx.config.booking)
        if offer is None and action != "leave":
            raise waitlist.OfferExpired("nothing is held")

        def act(work: Work) -> str | None:
            if action == "accept" and offer is not None:
                return self_service.accept_offer(work, offer=offer, contact=contact, lang=page.lang,
                                                 proof=proof)[1]
            if action == "decline" and offer is not None:
                waitlist.check_open(work, offer)
                waitlist.close_offer(work, offer, taken=False)
            if action == "leave":
                waitlist.leave(work, entry)
            return None

        secret_of_booking = await ctx.write(act)
    except (DomainError, BadForm, RateLimited) as error:
        return failure(page, error)
    target = self_service.manage_path(secret_of_booking) if secret_of_booking else f"/book/{kind}/{secret}"
    return RedirectResponse(page.url(target, new=1 if secret_of_booking else None), status_code=SEE_OTHER)
