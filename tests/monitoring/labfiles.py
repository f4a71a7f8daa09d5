"""Lab spreadsheets as labs write them, for tests and the e2e run."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

HEADER = [
    "序号",
    "点位编码",
    "采样时间",
    "采样人",
    "检测单位",
    "水温(℃)",
    "pH(无量纲)",
    "溶解氧(mg/L)",
    "高锰酸盐指数(mg/L)",
    "氨氮(mg/L)",
    "总磷(mg/L)",
    "总氮(mg/L)",
    "透明度(cm)",
    "氧化还原电位(mV)",
]


def lab_rows(point_code="ZJ-01", n=3, year=2018, month=6, nh3n="0.82"):
    return [
        [
            i + 1,
            point_code,
            f"{year}-{month:02d}-{i + 1:02d} 09:30",
            "王芳",
            "朱泾镇水质检测室",
            "24.5",
            "7.3",
            "5.6",
            "4.8",
            nh3n,
            "0.18",
            "2.1",
            "38",
            "120",
        ]
        for i in range(n)
    ]


def csv_upload(rows, header=HEADER, name="化验单.csv", encoding="utf-8-sig"):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buf.getvalue().encode(encoding), content_type="text/csv")


def xlsx_bytes(rows, header=HEADER) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("化验单")
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_upload(rows, header=HEADER, name="化验单.xlsx"):
    return SimpleUploadedFile(name, xlsx_bytes(rows, header))
