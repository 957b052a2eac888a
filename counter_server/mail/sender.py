"""The sender task: hands the outbox's due messages to the office's SMTP server, one at a time.

Runs in the server's event loop. A message is marked `sending` (new attempt id) in
one transaction, handed over with aiosmtplib (STARTTLS and login when `[mail]` says
so), and marked `sent` in the next transaction only after the server accepted it;
a failed try waits exponentially longer. At start, tries a crash cut off are
pending again (see `outbox.recover`): delivery is at-least-once, duplicates carry
the same Message-ID.
"""

from __future__ import annotations

import asyncio
import logging
import ssl

import aiosmtplib

from ..config import MailSettings
from ..context import Context
from . import outbox
from .messages import envelope_sender

log = logging.getLogger(__name__)
POLL_S = 1.0
SMTP_TIMEOUT_S = 30.0


async def deliver(settings: MailSettings, claimed: outbox.Claimed) -> None:
    """One message to the mail server; returns only once the server accepted it."""
    await aiosmtplib.send(
        claimed.message, sender=envelope_sender(settings), recipients=[claimed.recipient],
        hostname=settings.host, port=settings.port, start_tls=settings.starttls,
        username=settings.username or None, password=settings.password or None, timeout=SMTP_TIMEOUT_S,
        cert_bundle=settings.ca_file or None,
    )


def reason(error: Exception) -> str:
    """Why a try failed, in words that say what to check (never the password)."""
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        return f"login refused by the mail server, check [mail] username and password: {error}"
    if isinstance(error, ssl.SSLCertVerificationError) or isinstance(error.__cause__, ssl.SSLCertVerificationError):
        return f"the mail server's certificate is not trusted, see [mail] ca_file: {error}"
    if isinstance(error, aiosmtplib.SMTPNotSupported) and "auth" in str(error).lower():
        return f"the mail server offers no login, check [mail] username and starttls: {error}"
    return str(error) or type(error).__name__


def _permanent(error: Exception) -> bool:
    """A 5xx refusal of the recipient will not change by trying again."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(500 <= r.code < 600 for r in error.recipients)
    return isinstance(error, aiosmtplib.SMTPResponseException) and 550 <= error.code < 560


async def send_one(ctx: Context, settings: MailSettings) -> bool:
    """Send the oldest due message, if any; True when there was one."""
    now = ctx.clock.now()
    row_id = await ctx.read(lambda db: outbox.due(db, now))
    if row_id is None:
        return False
    claimed = await ctx.write(lambda work: outbox.claim(work, row_id))
    if claimed is None:
        return True
    try:
        await deliver(settings, claimed)
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
        permanent, why = _permanent(error), reason(error)
        log.warning("mail %s not sent (%s): %s", claimed.id, "refused" if permanent else "will retry", why)
        await ctx.write(lambda work: outbox.mark_failed(work, claimed, why, permanent=permanent))
        return False
    await ctx.write(lambda work: outbox.mark_sent(work, claimed))
    return True


async def run(ctx: Context) -> None:
    """Forever: recover cut-off tries, then send what is due, polling every second."""
    recovered = await ctx.write(outbox.recover)
    if recovered:
        log.warning("%s mail(s) cut off by a restart will be sent again (same Message-ID)", recovered)
    while True:
        settings = ctx.config.mail
        try:
            sent = settings is not None and await send_one(ctx, settings)
        except Exception:
            log.exception("mail sender failed; retrying in %ss", POLL_S)
            sent = False
        if not sent:
            await asyncio.sleep(POLL_S)
