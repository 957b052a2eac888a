"""The supervisor's alerts by e-mail (office.toml `[alerts] mail_to`), through the mail outbox.

Run by the server's housekeeping (every 30 s and at start). `alert_mails` holds the alerts
crossed and already mailed: a new one is mailed once, to every address, and stays in the
table while it holds; once it clears it is forgotten, so crossing the threshold again mails
again. Refreshing the supervisor view mails nothing.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from ..config import MailSettings
from ..context import Context
from ..mail import outbox
from ..mail.messages import envelope_sender
from ..uow import Work
from .supervisor import supervisor_state

KIND = "alert"


def _message(settings: MailSettings, work: Work, to: str, office: str, alerts: list[dict[str, str]]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    first = alerts[0]["text"]
    message["Subject"] = f"Warnung {office}: {first}" + (f" (und {len(alerts) - 1} weitere)" if len(alerts) > 1 else "")
    message["Date"] = format_datetime(work.now)
    message["Message-ID"] = make_msgid("alert", domain=envelope_sender(settings).rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    lines = [f"Die Aufsicht von {office} meldet:", "", *(f"- {a['text']}" for a in alerts), "",
             "Die Aufsicht im Browser: /supervisor", "Diese E-Mail kommt einmal je Warnung; "
             "sie kommt wieder, wenn die Grenze erneut überschritten wird."]
    message.set_content("\n".join(lines))
    return message


def mail_new_alerts(work: Work, *, seen: dict[str, tuple[str, str]], online: set[str]) -> int:
    """Mail the alerts crossed since the last run; forget those that cleared. Returns how many were new."""
    settings, recipients = work.config.mail, work.config.alerts.mail_to
    if settings is None or not recipients:
        return 0
    alerts = supervisor_state(work.db, work.config, work.now, seen=seen, online=online)["alerts"]
    current = {a["key"]: a for a in alerts}
    known = {row[0] for row in work.db.execute("SELECT key FROM alert_mails").fetchall()}
    for key in known - current.keys():
        work.db.execute("DELETE FROM alert_mails WHERE key = ?", [key])
    new = [a for key, a in current.items() if key not in known]
    for alert in new:
        work.db.table("alert_mails").insert({"key": alert["key"], "kind": alert["kind"],
                                             "mailed_at": work.now.isoformat()})
    if new:
        for to in recipients:
            message = _message(settings, work, to, work.office.name, new)
            outbox.enqueue(work, kind=KIND, message=message, recipient=to, appointment_id=None)
    return len(new)


def housekeeping(ctx: Context) -> None:
    if ctx.config.mail is None or not ctx.config.alerts.mail_to:
        return
    seen, online = dict(ctx.seen), ctx.hub.online()
    ctx.write_sync(lambda work: mail_new_alerts(work, seen=seen, online=online))
