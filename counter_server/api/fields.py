"""The request bodies' field types: every text has a length limit and is valid Unicode.

Bodies forbid fields they do not know (a typo is an error, not a silent default),
and numbers are strict (`false` is not 0).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints

from ..config import LANGUAGES
from ..text import check_value, plain


def _plain(text: str) -> str:
    return plain(text, "the text")


def Text(max_length: int) -> object:  # noqa: N802 - reads as a type in field declarations
    """A text of at most `max_length` characters that SQLite can store."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_plain)]


Id = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_plain)]
Token = Annotated[str, StringConstraints(min_length=1, max_length=2000), AfterValidator(_plain)]
# a booking code may be empty: it then names no appointment (404), as any unknown code does
Code = Annotated[str, StringConstraints(max_length=40), AfterValidator(_plain)]
Word = Annotated[str, StringConstraints(max_length=20), AfterValidator(_plain)]
Note = Annotated[str, StringConstraints(max_length=200), AfterValidator(_plain)]
def _checked(value: Any) -> Any:
    check_value(value, "the value")
    return value


# any JSON value whose texts are all valid Unicode (its shape is checked further in)
AnyJson = Annotated[Any, AfterValidator(_checked)]
Lang = Literal[LANGUAGES]  # type: ignore[valid-type]


def number_not_flag(value: Any) -> Any:
    if isinstance(value, bool | str):
        raise ValueError("must be a number")
    return value


# a whole number; `false` or "5" are not numbers (JSON's 18.0 is)
Count = Annotated[int, BeforeValidator(number_not_flag)]


def one_of(*values: str) -> dict[str, Any]:
    """`json_schema_extra` naming a text's allowed values: the route still parses it, so a wrong
    one gets its own error code and a plain message, while /docs and clients see the choices."""
    return {"enum": list(values)}


DATE = {"format": "date"}


class Body(BaseModel):
    """A request body: unknown fields refused, numbers strict."""

    model_config = ConfigDict(extra="forbid", strict=False)
