"""Run with the system python3 (it has LibreOffice's ``uno``): open a workbook in a headless
LibreOffice Calc, sort only the cell range given (as an operator sorting her own columns does)
by one of its columns, descending, and save it as .xlsx again.

    python3 lo_sort.py WORKBOOK PROFILE_DIR RANGE SORT_COLUMN_INDEX   (RANGE like "B2:M20", index 0-based in it)
"""
import sys

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.table import TableSortField

from lo_protection import connect, shutdown


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main():
    path, profile, cells, column = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    office, context = connect(profile)
    try:
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        url = uno.systemPathToFileUrl(path)
        document = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
        target = document.Sheets.getByIndex(0).getCellRangeByName(cells)
        field = TableSortField()
        field.Field, field.IsAscending = column, False
        target.sort((prop("SortFields", uno.Any("[]com.sun.star.table.TableSortField", (field,))),
                     prop("ContainsHeader", False)))
        document.storeToURL(url, (prop("FilterName", "Calc MS Excel 2007 XML"), prop("Overwrite", True)))
        document.close(True)
        print("disortir")
    finally:
        shutdown(office, desktop, 60)


if __name__ == "__main__":
    main()
