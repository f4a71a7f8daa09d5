"""Printed signboards (公示牌): one A4 page per river, all of a town's or one village's, as
one PDF (WeasyPrint with Debian's Noto Sans CJK SC)."""

import io

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from public.selectors import signboard


def signboard_url(river) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("public:signboard", args=[river.code])


def qr_svg(url: str) -> bytes:
    """A standalone SVG (with its namespace, so a browser shows it as an <img>)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False)
    return out.getvalue()


def qr_svg_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def signboards_pdf(*, rivers) -> bytes:
    from weasyprint import HTML

    boards = []
    for river in rivers:
        url = signboard_url(river)
        boards.append({"board": signboard(river=river), "url": url, "qr": qr_svg_data_uri(url)})
    html = render_to_string("public/signboards_pdf.html", {"boards": boards})
    return HTML(string=html).write_pdf()
