"""Console i18n (issue 17): the console's own pages are German, but every text visitors read
(errand names, what to bring, the kiosk's and display's notice) has a field per language,
labelled with the language's own name and marked with its `lang` (Arabic right to left)."""

from __future__ import annotations

import re

from counter_server.config import LANGUAGES
from i18n import Catalog
from tests.conftest import LiveServer
from tests.console.helpers import login


def _field(html: str, name: str) -> str:
    match = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', html)
    assert match, f"no field {name}"
    return match.group(0)


def _label(html: str, field_id: str) -> str:
    match = re.search(rf'<label for="{field_id}">([^<]*)</label>', html)
    assert match, f"no label for {field_id}"
    return match.group(1)


def test_visitor_texts_have_a_field_per_language(live_server: LiveServer) -> None:
    admin = login(live_server, next_path="/admin")
    errand = admin.get("/admin/services/0").text
    overview = admin.get("/admin").text
    for lang in LANGUAGES:
        own_name = Catalog(lang).text("language_name")
        for html, name, field_id in ((errand, f"name_{lang}", f"f-name-{lang}"),
                                     (errand, f"bring_{lang}", f"f-bring-{lang}"),
                                     (overview, f"kiosk_notice_{lang}", f"t-kiosk_notice-{lang}"),
                                     (overview, f"display_notice_{lang}", f"t-display_notice-{lang}")):
            tag = _field(html, name)
            assert f'lang="{lang}"' in tag, tag
            assert ('dir="rtl"' in tag) == (lang == "ar"), tag
            assert own_name in _label(html, field_id)
    assert 'value="بطاقة الهوية"' in _field(errand, "name_ar")
    assert "Alter Ausweis" in errand  # what to bring, as office.toml has it
