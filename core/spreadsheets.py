"""Streamed, capped reading of uploaded spreadsheets (.xlsx and .csv): no Django in here.

Every import of a user's spreadsheet (lab sheets, the river registry, ...) reads it through
:func:`read_rows`, which guarantees three things:

1. **Every row is read.** An .xlsx is read with openpyxl in read-only mode after
   ``ws.reset_dimensions()``: the ``<dimension ref="A1:Q2"/>`` a writing tool stored is
   ignored, so a wrong one never drops rows silently.
2. **A hostile file is stopped early.** Before openpyxl opens an .xlsx, the declared
   uncompressed sizes of the zip members are added up and the file is refused above
   ``Caps.max_unpacked_bytes`` (Python's zipfile never inflates a member past its declared
   size, so the declaration is a real bound). While reading, the row after the
   ``Caps.max_rows``-th data row stops the reading with :class:`TooManyRows`. A .csv is refused
   above ``Caps.max_file_bytes`` before it is read, and capped on rows the same way.
3. **Memory stays bounded.** Rows are yielded one at a time (openpyxl's read-only parser and
   ``csv.reader`` over the open file); nothing is materialised here. A caller that keeps every
   row keeps at most ``max_rows`` of them.

Usage::

    from core.spreadsheets import Caps, SpreadsheetError, read_rows

    caps = Caps.from_settings(settings)        # IMPORT_MAX_ROWS, IMPORT_MAX_UNPACKED_MB, ...
    try:
        for row in read_rows(path, name="化验单.xlsx", caps=caps):
            row.line, row.cells                # 1-based line in the file, list of cell values
    except SpreadsheetError as exc:
        message = gettext(exc.template) % exc.params   # or exc.message (Chinese, untranslated)

The first row yielded is the header (the first non-blank row); ``max_rows`` counts the
non-blank rows after it. Blank rows are skipped but keep the line numbering. Cell values are
what openpyxl gives with ``data_only=True`` (numbers, text, datetimes, None) for .xlsx, and
strings for .csv (UTF-8 with or without BOM, or GB18030/GBK).

Messages are Chinese source strings (the project's source language) with ``%(name)s``
placeholders; they are marked with ``gettext_noop`` so ``makemessages`` collects them, and the
caller translates ``exc.template`` with Django's ``gettext`` and formats it with ``exc.params``.
"""

from __future__ import annotations

import codecs
import csv
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_UNPACKED_MB = 200
DEFAULT_MAX_FILE_MB = 50
MB = 1024 * 1024


def gettext_noop(message: str) -> str:
    """Marks a message for ``makemessages``; translated by the caller (see the module doc)."""
    return message


@dataclass(frozen=True)
class Caps:
    """How much one import may hold. ``from_settings`` reads the project's settings."""

    max_rows: int = DEFAULT_MAX_ROWS  # data rows below the header
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_MB * MB  # .xlsx: all members, uncompressed
    max_file_bytes: int = DEFAULT_MAX_FILE_MB * MB  # the file as uploaded

    @classmethod
    def from_settings(cls, settings: Any) -> Caps:
        """``IMPORT_MAX_ROWS``, ``IMPORT_MAX_UNPACKED_MB`` and ``IMPORT_MAX_FILE_MB``."""
        return cls(
            max_rows=int(getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)),
            max_unpacked_bytes=int(
                getattr(settings, "IMPORT_MAX_UNPACKED_MB", DEFAULT_MAX_UNPACKED_MB)
            )
            * MB,
            max_file_bytes=int(getattr(settings, "IMPORT_MAX_FILE_MB", DEFAULT_MAX_FILE_MB)) * MB,
        )


class SpreadsheetError(Exception):
    """The file cannot be read as a whole. ``code`` is stable, ``template % params`` says why."""

    code = "unreadable"

    def __init__(self, template: str, **params: Any):
        self.template = template
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template


class UnsupportedFormat(SpreadsheetError):
    code = "format"


class FileTooLarge(SpreadsheetError):
    code = "file_too_large"


class UnpackedTooLarge(SpreadsheetError):
    code = "unpacked_too_large"


class TooManyRows(SpreadsheetError):
    code = "too_many_rows"


class Row(NamedTuple):
    line: int  # 1-based line (.xlsx: the sheet's row number; .csv: the record number)
    cells: list


def read_rows(
    path: str | os.PathLike, *, name: str | None = None, caps: Caps, precount: bool = True
) -> Iterator[Row]:
    """Yield the non-blank rows of the first sheet (header first), within ``caps``.

    ``name`` (the uploaded file's name) chooses the format by its extension; without it the
    path's extension is used. Raises :class:`SpreadsheetError` subclasses: before the first
    row for a file that is too large or not a spreadsheet, and at the row past the cap for
    :class:`TooManyRows` (the rows before it have been yielded: a caller that saves nothing
    until the end loses nothing). With ``precount`` (default), an .xlsx whose sheet holds
    more ``<row>`` elements than ``max_rows + 1`` is refused with :class:`TooManyRows` before
    the first row is parsed (blank rows written by the tool count there).
    """
    kind = _kind(name or os.fspath(path))
    _check_size(path, caps)
    lines = _xlsx_lines(path, caps, precount=precount) if kind == "xlsx" else _csv_lines(path)
    yield from _capped(lines, caps.max_rows)


def check_xlsx(path: str | os.PathLike, caps: Caps) -> int:
    """Refuse an .xlsx whose members would unpack past the cap; return the declared total.

    Reads only the zip's central directory: nothing is inflated. Python's zipfile stops a
    member at its declared size (and fails its CRC check if there was more), so a file that
    lies about its sizes cannot unpack more than it declared either.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnsupportedFormat(
            gettext_noop("不是有效的 .xlsx 文件（%(error)s）"), error=str(exc)
        ) from exc
    if total > caps.max_unpacked_bytes:
        raise UnpackedTooLarge(
            gettext_noop("Excel 文件解压后有 %(size)s MB，超过上限 %(cap)s MB"),
            size=_mb(total),
            cap=_mb(caps.max_unpacked_bytes),
        )
    return total


def count_rows(path: str | os.PathLike, *, name: str | None = None, caps: Caps) -> int:
    """A quick count of the data rows, for a progress bar only (``read_rows`` is the truth).

    .xlsx: the ``<row`` elements of the first sheet, scanned in chunks without parsing (rows
    written with no cell are counted too); .csv: the lines. Header excluded, never negative.
    """
    kind = _kind(name or os.fspath(path))
    _check_size(path, caps)
    if kind == "csv":
        count = 0
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(MB), b""):
                count += chunk.count(b"\n")
        return max(count - 1, 0)
    check_xlsx(path, caps)
    try:
        wb = _open_workbook(path)
    except Exception:  # read_rows reports a broken workbook; a count is only a hint
        return 0
    try:
        return max(_row_elements(wb) - 1, 0)
    finally:
        wb.close()


# --- internals ------------------------------------------------------------------------------


def _kind(name: str) -> str:
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return "xlsx"
    if lower.endswith(".csv"):
        return "csv"
    raise UnsupportedFormat(gettext_noop("只支持 .csv 和 .xlsx 文件"))


def _check_size(path, caps: Caps) -> None:
    size = os.path.getsize(path)
    if size > caps.max_file_bytes:
        raise FileTooLarge(
            gettext_noop("文件大小 %(size)s MB 超过上限 %(cap)s MB"),
            size=_mb(size),
            cap=_mb(caps.max_file_bytes),
        )


def _mb(n: int) -> str:
    return f"{n / MB:.1f}".rstrip("0").rstrip(".")


def _blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _capped(lines: Iterator[Row], max_rows: int) -> Iterator[Row]:
    data_rows = -1  # the header is the first non-blank row
    for row in lines:
        if _blank(row.cells):
            continue
        data_rows += 1
        if data_rows > max_rows:
            raise TooManyRows(
                gettext_noop(
                    "文件超过 %(cap)s 行数据的上限（第 %(line)s 行起未读取），请拆分后导入"
                ),
                cap=max_rows,
                line=row.line,
            )
        yield row


def _row_elements(wb) -> int:
    """The ``<row>`` elements of the first sheet, scanned in 1 MB chunks without parsing.

    0 when unknown (no sheet, a writer that prefixes its tags such as ``<x:row>``): the
    streamed cap of ``read_rows`` still applies then.
    """
    if not wb.worksheets:
        return 0
    count, tail = 0, b""
    try:
        with wb._archive.open(wb.worksheets[0]._worksheet_path) as fh:
            for chunk in iter(lambda: fh.read(MB), b""):
                # a 5-byte tag cannot hide in the 4 bytes carried over: none is counted twice
                data = tail + chunk
                count += data.count(b"<row ") + data.count(b"<row>")
                tail = data[-4:]
    except (AttributeError, KeyError, OSError, EOFError, zipfile.BadZipFile):
        return 0
    return count


def _open_workbook(path):
    """openpyxl's read-only workbook, without its look for the sheets' stored dimensions.

    When a sheet has no ``<dimension>`` element (files written by openpyxl's write-only mode
    and other tools), openpyxl parses the whole sheet at load time to learn that: for a
    100,000-row lab sheet a full extra parse on every open. Nothing here uses that size (rows
    are read to the real end, see ``reset_dimensions`` below), so the look is skipped while
    the workbook loads, in this call only.
    """
    from unittest import mock

    from openpyxl import load_workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    with mock.patch.object(ReadOnlyWorksheet, "_get_size", return_value=None):
        return load_workbook(path, read_only=True, data_only=True)


def _xlsx_lines(path, caps: Caps, *, precount: bool) -> Iterator[Row]:
    check_xlsx(path, caps)
    try:
        wb = _open_workbook(path)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise UnsupportedFormat(
            gettext_noop("无法读取 Excel 文件：%(error)s"), error=str(exc)
        ) from exc
    try:
        if not wb.worksheets:
            return
        if precount and (elements := _row_elements(wb)) > caps.max_rows + 1:
            # Refused before parsing: a scan of the XML costs a second where walking a
            # million rows through the parser costs minutes of worker time.
            raise TooManyRows(
                gettext_noop("工作表有 %(rows)s 行，超过 %(cap)s 行数据的上限，请拆分后导入"),
                rows=elements,
                cap=caps.max_rows,
            )
        ws = wb.worksheets[0]
        # The stored <dimension> may be wrong (some tools write A1:Q2 over 5 data rows):
        # forget it so openpyxl reads the sheet to its real end.
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()
        rows = enumerate(ws.iter_rows(values_only=True), start=1)
        while True:
            try:
                line, values = next(rows)
            except StopIteration:
                return
            except (zipfile.BadZipFile, EOFError, SyntaxError, ValueError, KeyError) as exc:
                # a member that lies about its size or CRC, broken XML (ParseError is a
                # SyntaxError), a cell openpyxl cannot convert
                raise UnsupportedFormat(
                    gettext_noop("无法读取 Excel 文件：%(error)s"), error=str(exc)
                ) from exc
            yield Row(line, list(values))
    finally:
        wb.close()


def _encoding(path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else GB18030."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(MB), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _csv_lines(path) -> Iterator[Row]:
    encoding = _encoding(path)
    try:
        with open(path, encoding=encoding, newline="") as fh:
            for line, cells in enumerate(csv.reader(fh), start=1):
                yield Row(line, cells)
    except UnicodeDecodeError as exc:
        raise UnsupportedFormat(
            gettext_noop("无法识别文件编码（请用 UTF-8 或 GBK 保存 CSV）")
        ) from exc
    except csv.Error as exc:
        raise UnsupportedFormat(
            gettext_noop("CSV 文件格式有误：%(error)s"), error=str(exc)
        ) from exc


__all__ = [
    "Caps",
    "FileTooLarge",
    "Row",
    "SpreadsheetError",
    "TooManyRows",
    "UnpackedTooLarge",
    "UnsupportedFormat",
    "check_xlsx",
    "count_rows",
    "read_rows",
]
