"""The e-mails themselves, rendered when the booking changes, in the booker's language.

Plain text (every mail program shows it, screen readers read it), with the
booking's `.ics` (the booking site's own, `site.calendar_file`) and the QR code
for the kiosk as PNG attachments where the booking stands. The texts are the
catalogue's `mail.*` keys; dates and names come from the booking site's `Page`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from i18n import Catalog

from ..config import MailSettings
from ..core.appointments import Appointment
from ..core.booking_code import display_code
from ..site.render import Page


@dataclass(frozen=True)
class Attachments:
    ics: bytes | None = None
    qr_png: bytes | None = None


def _domain(settings: MailSettings) -> str:
    return parseaddr(settings.sender)[1].rpartition("@")[2] or "localhost"


def envelope_sender(settings: MailSettings) -> str:
    return parseaddr(settings.sender)[1]


def new_message(page: Page, settings: MailSettings, *, to: str, subject: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    # a stable id: a message sent twice after a crash is recognisable as the same one
    message["Message-ID"] = make_msgid("booking", domain=_domain(settings))
    message["Auto-Submitted"] = "auto-generated"
    return message


def booking_lines(page: Page, appointment: Appointment) -> list[str]:
    """Errand, time, booking code and what to bring: the facts every booking mail repeats."""
    lines = [
        f"{page.t('errand')}: {page.service_name(appointment.service_id)}",
        f"{page.t('when')}: {page.when(appointment.start)}",
        f"{page.t('code')}: {display_code(appointment.code)}",
    ]
    bring = page.config.booking.service(appointment.service_id).bring_in(page.lang)
    if bring:
        lines.append(f"{page.t('bring')}: {bring}")
    return lines


def mail_text(page: Page, key: str, **params: object) -> str:
    return Catalog(page.lang, "mail").text(key, **params)


def body(page: Page, *, name: str | None, intro: str, lines: list[str], link: tuple[str, str] | None,
         qr: bool) -> str:
    parts = [mail_text(page, "greeting", name=name) if name else mail_text(page, "greeting_plain"), "",
             intro, "", *lines]
    if link is not None:
        parts += ["", link[0], link[1]]
    if qr:
        parts += ["", mail_text(page, "qr_note")]
    parts += ["", "-- ", page.config.office.name, mail_text(page, "footer")]
    return "\n".join(parts) + "\n"


def finish(message: EmailMessage, page: Page, text: str, files: Attachments | None) -> None:
    """The body, then the attachments, then the language (set_content drops Content-* headers)."""
    message.set_content(text)
    if files is not None:
        attach(message, files)
    message["Content-Language"] = page.lang


def attach(message: EmailMessage, files: Attachments) -> None:
    if files.ics is not None:
        message.add_attachment(files.ics, maintype="text", subtype="calendar", filename="termin.ics",
                               params={"method": "PUBLISH"})
    if files.qr_png is not None:
        message.add_attachment(files.qr_png, maintype="image", subtype="png", filename="qr-code.png")
