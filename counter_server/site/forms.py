"""A posted form (application/x-www-form-urlencoded) read and checked, without extra packages."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from fastapi import Request

MAX_FIELDS = 12
MAX_NAME = 100
MAX_EMAIL = 200
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
# control characters have no place in a name or address
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BadForm(ValueError):
    """The form could not be read, or a field does not fit; `key` names the page's explanation."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


async def read_form(request: Request) -> dict[str, str]:
    """The fields of a posted form, each once; BadForm when it is not one."""
    try:
        text = (await request.body()).decode("utf-8")
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=False,
                          max_num_fields=MAX_FIELDS, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise BadForm("error_form") from None
    if any(len(values) != 1 for values in fields.values()):
        raise BadForm("error_form")
    return {key: values[0] for key, values in fields.items()}


def _clean(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadForm("error_form") from None
    return " ".join(text.split())


def contact_from(form: dict[str, str], *, email_required: bool = False) -> dict[str, str]:
    """Name (required) and e-mail (optional unless asked for) from a booking form."""
    name = _clean(form.get("name", ""))
    if not name or len(name) > MAX_NAME or CONTROL.search(name):
        raise BadForm("error_name")
    contact = {"name": name}
    email = email_from(form, required=email_required)
    if email:
        contact["email"] = email
    return contact


def email_from(form: dict[str, str], *, required: bool) -> str:
    email = _clean(form.get("email", ""))
    if not email and not required:
        return ""
    if len(email) > MAX_EMAIL or not EMAIL.match(email):
        raise BadForm("error_email")
    return email
