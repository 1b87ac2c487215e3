"""Run with the system python3 (it has LibreOffice's ``uno``): open a workbook in a headless
LibreOffice and print, as JSON, whether its first sheet is protected, whether given cells are
locked, and whether unprotecting with each password given works.

    python3 lo_protection.py WORKBOOK PROFILE_DIR CELLS PASSWORD...   (CELLS like "A2,B2")
"""
import json
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def shutdown(office, desktop, timeout):
    """Ask Calc to quit (it may already be gone) and wait for the process."""
    try:
        desktop.terminate()
    except Exception:
        pass
    office.wait(timeout=timeout)


def connect(profile):
    pipe = f"satudata{os.getpid()}"
    office = subprocess.Popen(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--invisible",
                               "--norestore", f"--accept=pipe,name={pipe};urp;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext())
    for _ in range(120):
        try:
            return office, resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            time.sleep(0.5)
    office.kill()
    raise SystemExit("LibreOffice did not start")


def main():
    path, profile, cells, passwords = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    office, context = connect(profile)
    try:
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        hidden = PropertyValue()
        hidden.Name, hidden.Value = "Hidden", True
        out = {"unprotect": {}}
        for password in passwords:
            document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, (hidden,))
            sheet = document.Sheets.getByIndex(0)
            out["protected"] = sheet.isProtected()
            out["locked"] = {c: sheet.getCellRangeByName(c).CellProtection.IsLocked for c in cells.split(",")}
            try:
                sheet.unprotect(password)
            except Exception:
                pass
            out["unprotect"][password] = not sheet.isProtected()
            document.close(True)
        print(json.dumps(out))
    finally:
        shutdown(office, desktop, 30)


if __name__ == "__main__":
    main()
