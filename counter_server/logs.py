"""Logging that never writes a device token: `token=...` in any message is masked."""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"(token=)[^&\s\"']+|(Bearer\s+)\S+", re.IGNORECASE)


class HideTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _TOKEN.sub(lambda m: (m.group(1) or m.group(2)) + "***", message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def hide_tokens(*names: str) -> None:
    """Mask tokens in what these loggers (and the root logger) write."""
    for name in ("", *names):
        logging.getLogger(name).addFilter(HideTokens())
