"""Build the corpus of hostile and broken workbooks in ``tests/data/hostile/``.

Run ``python tests/data/make_hostile.py``; the files are small and committed, so the
tests never download anything. Each file exercises one failure mode of the pre-flight
checks or the reader (see ``tests/cli/test_hostile.py``).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent / "hostile"
EPOCH = (1980, 1, 1, 0, 0, 0)
HEADERS = ["Case ref", "Sample", "Case type", "Assessor", "Grade"]
ROW = ["H-1", "inspector-selected", "Domestic abuse", "inspector", "Good"]


def base_workbook(extra=None) -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    wb.set_properties({"created": dt.datetime(2020, 1, 1)})
    ws = wb.add_worksheet("Cases")
    ws.write_row(0, 0, HEADERS)
    ws.write_row(1, 0, ROW)
    if extra:
        extra(wb, ws)
    wb.close()
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = replace.get(info.filename, src.read(info.filename))
            dst.writestr(zipfile.ZipInfo(info.filename, EPOCH), body, zipfile.ZIP_DEFLATED)
        for name, body in (add or {}).items():
            dst.writestr(zipfile.ZipInfo(name, EPOCH), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def sheet_xml(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()


def entity_bomb() -> bytes:
    lol = ['<!ENTITY a0 "lol">'] + [f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">'
                                     for i in range(1, 10)]
    strings = ('<?xml version="1.0"?><!DOCTYPE sst [' + "".join(lol) + ']>'
               '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               'count="1" uniqueCount="1"><si><t>&a9;</t></si></sst>')
    return rezip(base_workbook(), {"xl/sharedStrings.xml": strings.encode()})


def zip_bomb() -> bytes:
    """A worksheet part that expands to 300 MB of white space (about 300 KB packed)."""
    data = base_workbook()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = src.read(info.filename)
                cut = xml.index(b"<sheetData>")
                part = zipfile.ZipInfo(info.filename, EPOCH)
                part.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(part, "w") as fh:
                    fh.write(xml[:cut])
                    block = b" " * (1 << 20)
                    for _ in range(300):
                        fh.write(block)
                    fh.write(xml[cut:])
            else:
                dst.writestr(zipfile.ZipInfo(info.filename, EPOCH), src.read(info.filename),
                             zipfile.ZIP_DEFLATED)
    return out.getvalue()


def stray_cell() -> bytes:
    data = base_workbook()
    xml = sheet_xml(data).replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is>'
        "</c></row></sheetData>")
    return rezip(data, {"xl/worksheets/sheet1.xml": xml.encode()})


def error_cells() -> bytes:
    def extra(wb, ws):  # type: ignore[no-untyped-def]
        ws.write_row(2, 0, ["H-2", "inspector-selected", "Domestic abuse", "inspector"])
        ws.write_formula(2, 4, "=1/0", None, "#DIV/0!")
        ws.write_row(3, 0, ["H-3", "inspector-selected", "Domestic abuse", "inspector"])
        ws.write_formula(3, 4, '=CONCAT("Go","od")', None, "")
    data = base_workbook(extra)
    # xlsxwriter writes <v>#DIV/0!</v> with t="e" and an empty <v></v> for "": as Excel
    # saves a workbook whose formulas were never calculated.
    return data


def merged() -> bytes:
    def extra(wb, ws):  # type: ignore[no-untyped-def]
        ws.write_row(2, 0, ["H-2", "inspector-selected", "Domestic abuse", "inspector"])
        ws.merge_range(2, 4, 3, 4, "Good")
        ws.write_row(3, 0, ["H-3", "inspector-selected", "Domestic abuse", "inspector"])
    return base_workbook(extra)


def with_macros() -> bytes:
    return rezip(base_workbook(), {}, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 not real"})


def external_links() -> bytes:
    return rezip(base_workbook(), {}, {"xl/externalLinks/externalLink1.xml":
                                       b'<?xml version="1.0"?><externalLink/>'})


def truncated() -> bytes:
    data = base_workbook()
    return data[: len(data) // 2]


def encrypted() -> bytes:
    return (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
            + "EncryptionInfo".encode("utf-16-le") + b"\0" * 64
            + "EncryptedPackage".encode("utf-16-le") + b"\0" * 512)


def old_xls() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + \
        "Workbook".encode("utf-16-le") + b"\0" * 512


FILES = {
    "entity_bomb.xlsx": entity_bomb, "zip_bomb.xlsx": zip_bomb,
    "stray_cell.xlsx": stray_cell, "error_cells.xlsx": error_cells, "merged.xlsx": merged,
    "macros.xlsm": with_macros, "external_links.xlsx": external_links,
    "truncated.xlsx": truncated, "encrypted.xlsx": encrypted, "old.xlsx": old_xls,
    "csv_saved_as.xlsx": lambda: b"case_ref,case_type,assessor,grade\nA,DA,inspector,good\n",
}


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for name, build in FILES.items():
        (HERE / name).write_bytes(build())
        print(f"wrote {name} ({(HERE / name).stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
