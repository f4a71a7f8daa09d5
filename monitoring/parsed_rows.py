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
    data = asdict(row)
    if row.sampled_at is not None:
        data["sampled_at"] = row.sampled_at.isoformat()
    return data


def write(job, columns: list[Column], rows: list[SampleRow]) -> Path:
    target = path_for(job)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_name(target.name + ".part")
    with partial.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps([asdict(c) for c in columns], ensure_ascii=False) + "\n")
        for row in rows:
            fh.write(json.dumps(_row_json(row), ensure_ascii=False) + "\n")
    os.replace(partial, target)
    return target


def read(job) -> tuple[list[Column], list[SampleRow]]:
    with path_for(job).open(encoding="utf-8") as fh:
        columns = [Column(**c) for c in json.loads(next(fh))]
        rows = []
        for line in fh:
            data = json.loads(line)
            if data.get("sampled_at"):
                data["sampled_at"] = datetime.fromisoformat(data["sampled_at"])
            data["problems"] = [tuple(p) for p in data.get("problems", [])]
            rows.append(SampleRow(**data))
    return columns, rows


def remove(job) -> None:
    path_for(job).unlink(missing_ok=True)
