"""Spreadsheets written by hand, byte for byte, for the import tests of every app.

``handmade_xlsx`` writes the five parts of a minimal .xlsx with zipfile, so a test controls
what openpyxl never writes by itself: a wrong ``<dimension>``. ``bomb_xlsx`` streams a sheet of
a million rows into a zip of a few hundred KB, the way a hostile upload looks.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _cell(ref: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def _row(line: int, cells) -> str:
    inner = "".join(_cell(f"{get_column_letter(i)}{line}", v) for i, v in enumerate(cells, start=1))
    return f'<row r="{line}">{inner}</row>'


def _write_parts(archive: zipfile.ZipFile) -> None:
    archive.writestr("[Content_Types].xml", CONTENT_TYPES)
    archive.writestr("_rels/.rels", ROOT_RELS)
    archive.writestr("xl/workbook.xml", WORKBOOK)
    archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)


def handmade_xlsx(path: Path, rows: list[list], *, dimension: str | None = "A1:Q2") -> Path:
    """An .xlsx of ``rows`` (header first) whose stored dimension is ``dimension``.

    The default "A1:Q2" is what some tools write over a sheet of many rows: a reader that
    trusts it reads the header and one row and drops the rest.
    """
    sheet = SHEET_HEAD
    if dimension:
        sheet += f'<dimension ref="{dimension}"/>'
    sheet += "<sheetData>"
    sheet += "".join(_row(i, cells) for i, cells in enumerate(rows, start=1))
    sheet += "</sheetData></worksheet>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        _write_parts(archive)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def bomb_xlsx(path: Path, *, rows: int = 1_000_000, header: list | None = None) -> Path:
    """A small .xlsx that unpacks to ``rows`` data rows (streamed: never held in memory)."""
    header = header or ["点位编码", "采样时间", "氨氮(mg/L)"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        _write_parts(archive)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(f'{SHEET_HEAD}<dimension ref="A1:C2"/><sheetData>'.encode())
            fh.write(_row(1, header).encode())
            # Rows without an "r" attribute are valid (numbered in order) and all alike, so
            # deflate packs them about a thousand to one, as a hostile file would.
            row = (
                b'<row><c t="inlineStr"><is><t>ZJ-01</t></is></c>'
                b'<c t="inlineStr"><is><t>2018-06-01 09:30</t></is></c><c><v>0.5</v></c></row>'
            )
            block = row * 10_000
            for _ in range(rows // 10_000):
                fh.write(block)
            fh.write(row * (rows % 10_000))
            fh.write(b"</sheetData></worksheet>")
    return path
