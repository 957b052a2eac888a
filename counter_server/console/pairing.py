"""What a new device scans to pair: its page with the token (display, clerk) or, for a
kiosk or print agent, the server and token as JSON; drawn as an inline SVG QR code."""

from __future__ import annotations

import io
import json

PAGE_OF_ROLE = {"display": "/display", "counter": "/clerk"}


def pairing_text(base_url: str, role: str, token: str) -> str:
    page = PAGE_OF_ROLE.get(role)
    if page:
        return f"{base_url}{page}?token={token}"
    return json.dumps({"server": base_url, "token": token, "role": role}, separators=(",", ":"))


def qr_svg(text: str) -> str:
    import qrcode.image.svg  # here: the server need not keep qrcode while nobody pairs a device

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg"):]
