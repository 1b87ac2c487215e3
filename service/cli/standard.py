"""`satudata status` lines for the service standard: the SPM clock, late steps, extensions."""
from __future__ import annotations

from rules.numbers import format_number
from service.timefmt import format_tanggal

LABEL = {"terlambat": "TERLAMBAT", "berisiko": "berisiko", "tepat_waktu": "tepat waktu",
         "selesai": "selesai", "belum_mulai": "belum mulai"}


def standard_lines(opd: dict) -> list[str]:
    """Lines under an OPD's phase line (indented by the caller)."""
    spm = opd["standar_pelayanan"]
    lines = []
    if spm["hari_kerja_berjalan"] is not None:
        extra = f", termasuk perpanjangan {spm['perpanjangan_hari_kerja']}" if spm["perpanjangan_hari_kerja"] else ""
        lines.append(f"standar pelayanan {format_number(spm['hari_kerja_berjalan'])} dari {spm['batas_hari_kerja']} "
                     f"hari kerja{extra} sejak {format_tanggal(spm['dibagikan'])}, tenggat "
                     f"{format_tanggal(spm['tenggat'])}: {LABEL[spm['ketepatan']]}")
    late = ["–".join(map(str, s["langkah"])) for s in opd["langkah"] if s["ketepatan"] == "terlambat"]
    if late:
        lines.append(f"terlambat di langkah {', '.join(late)}")
    for e in opd["perpanjangan"]:
        where = f" (langkah {e['langkah']})" if e["langkah"] else ""
        by = f" (diberikan oleh {e['oleh']})" if e.get("oleh") else ""
        lines.append(f"perpanjangan {e['hari']} hari kerja{where}: {e['alasan']}{by}")
    return lines


def holidays_line(data: dict) -> str | None:
    if not data["libur_tambahan"]:
        return None
    return "Libur tambahan: " + ", ".join(f"{format_tanggal(h['tanggal'])} ({h['nama']})" for h in data["libur_tambahan"])
