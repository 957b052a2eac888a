"""The visitor's confirmation: the QR code as PNG and a printable page around it.

The page is self-contained (the QR is inlined as a data: URL, no fonts or scripts
fetched), so it prints the same on a LAN without internet. It names the errand,
the time and the booking code; never the visitor.
"""

from __future__ import annotations

import base64
import html
import io
from zoneinfo import ZoneInfo

from ..config import OfficeConfig
from ..core.appointments import Appointment, ArrivalWindow
from ..core.booking_code import display_code

WORDS: dict[str, dict[str, str]] = {
    "de": {
        "title": "Terminbestätigung",
        "service": "Anliegen",
        "when": "Termin",
        "code": "Buchungscode",
        "howto": "Bitte scannen Sie diesen Code am Terminal im Eingang, frühestens {early} Minuten"
        " vor Ihrem Termin. Sie können auch den Buchungscode eintippen.",
        "late": "Wenn Sie mehr als {late} Minuten zu spät kommen, verfällt der Termin.",
        "print": "Drucken",
    },
    "en": {
        "title": "Appointment confirmation",
        "service": "Service",
        "when": "Appointment",
        "code": "Booking code",
        "howto": "Please scan this code at the terminal at the entrance, at the earliest {early}"
        " minutes before your appointment. You can also type in the booking code.",
        "late": "If you arrive more than {late} minutes late, the appointment lapses.",
        "print": "Print",
    },
    "tr": {
        "title": "Randevu onayı",
        "service": "İşlem",
        "when": "Randevu",
        "code": "Rezervasyon kodu",
        "howto": "Lütfen bu kodu girişteki terminalde, randevunuzdan en erken {early} dakika önce"
        " okutun. Rezervasyon kodunu da yazabilirsiniz.",
        "late": "{late} dakikadan fazla geç kalırsanız randevunuz geçersiz olur.",
        "print": "Yazdır",
    },
    "ar": {
        "title": "تأكيد الموعد",
        "service": "المعاملة",
        "when": "الموعد",
        "code": "رمز الحجز",
        "howto": "يرجى مسح هذا الرمز في الجهاز عند المدخل، قبل موعدك بـ {early} دقيقة على الأكثر."
        " يمكنك أيضاً إدخال رمز الحجز.",
        "late": "إذا تأخرت أكثر من {late} دقيقة، يُلغى الموعد.",
        "print": "طباعة",
    },
    "uk": {
        "title": "Підтвердження запису",
        "service": "Послуга",
        "when": "Час запису",
        "code": "Код бронювання",
        "howto": "Будь ласка, відскануйте цей код на терміналі біля входу, не раніше ніж за {early}"
        " хвилин до призначеного часу. Можна також ввести код бронювання.",
        "late": "Якщо ви запізнитеся більш ніж на {late} хвилин, запис анулюється.",
        "print": "Друкувати",
    },
    "ru": {
        "title": "Подтверждение записи",
        "service": "Услуга",
        "when": "Время записи",
        "code": "Код бронирования",
        "howto": "Пожалуйста, отсканируйте этот код на терминале у входа, не ранее чем за {early}"
        " минут до назначенного времени. Можно также ввести код бронирования.",
        "late": "Если вы опоздаете более чем на {late} минут, запись аннулируется.",
        "print": "Печать",
    },
}

STYLE = """
body { margin: 0; font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; color: #1b2631; }
main { max-width: 640px; margin: 0 auto; padding: 32px 24px; }
.office { font-size: 18px; color: #5d6d7e; }
h1 { font-size: 30px; margin: 4px 0 24px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 10px 24px; font-size: 22px; margin: 0; }
dt { color: #5d6d7e; }
dd { margin: 0; font-weight: 700; }
.code { font-family: "DejaVu Sans Mono", monospace; letter-spacing: 0.08em; }
.qr { text-align: center; margin: 28px 0 12px; }
.qr img { width: 280px; height: 280px; image-rendering: pixelated; }
p { font-size: 18px; line-height: 1.5; }
button { font-size: 18px; padding: 10px 24px; margin-top: 12px; }
@media print { button { display: none; } main { padding: 0; } }
"""


def qr_png(token: str, *, box_size: int = 8) -> bytes:
    """The token as a QR code PNG, with a quiet zone a phone camera or scanner needs."""
    # here: qrcode with Pillow is about 4 MB the server need not keep while nobody books
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(token)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(out, format="PNG")
    return out.getvalue()


def confirmation_html(
    *,
    config: OfficeConfig,
    appointment: Appointment,
    token: str,
    window: ArrivalWindow,
    lang: str,
) -> str:
    """A printable confirmation page in `lang` (German when unknown)."""
    lang = lang if lang in WORDS else "de"
    words = WORDS[lang]
    office = config.office
    service = office.service(appointment.service_id)
    start = appointment.start.astimezone(ZoneInfo(office.timezone))
    qr = base64.b64encode(qr_png(token)).decode("ascii")
    esc = html.escape
    service_name = esc(service.name(lang) if service else appointment.service_id)
    # Dates and codes read left to right in every language, also inside an Arabic page.
    when = f'<bdi dir="ltr">{esc(start.strftime("%d.%m.%Y · %H:%M"))}</bdi>'
    code = f'<bdi dir="ltr">{esc(display_code(appointment.code))}</bdi>'
    details = (
        f"<dt>{esc(words['service'])}</dt><dd>{service_name}</dd>"
        f"<dt>{esc(words['when'])}</dt><dd>{when}</dd>"
        f"<dt>{esc(words['code'])}</dt><dd class=code>{code}</dd>"
    )
    return f"""<!doctype html>
<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">
<head><meta charset="utf-8"><title>{esc(words["title"])} – {esc(office.name)}</title>
<style>{STYLE}</style></head>
<body><main>
<div class="office">{esc(office.name)}</div>
<h1>{esc(words["title"])}</h1>
<dl>{details}</dl>
<div class="qr"><img alt="QR" src="data:image/png;base64,{qr}"></div>
<p>{esc(words["howto"].format(early=window.early_min))}</p>
<p>{esc(words["late"].format(late=window.late_min))}</p>
<button type="button" onclick="window.print()">{esc(words["print"])}</button>
</main></body></html>
"""
