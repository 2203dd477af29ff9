"""QR codes as PNG data URIs, for pages and PDFs (no file, no network).

A PNG, not a vector path: WeasyPrint draws a path of a few hundred squares slowly (a large
part of a flyer's render), a small black-and-white bitmap at once. Eight pixels a module keep
it sharp on a page; documents draw it without smoothing (`image-rendering: pixelated`), so it
prints as crisp as a vector. Made once per link and process: a certificate batch or a
flyer's re-render reuses it.
"""

import base64
import io
from functools import lru_cache

import qrcode


@lru_cache(maxsize=512)
def qr_data_uri(url: str) -> str:
    # Grey-scale, not one bit a pixel: WeasyPrint takes it as it is instead of converting it.
    image = qrcode.make(url, box_size=8, border=2).get_image().convert("L")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
