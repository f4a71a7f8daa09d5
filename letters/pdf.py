"""The printable letter for the paper archive (WeasyPrint, Debian's Noto Sans CJK SC)."""

from django.template.loader import render_to_string

from letters.models import Letter


def letter_pdf(*, letter: Letter) -> bytes:
    from weasyprint import HTML

    html = render_to_string("letters/letter_pdf.html", {"letter": letter, "f": letter.figures})
    return HTML(string=html).write_pdf()
