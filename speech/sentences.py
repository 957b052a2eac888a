"""What a call says, in each language, from the catalogue.

Only the ticket number and the counter are spoken, never a name. The counter is
named in the listener's language ("2 numaralı gişeye", "الشباك رقم 2") when its
label is a word and a number; a label that is a name is spoken as written.
"""

from __future__ import annotations

from i18n import Catalog, designation


def call_sentence(*, number: str, counter_label: str, lang: str) -> str:
    catalog = Catalog(lang, "speech")
    # Spelled out ("A 0 4 2"): read as a whole, "A042" becomes a word or "forty-two".
    spelled = " ".join(number)
    counter_id = designation(counter_label, lang)
    if counter_id is None:
        return catalog.text("call", number=spelled, counter=counter_label)
    return catalog.text("call_numbered", number=spelled, counter_id=counter_id)
