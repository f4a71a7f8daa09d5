"""core.spreadsheets: every row read, hostile files stopped at the caps, nothing materialised."""

import csv
import zipfile
from unittest import mock

import pytest
from django.conf import settings

from core.spreadsheets import (
    Caps,
    FileTooLarge,
    SpreadsheetError,
    TooManyRows,
    UnpackedTooLarge,
    UnsupportedFormat,
    check_xlsx,
    count_rows,
    read_rows,
)
from tests.xlsx_files import bomb_xlsx, handmade_xlsx

HEADER = ["点位编码", "采样时间", "氨氮(mg/L)"]
FIVE = [[f"ZJ-0{i}", f"2018-06-0{i} 09:30", 0.5 + i] for i in range(1, 6)]


def test_it_reads_every_row_when_the_stored_dimension_is_wrong(tmp_path):
    path = handmade_xlsx(tmp_path / "lab.xlsx", [HEADER, *FIVE], dimension="A1:Q2")
    from openpyxl import load_workbook

    ws = load_workbook(path, read_only=True).worksheets[0]
    assert ws.max_row == 2  # what the file claims: a trusting reader drops 4 rows

    rows = list(read_rows(path, caps=Caps()))

    assert [r.cells for r in rows] == [HEADER, *FIVE]
    assert [r.line for r in rows] == [1, 2, 3, 4, 5, 6]


def test_it_reads_a_sheet_without_a_dimension_and_keeps_line_numbers_across_blank_rows(tmp_path):
    rows = [HEADER, FIVE[0], [None, None, None], FIVE[1]]
    path = handmade_xlsx(tmp_path / "lab.xlsx", rows, dimension=None)

    read = list(read_rows(path, caps=Caps()))

    assert [(r.line, r.cells) for r in read] == [(1, HEADER), (2, FIVE[0]), (4, FIVE[1])]


def test_the_quick_count_sees_the_real_rows_not_the_dimension(tmp_path):
    path = handmade_xlsx(tmp_path / "lab.xlsx", [HEADER, *FIVE], dimension="A1:Q2")
    assert count_rows(path, caps=Caps()) == 5


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """A 1,000,000-row .xlsx, generated once for this file."""
    return bomb_xlsx(tmp_path_factory.mktemp("bomb") / "bomb.xlsx", rows=1_000_000)


def test_a_bomb_is_refused_on_its_declared_size_before_openpyxl_opens_it(bomb):
    path = bomb
    assert path.stat().st_size < 1024 * 1024  # a small upload...
    declared = check_xlsx(path, Caps(max_unpacked_bytes=10**12))
    assert declared > 100 * 1024 * 1024  # ...that unpacks past 100 MB

    with (
        mock.patch("openpyxl.load_workbook", side_effect=AssertionError("opened")),
        pytest.raises(UnpackedTooLarge) as exc,
    ):
        next(read_rows(path, caps=Caps(max_unpacked_bytes=50 * 1024 * 1024)))
    assert exc.value.code == "unpacked_too_large"
    assert "50 MB" in exc.value.message


def test_a_bomb_within_the_unpacked_cap_is_refused_on_its_row_count_before_parsing(bomb):
    caps = Caps(max_unpacked_bytes=10**12)  # the default 100,000 rows
    with (
        mock.patch(
            "openpyxl.worksheet._read_only.ReadOnlyWorksheet._cells_by_row",
            side_effect=AssertionError("parsed"),
        ),
        pytest.raises(TooManyRows) as exc,
    ):
        next(read_rows(bomb, caps=caps))
    assert exc.value.params == {"rows": 1_000_001, "cap": 100_000}
    assert "100000" in exc.value.message


def test_a_bomb_read_as_a_stream_stops_at_the_row_cap_with_a_clear_message(bomb):
    path = bomb
    caps = Caps(max_rows=2000, max_unpacked_bytes=10**12)
    rows = read_rows(path, caps=caps, precount=False)
    seen = [next(rows) for _ in range(2001)]
    with pytest.raises(TooManyRows) as exc:
        next(rows)
    assert len(seen) == 2001  # the header and the 2,000 rows allowed, then it stops
    assert exc.value.params == {"cap": 2000, "line": 2002}
    assert "2000" in exc.value.message


def test_a_file_at_the_row_cap_is_read_whole(tmp_path):
    path = handmade_xlsx(tmp_path / "lab.xlsx", [HEADER, *FIVE])
    assert len(list(read_rows(path, caps=Caps(max_rows=5)))) == 6
    with pytest.raises(TooManyRows):
        list(read_rows(path, caps=Caps(max_rows=4)))


def test_a_member_lying_about_its_size_is_an_error_not_a_bomb(tmp_path):
    path = handmade_xlsx(tmp_path / "lab.xlsx", [HEADER, *FIVE])
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    # Rewrite the declared uncompressed size in the central directory entry to 100 bytes.
    entry = data.find(b"xl/worksheets/sheet1.xml", data.find(b"PK\x01\x02")) - 46
    assert data[entry : entry + 4] == b"PK\x01\x02"
    assert int.from_bytes(data[entry + 24 : entry + 28], "little") == info.file_size
    data[entry + 24 : entry + 28] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))

    with pytest.raises(SpreadsheetError):
        list(read_rows(path, caps=Caps()))


def test_a_csv_is_streamed_with_the_same_row_cap(tmp_path):
    path = tmp_path / "lab.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows([["ZJ-01", "2018-06-01 09:30", "0.5"]] * 50)

    assert len(list(read_rows(path, caps=Caps(max_rows=50)))) == 51
    assert count_rows(path, caps=Caps()) == 50
    with pytest.raises(TooManyRows) as exc:
        list(read_rows(path, caps=Caps(max_rows=10)))
    assert exc.value.params["line"] == 12


def test_a_csv_over_the_file_size_cap_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 100_000)
    with pytest.raises(FileTooLarge):
        next(read_rows(path, caps=Caps(max_file_bytes=100_000)))


def test_a_gbk_csv_is_read_in_gbk(tmp_path):
    path = tmp_path / "lab.csv"
    path.write_bytes("点位编码,氨氮(mg/L)\nZJ-01,0.5\n".encode("gbk"))
    assert [r.cells for r in read_rows(path, caps=Caps())] == [
        ["点位编码", "氨氮(mg/L)"],
        ["ZJ-01", "0.5"],
    ]


def test_a_file_that_is_not_a_spreadsheet_is_a_clear_error(tmp_path):
    path = tmp_path / "lab.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(UnsupportedFormat):
        list(read_rows(path, caps=Caps()))
    with pytest.raises(UnsupportedFormat):
        list(read_rows(path, name="lab.xls", caps=Caps()))


def test_the_caps_come_from_the_settings_with_sane_defaults():
    caps = Caps.from_settings(settings)
    assert caps.max_rows == settings.IMPORT_MAX_ROWS == 100_000
    assert caps.max_unpacked_bytes == settings.IMPORT_MAX_UNPACKED_MB * 1024 * 1024
    assert caps.max_file_bytes == settings.IMPORT_MAX_FILE_MB * 1024 * 1024
