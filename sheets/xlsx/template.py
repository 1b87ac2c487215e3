"""The Excel template of one OPD tab: headers, widths, frozen header, YA dropdowns, Status colours."""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from rules import fields as f

from ..layout import COLUMNS
from ..looks import OWNER_FILLS, STATUS_COLOURS

from .validation import TEMPLATE_ROWS  # dropdowns and colours cover rows 2..TEMPLATE_ROWS

BOX_VALUE = "YA"



def new_workbook(kode: str, nama: str) -> Workbook:
    """A workbook with one empty tab named ``kode`` laid out as the sheet contract says."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kode
    workbook.properties.title = nama
    workbook.properties.creator = "Satu Data"
    lay_out(sheet)
    return workbook


def lay_out(sheet) -> None:
    """Give an empty worksheet the tab template (also used for next year's tab beside a record)."""
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        colour = OWNER_FILLS[column.owner]
        cell.fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        # a cell typed later takes its column's format: operator columns unlocked for sheet protection
        dimension.protection = Protection(locked=column.owner != "operator")
        if column.key == f.HASIL:
            dimension.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}1"

    boxes = DataValidation(
        type="list",
        formula1=f'"{BOX_VALUE}"',
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle="Isian tidak sah",
        error=f"Isi dengan {BOX_VALUE} bila langkah ini sudah dilakukan, atau kosongkan sel.",
        promptTitle="Centang langkah",
        prompt=f"Pilih {BOX_VALUE} bila langkah ini sudah dilakukan; biarkan kosong bila belum.",
    )
    for index, column in enumerate(COLUMNS, start=1):
        if column.box:
            letter = get_column_letter(index)
            boxes.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
    sheet.add_data_validation(boxes)

    status = get_column_letter(next(i for i, c in enumerate(COLUMNS, start=1) if c.key == f.STATUS))
    for prefix, background, font in STATUS_COLOURS:
        sheet.conditional_formatting.add(
            f"{status}2:{status}{TEMPLATE_ROWS}",
            FormulaRule(
                formula=[f'LEFT(${status}2,{len(prefix)})="{prefix}"'],
                stopIfTrue=True,
                fill=PatternFill(fill_type="solid", start_color=background, end_color=background),
                font=Font(color=font),
            ),
        )
