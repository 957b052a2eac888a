"""The seam between the booking site and e-mail: what happened, inside the same unit of work.

The booking site calls these functions inside the transaction that made the change;
each renders its message there and then (in the booking's language, German by
default) and adds it to the outbox (`mail.outbox`), so the message commits or rolls
back with the booking itself. Without `[mail]`, or without an e-mail address, they
record nothing and the site shows everything on the page instead.
"""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from ..config import MailSettings, OfficeConfig
from ..core.appointments import Appointment
from ..site.render import Page, language
from ..uow import Work
from . import outbox
from .messages import Attachments, body, booking_lines, finish, mail_text, new_message


def mail_configured(config: OfficeConfig) -> bool:
    """True when `[mail]` is set: the pages then say "we sent you an e-mail"."""
    return config.mail is not None


def _booker(db: sqlite_utils.Database, appointment_id: str) -> tuple[str | None, str | None, str]:
    """(name, e-mail, language) of a booking."""
    contact = db.execute(
        "SELECT name, email FROM appointment_contacts WHERE appointment_id = ?", [appointment_id]).fetchone()
    lang = db.execute(
        "SELECT lang FROM booking_secrets WHERE appointment_id = ?", [appointment_id]).fetchone()
    name, email = (contact[0], contact[1]) if contact else (None, None)
    return name, email, (lang[0] if lang and lang[0] else "de")


def _files(work: Work, page: Page, appointment: Appointment, manage_url: str | None) -> Attachments:
    from ..bookings.commands import token_for
    from ..bookings.confirmation import qr_png
    from ..site.calendar_file import ics_of

    return Attachments(
        ics=ics_of(page, appointment, manage_url=manage_url or ""),
        qr_png=qr_png(token_for(work.config, work.keyring, appointment)),
    )


def _booking_mail(work: Work, appointment_id: str, kind: str, *, manage_url: str | None,
                  files: bool) -> str | None:
    """Render and enqueue one mail about a booking; its outbox row id, or None when none goes."""
    from ..bookings.rows import get_appointment

    settings = work.config.mail
    name, email, lang = _booker(work.db, appointment_id)
    if settings is None or not email:
        return None
    appointment = get_appointment(work.db, appointment_id)
    page = Page(work.config, language(work.config, lang), "/book")
    subject = mail_text(page, f"{kind}_subject", service=page.service_name(appointment.service_id),
                        when=page.when(appointment.start))
    link = (mail_text(page, "manage_link"), manage_url) if manage_url else None
    if kind == "reminder":
        link = None
    message = new_message(page, settings, to=email, subject=subject, now=work.now)
    text = body(page, name=name, intro=mail_text(page, f"{kind}_intro"),
                lines=booking_lines(page, appointment), link=link, qr=files)
    finish(message, page, text, _files(work, page, appointment, manage_url) if files else None)
    return outbox.enqueue(work, kind=kind, message=message, recipient=email, appointment_id=appointment_id)


def booking_confirmed(work: Work, appointment_id: str, manage_url: str) -> None:
    """A booking was made: its confirmation with the .ics and the QR code."""
    _booking_mail(work, appointment_id, "confirmed", manage_url=manage_url, files=True)


def booking_moved(work: Work, appointment_id: str, manage_url: str) -> None:
    """A booking moved to a new time: the new confirmation; a reminder comes again for the new time."""
    work.db.execute("DELETE FROM mail_reminders WHERE appointment_id = ?", [appointment_id])
    _booking_mail(work, appointment_id, "moved", manage_url=manage_url, files=True)


def booking_cancelled(work: Work, appointment_id: str) -> None:
    """A booking was cancelled: the booker is told so."""
    _booking_mail(work, appointment_id, "cancelled", manage_url=None, files=False)


def booking_reminder(work: Work, appointment_id: str) -> str | None:
    """`[mail] reminder_hours` before the time (the housekeeping job calls it once per booking)."""
    return _booking_mail(work, appointment_id, "reminder", manage_url=None, files=True)


def waitlist_offer(
    work: Work,
    email: str,
    lang: str,
    service_id: str,
    start: datetime,
    offer_url: str,
    expires_at: datetime,
) -> None:
    """An earlier time is held for someone on the waiting list until `expires_at`: its link."""
    settings: MailSettings | None = work.config.mail
    if settings is None or not email:
        return
    page = Page(work.config, language(work.config, lang), "/book")
    service = page.service_name(service_id)
    message = new_message(page, settings, to=email, now=work.now,
                          subject=mail_text(page, "offer_subject", service=service, when=page.when(start)))
    lines = [f"{page.t('errand')}: {service}", f"{page.t('when')}: {page.when(start)}"]
    text = body(page, name=None, intro=mail_text(page, "offer_intro", until=page.time(expires_at)), lines=lines,
                link=(mail_text(page, "offer_link"), offer_url), qr=False)
    finish(message, page, text, None)
    outbox.enqueue(work, kind="offer", message=message, recipient=email, appointment_id=None)
