"""The few words printed on a ticket, in every language the kiosk offers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TicketTexts:
    """Labels of one language; `{n}` and `{m}` are filled in by the layout."""

    people_ahead: str
    wait: str
    scan: str
    footer: str
    rtl: bool = False


TEXTS: dict[str, TicketTexts] = {
    "de": TicketTexts(
        people_ahead="Vor Ihnen: {n}",
        wait="Wartezeit ca. {m}\u00a0Min.",
        scan="Ihr Stand auf dem Handy:",
        footer="Bitte achten Sie auf den Aufruf am Bildschirm.",
    ),
    "en": TicketTexts(
        people_ahead="People ahead of you: {n}",
        wait="Estimated wait: {m}\u00a0min",
        scan="Follow your turn on your phone:",
        footer="Please watch the screen for your number.",
    ),
    "tr": TicketTexts(
        people_ahead="Önünüzdeki kişi: {n}",
        wait="Tahmini bekleme: {m}\u00a0dk",
        scan="Sıranızı telefonda takip edin:",
        footer="Lütfen ekrandaki çağrıyı takip edin.",
    ),
    "ar": TicketTexts(
        people_ahead="عدد المنتظرين قبلك: {n}",
        wait="مدة الانتظار المتوقعة: {m}\u00a0دقيقة",
        scan="تابع دورك على هاتفك:",
        footer="يرجى متابعة الشاشة حتى يظهر رقمك.",
        rtl=True,
    ),
    "uk": TicketTexts(
        people_ahead="Перед вами: {n}",
        wait="Очікування: бл. {m}\u00a0хв",
        scan="Ваша черга на телефоні:",
        footer="Будь ласка, стежте за екраном.",
    ),
    "ru": TicketTexts(
        people_ahead="Перед вами: {n}",
        wait="Ожидание: ок. {m}\u00a0мин",
        scan="Ваша очередь на телефоне:",
        footer="Пожалуйста, следите за экраном.",
    ),
}


def texts_for(lang: str) -> TicketTexts:
    """The labels for `lang`, German when the language is not offered."""
    return TEXTS.get(lang, TEXTS["de"])
