"""Writing rows into Excel exports safely (OWASP "CSV/formula injection").

A stored name is data, never a formula: a value beginning with ``=``, ``+``, ``-`` or ``@`` is
written as a text cell (with Excel's quote prefix, so editing it keeps it text), and control
characters that the .xlsx format cannot hold are dropped instead of failing the export.
"""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = ("=", "+", "-", "@")


def clean(value):
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def append(ws, row) -> None:
    """``ws.append(row)`` with every text value written as text."""
    ws.append([clean(v) for v in row])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            cell.data_type = "s"
            cell.quotePrefix = True
