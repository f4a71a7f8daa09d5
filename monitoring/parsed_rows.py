"""The rows a lab-file check parsed, kept for the import that follows (issue 13 item 5).

Plain JSON lines (never a pickle: reading one back must not run code) in a private folder,
``IMPORT_WORK_DIR`` (``var/imports/``), outside ``MEDIA_ROOT`` so no URL reaches them. The
first line holds the columns, each further line one row. Written aside and renamed, so a
worker killed mid-write leaves no half file to reuse; removed when the job ends, and the
sweeper (monitoring.import_jobs) removes what is left over.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from django.conf import settings

from monitoring.labfile import Column, SampleRow

SUFFIX = ".rows.jsonl"


def folder() -> Path:
    return Path(settings.IMPORT_WORK_DIR)


def path_for(job) -> Path:
    return folder() / f"job-{job.pk}{SUFFIX}"


def _row_json(row: SampleRow) -> dict:
    # Built by hand: dataclasses.asdict deep-copies every row, a third of the write's time.
    return {
        "row": row.row,
        "point": row.point,
        "sampled_at": row.sampled_at.isoformat() if row.sampled_at is not None else None,
        "sampler": row.sampler,
        "lab": row.lab,
        "sampling_depth_m": row.sampling_depth_m,
        "water_depth_cm": row.water_depth_cm,
        "client_key": row.client_key,
        "values": row.values,
    }


class Writer:
    """Rows appended chunk by chunk as the check reads them; kept only by ``keep()``.

    Used as a context manager: leaving it without ``keep()`` (the file had errors, the check
    raised) removes the partial file, so only a complete one is ever found under the name.
    """

    def __init__(self, job, columns: list[Column]):
        self.target = path_for(job)
        self.target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.partial = self.target.with_name(self.target.name + ".part")
        self._fh = self.partial.open("w", encoding="utf-8")
        self._fh.write(json.dumps([asdict(c) for c in columns], ensure_ascii=False) + "\n")

    def write(self, rows: list[SampleRow]) -> None:
        dumps = json.dumps
        self._fh.write("".join(dumps(_row_json(r), ensure_ascii=False) + "\n" for r in rows))

    def keep(self) -> Path:
        self._fh.close()
        os.replace(self.partial, self.target)
        return self.target

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc) -> None:
        if not self._fh.closed:
            self._fh.close()
            self.partial.unlink(missing_ok=True)


def write(job, columns: list[Column], rows: list[SampleRow]) -> Path:
    with Writer(job, columns) as writer:
        writer.write(rows)
        return writer.keep()


def read(job) -> tuple[list[Column], Iterator[SampleRow]]:
    """The columns, and the rows as an iterator: the file is read as the rows are consumed."""
    fh = path_for(job).open(encoding="utf-8")
    try:
        columns = [Column(**c) for c in json.loads(next(fh))]
    except BaseException:
        fh.close()
        raise

    def rows() -> Iterator[SampleRow]:
        with fh:
            for line in fh:
                data = json.loads(line)
                if data.get("sampled_at"):
                    data["sampled_at"] = datetime.fromisoformat(data["sampled_at"])
                data["problems"] = [tuple(p) for p in data.get("problems", [])]
                yield SampleRow(**data)

    return columns, rows()


def remove(job) -> None:
    path_for(job).unlink(missing_ok=True)
