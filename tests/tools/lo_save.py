"""Run with the system python3 (it has LibreOffice's ``uno``): act in a headless LibreOffice Calc as
a person would and save as .xlsx. Jobs come as JSON on stdin, one per workbook:

    {"in": PATH or null (a new workbook), "out": PATH, "user": NAME or null (Tools > Options >
     User Data, saved as docProps lastModifiedBy), "unprotect": PASSWORD or null,
     "type": {"N2": "YA"} (typed through the user interface, so protection applies),
     "protect": PASSWORD or null}

    python3 lo_save.py PROFILE_DIR < jobs.json

prints, per job, which typed cells took the value (a locked cell on a protected sheet refuses)."""
import json
import sys

import uno
from lo_protection import connect
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def set_user(context, name):
    """The name LibreOffice records as the document's last modifier."""
    provider = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.configuration.ConfigurationProvider", context)
    access = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationUpdateAccess",
                                                  (prop("nodepath", "/org.openoffice.UserProfile/Data"),))
    given, _, family = (name or "").partition(" ")
    access.replaceByName("givenname", given)
    access.replaceByName("sn", family)
    access.commitChanges()


def run(context, job):
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    helper = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", context)
    set_user(context, job.get("user"))
    url = uno.systemPathToFileUrl(job["in"]) if job.get("in") else "private:factory/scalc"
    document = desktop.loadComponentFromURL(url, "_blank", 0, ())  # not hidden: typing needs a view
    try:
        sheet = document.Sheets.getByIndex(0)
        if job.get("unprotect") is not None:
            try:
                sheet.unprotect(job["unprotect"])
            except Exception:  # a wrong password: Calc refuses and the sheet stays protected
                pass
        typed = {}
        frame = document.CurrentController.Frame
        for cell, value in (job.get("type") or {}).items():
            helper.executeDispatch(frame, ".uno:GoToCell", "", 0, (prop("ToPoint", cell),))
            helper.executeDispatch(frame, ".uno:EnterString", "", 0, (prop("StringName", value),))
            typed[cell] = sheet.getCellRangeByName(cell).getString() == value
        if job.get("protect") is not None:
            sheet.protect(job["protect"])
        document.storeToURL(uno.systemPathToFileUrl(job["out"]), (prop("FilterName", "Calc MS Excel 2007 XML"),))
        return {"out": job["out"], "typed": typed, "protected": sheet.isProtected()}
    finally:
        document.close(True)


def main():
    jobs = json.load(sys.stdin)
    office, context = connect(sys.argv[1])
    try:
        print(json.dumps([run(context, job) for job in jobs]))
    finally:
        try:
            context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context).terminate()
        except Exception:
            pass
        office.wait(timeout=30)


if __name__ == "__main__":
    main()
