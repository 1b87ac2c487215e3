"""Run by Debian's /usr/bin/python3 (python3-uno), not the venv: LibreOffice Calc opens each
workbook, types the new Nilai values given in EDITS (JSON: {file: [[row, column, value], ...]},
0-based sheet cells) and saves it as .xlsx, as an operator would (bench/poll.py --libreoffice).

    /usr/bin/python3 bench/_lo_edit.py FOLDER EDITS
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main():
    folder, edits = sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8"))
    port = 2100 + os.getpid() % 1000
    profile = tempfile.mkdtemp(prefix="lo_bench_")
    office = subprocess.Popen(["soffice", "--headless", "--invisible", "--norestore", "--nologo",
                               f"-env:UserInstallation=file://{profile}",
                               f"--accept=socket,host=127.0.0.1,port={port};urp;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            ctx = resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.5)
    else:
        office.kill()
        raise SystemExit("LibreOffice tidak menjawab")
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    try:
        for name, cells in sorted(edits.items()):
            url = uno.systemPathToFileUrl(os.path.abspath(os.path.join(folder, name)))
            doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
            sheet = doc.Sheets.getByIndex(0)
            for row, column, value in cells:
                sheet.getCellByPosition(column, row).setValue(value)
            doc.storeToURL(url, (prop("FilterName", "Calc MS Excel 2007 XML"),))
            doc.close(True)
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        office.wait(timeout=60)


if __name__ == "__main__":
    main()
