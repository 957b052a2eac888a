import qrcode
from kivy.graphics.texture import Texture

from kiosk.screens import KioskScreen, load_kv


def qr_texture(url: str) -> Texture | None:
    """A crisp texture of the QR code for `url` (nearest-neighbour, no blur when scaled)."""
    if not url:
        return None
    code = qrcode.QRCode(border=2, box_size=8, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    # straight from the pixels: no PNG round trip, and nothing left in Kivy's image cache
    texture: Texture = Texture.create(size=image.size, colorfmt="rgb")
    texture.blit_buffer(image.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
    texture.flip_vertical()
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    return texture


class TicketScreen(KioskScreen):
    """The number very large, the errand, people ahead, the wait, printing, and the QR code."""

    def on_view(self, *_: object) -> None:
        self.fill_actions(self.ids.actions, self.view.actions)
        if getattr(self, "_qr_url", None) != self.view.qr:
            self._qr_url = self.view.qr
            self.ids.qr.texture = qr_texture(self.view.qr)


load_kv("ticket")
