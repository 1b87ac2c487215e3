"""`satudata init`: a workspace folder with its file, rules and archive."""
from __future__ import annotations

import csv
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from rules.rulefile import DEFAULT_FOLDER
from rules.wilayah import DEMO_KODE, REFERENCE, Wilayah
from service.config import CONFIG_NAME, ConfigError, spreadsheet_key

MAPPING_NAME = "spreadsheet-opd.csv"  # written by `init --per-opd`, read by `init --spreadsheets`
# The demo kabupaten's own OPD list and mail domain; any other kabupaten/kota starts from the
# perangkat daerah every one has (its Setda, badan and dinas) plus one OPD per kecamatan.
DEMO_OPDS, DEMO_DOMAIN = "magetan_opd.csv", "magetan.go.id"
COMMON_KINDS = {"Sekretariat", "Bagian Setda", "Inspektorat", "Badan", "Dinas", "Satuan"}


@dataclass(frozen=True)
class Walidata:
    """Who runs the year, as `init --interaktif` asked; empty: placeholders for the kabupaten/kota."""
    email: str = ""
    nama: str = ""
    kata_sandi_env: str = ""
    penerbit: str = ""


def wilayah_for(kode: str) -> Wilayah:
    """The kabupaten/kota of ``init --wilayah`` in the national table: its code ("33.74", "3374") or
    its name ("Kota Semarang"; "Ngawi" when only one kabupaten/kota bears it)."""
    text = (kode or "").strip()
    digits = re.sub(r"\D", "", text)
    if digits and not re.search(r"[^\d.\s]", text):
        dotted = f"{digits[:2]}.{digits[2:]}" if len(digits) == 4 else text
    else:
        from rules.wilayah import NATIONAL, read_list
        wanted = " ".join(text.casefold().split())
        found = [e for e in read_list(NATIONAL) if e.level in ("kabupaten", "kota")
                 and wanted in (e.nama.casefold(), e.nama.casefold().split(" ", 1)[-1])]
        if len(found) > 1:
            names = ", ".join(f"{e.nama} ({e.kode})" for e in found)
            raise ConfigError(f"'{text}' bisa berarti {names}; tulis kodenya atau nama lengkapnya")
        dotted = found[0].kode if found else text
    try:
        return Wilayah.load(dotted)
    except KeyError:
        raise ConfigError(f"'{text}' bukan kabupaten/kota Kemendagri yang dikenal (tulis kodenya, mis. 35.20 atau "
                          "33.74, atau namanya, mis. Kota Semarang)") from None


def opds_for(kode: str = DEMO_KODE) -> list[dict[str, str]]:
    """The OPDs a new workspace of kabupaten/kota ``kode`` starts with."""
    with open(Path(REFERENCE) / DEMO_OPDS, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if kode == DEMO_KODE:
        return [{"kode": r["kode"], "nama": r["nama"]} for r in rows]
    common = [{"kode": r["kode"], "nama": r["nama"]} for r in rows if r["jenis"] in COMMON_KINDS]
    kecamatan = [{"kode": ("KEC-" + re.sub(r"[^A-Z0-9]+", "-", p.nama.upper()).strip("-"))[:31],
                  "nama": f"Kecamatan {p.nama}"} for p in wilayah_for(kode).kecamatan]
    return common + kecamatan


def magetan_opds() -> list[dict[str, str]]:
    """The demo's OPD list (kept under its old name for callers and tests)."""
    return opds_for(DEMO_KODE)


def mail_domain(kode: str) -> str:
    """A placeholder the Walidata replaces: <nama>kab.go.id / <nama>kota.go.id, the usual pattern."""
    if kode == DEMO_KODE:
        return DEMO_DOMAIN
    wilayah = wilayah_for(kode)
    kind = "kota" if wilayah.nama.casefold().startswith("kota ") else "kab"
    return re.sub(r"[^a-z0-9]", "", wilayah.tempat.casefold()) + kind + ".go.id"


def placeholders(people: Walidata | None, kode: str) -> Walidata:
    """The Walidata's e-mail and office, filled for the kabupaten/kota where nobody said them."""
    who = people or Walidata()
    return Walidata(who.email or f"walidata@{mail_domain(kode)}", who.nama, who.kata_sandi_env,
                    who.penerbit or f"Dinas Komunikasi dan Informatika {wilayah_for(kode).nama}")


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_config(year: int, backend: str, opds: list[dict[str, str]], name: str,
                  spreadsheet_id: str | None = None, credentials: str | None = None,
                  per_opd: dict[str, str] | None = None, people: Walidata | None = None,
                  kode_wilayah: str = DEMO_KODE) -> str:
    """satudata.toml with every key a real SOP year uses, the optional ones commented out with
    their meaning; ``per_opd`` (KODE -> spreadsheet ID) gives those OPDs their own spreadsheet."""
    who = placeholders(people, kode_wilayah)
    place = wilayah_for(kode_wilayah)
    slug = re.sub(r"[^a-z0-9]+", "-", place.nama.casefold()).strip("-")
    env = who.kata_sandi_env
    lines = [
        "# Ruang kerja Satu Data: satu berkas untuk satu tahun SOP. Baris berawalan '#' adalah",
        "# pilihan; hapus '#' untuk memakainya. Jalur relatif dibaca dari folder berkas ini.",
        "",
        "[workspace]",
        f"name = {_toml_str(name)}",
        f"year = {year}                       # tahun data yang dikumpulkan (diganti `satudata rollover`)",
        f"kode_wilayah = {_toml_str(place.kode)}            # {place.nama} (kode Kemendagri kabupaten/kota)",
        '# zona_waktu = "Asia/Jakarta"       # WIB; "Asia/Makassar" (WITA), "Asia/Jayapura" (WIT)',
        "",
        "[sheets]",
        f'backend = "{backend}"                  # "xlsx" (Excel lokal) atau "google"',
        'folder = "sheets"                  # xlsx: <folder>/<KODE>.xlsx, satu tab bernama <KODE>',
        (f"spreadsheet_id = {_toml_str(spreadsheet_id)}" if spreadsheet_id else
         '# spreadsheet_id = "..."            # google: satu spreadsheet, satu tab per OPD bernama <KODE>'),
        (f"credentials = {_toml_str(credentials)}" if credentials else
         '# credentials = "secrets/sa.json"   # google: atau GOOGLE_APPLICATION_CREDENTIALS'),
        "# kunci_basi_jam = 12               # berkas kunci Excel/LibreOffice lebih tua dari ini dianggap basi",
        "",
        "[archive]",
        'url = "sqlite:///arsip.sqlite"     # atau postgresql+psycopg://..., mysql+pymysql://...',
        '# skema = "kab_3520"              # PostgreSQL saja: satu skema per kabupaten/kota di satu server',
        "",
        "[poller]",
        "interval_seconds = 60              # 5 .. 86400 detik",
        "",
        "[walidata]",
        f"emails = [{_toml_str(who.email)}]",
        (f"nama = {_toml_str(who.nama)}" if who.nama else '# nama = "Nama Walidata"') +
        "            # pelaku `distribute`; nama pengguna aplikasinya di Excel/LibreOffice",
        "# Kata sandi proteksi lembar (kolom Walidata dan sistem): hanya rujukannya, tidak pernah isinya.",
        (f"kata_sandi_env = {_toml_str(env)}" if env else
         '# kata_sandi_env = "SATUDATA_KATA_SANDI"   # nama variabel lingkungan yang berisi kata sandi'),
        '# kata_sandi_file = "/etc/satudata/kata-sandi"   # atau berkas yang hanya bisa dibaca layanan',
        "",
        "[rules]",
        'folder = "rules"                   # aturan pemeriksaan per item (YAML), boleh diubah Walidata',
        "",
        "[dashboard]",
        'host = "127.0.0.1"                 # "0.0.0.0" agar dasbor terbuka dari PC lain di jaringan kantor',
        "port = 8050",
        "# users = { walidata = \"scrypt:32768:8:1$...\" }   # hash dari: satudata hash-password",
        "",
        "[publikasi]",
        "# otomatis = true                 # terbitkan setelah siklus yang mengarsipkan",
        "# terbuka = false                 # true: halaman /data tanpa login dasbor",
        '# folder = "publikasi"            # folder `satudata publish` tanpa -o',
        '# url_dasar = "https://data.example.go.id/"   # alamat publik untuk katalog DCAT',
        '# lisensi = "CC-BY-4.0"           # atau CC0-1.0, ODbL-1.0',
        f"penerbit = {_toml_str(who.penerbit)}",
        (f"walidata = {{ nama = {_toml_str(who.nama)}, nip = \"\" }}" if who.nama else
         '# walidata = { nama = "…", nip = "…" }') + "   # penanda tangan Walidata di Berita Acara",
        '# prioritas = ["KODE-DATA-1", "KODE-DATA-2"]   # data prioritas daerah (Kode Data atau nama item)',
        "",
        "# [publikasi.ckan]                # kirim ke portal CKAN dengan `satudata publish --ckan`",
        '# url = "https://portal.example.go.id"',
        '# token_env = "CKAN_TOKEN"         # token API dibaca dari variabel lingkungan ini',
        f'# organisasi = "{slug}"',
        f'# awalan = "{slug.split("-", 1)[-1]}"',
        "",
        "# [pengaduan]                     # formulir Laporkan kesalahan / Usulkan data di /data",
        "# tenggat_hari_kerja = 5",
        '# petugas = ["statistik"]         # pengguna [dashboard] users yang hanya menangani pengaduan',
        "# batas_per_jam = 10",
        "",
        "# [google]                        # kuota per menit Google (backend google); bawaan = angka Google",
        "# kuota_baca_per_menit = 60          # Sheets, per pengguna (akun layanan)",
        "# kuota_tulis_per_menit = 60",
        "# kuota_baca_proyek_per_menit = 300  # Sheets, per proyek",
        "# kuota_tulis_proyek_per_menit = 300",
        "# kuota_drive_per_menit = 12000",
        "",
        "# [backup]                        # `satudata backup`",
        '# folder = "cadangan"',
        "# simpan = 30                     # cadangan terakhir yang disimpan",
        "",
        "# [berita_acara]",
        '# nomor = "000.5.2/{urut}/{tahun}"   # nomor Berita Acara: {urut}, {tahun}, boleh {opd}',
        "",
        "# [pembina]                       # Pembina Data (BPS) pada pemeriksaan bersama (langkah 3)",
        '# nama = "…"',
        '# nip = "…"',
        '# jabatan = "Statistisi Ahli Madya"',
        '# instansi = "BPS Kabupaten …"',
        '# email = "…"',
        '# sk_nomor = "…"',
        "# sk_tanggal = " + str(year) + "-01-06",
        "",
        "# [koordinator]                   # Koordinator Data (Bappeda)",
        '# nama = "…"',
        '# instansi = "Bappeda Kabupaten …"',
        "",
        "# [kalender]                      # libur daerah di luar libur nasional (tenggat hari kerja)",
        '# libur_tambahan = [{ tanggal = "' + str(year) + '-10-13", nama = "Hari Jadi" }]',
    ]
    for opd in opds:
        operators = re.split(r"[;,\s]+", opd.get("operators") or "") if opd.get("operators") else [
            f"operator.{opd['kode'].lower()}@{who.email.rsplit('@', 1)[-1]}"]
        lines += ["", "[[opd]]", f"kode = {_toml_str(opd['kode'])}", f"nama = {_toml_str(opd['nama'])}",
                  "operators = [" + ", ".join(_toml_str(e) for e in operators if e) + "]",
                  '#   dengan SK penunjukan (SPM 3): operators = [{ email = "…", nama = "…", nip = "…", '
                  'sk_nomor = "…", sk_tanggal = ' + str(year) + '-01-06 }]',
                  '# kepala = { nama = "…", nip = "…" }   # Kepala OPD (langkah 6), penanda tangan Berita Acara',
                  '# bidang = [{ nama = "Bidang …", email = "…@…" }]   # penerima baris bergalat bidang itu',
                  '# perpanjangan = [{ hari = 5, alasan = "…", tahun = ' + str(year) +
                  ', oleh = "…" }]   # perpanjangan tenggat']
        if (per_opd or {}).get(opd["kode"]):
            lines.append(f"spreadsheet_id = {_toml_str(per_opd[opd['kode']])}   # spreadsheet OPD ini sendiri")
    return "\n".join(lines) + "\n"


class WorkspaceExists(Exception):
    pass


def read_mapping(path: Path, known: list[str]) -> dict[str, str]:
    """KODE -> spreadsheet ID from a CSV with the columns ``kode`` and ``spreadsheet`` (an ID or the
    spreadsheet's URL), comma or semicolon separated (as Excel and Google Sheets save it). An empty
    ``spreadsheet`` leaves the OPD in the workspace spreadsheet; every other fault is named."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Berkas {path} tidak dapat dibaca ({type(exc).__name__})") from None
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    rows = list(csv.DictReader(text.splitlines(), delimiter=delimiter))
    columns = {(c or "").strip().casefold(): c for c in (rows[0].keys() if rows else [])}
    if "kode" not in columns or "spreadsheet" not in columns:
        raise ConfigError(f"{path} harus punya baris judul dengan kolom 'kode' dan 'spreadsheet' (ID atau URL)")
    out: dict[str, str] = {}
    owner: dict[str, str] = {}
    for line, row in enumerate(rows, 2):
        kode = (row.get(columns["kode"]) or "").strip().upper()
        if not kode:
            continue
        if kode not in known:
            raise ConfigError(f"{path} baris {line}: kode OPD '{kode}' tidak dikenal")
        if kode in out:
            raise ConfigError(f"{path} baris {line}: kode OPD '{kode}' ganda")
        sid = spreadsheet_key(row.get(columns["spreadsheet"]) or "", f"{path} baris {line}")
        if sid is None:
            continue
        if sid in owner:
            raise ConfigError(f"{path} baris {line}: spreadsheet {sid} sudah dipakai {owner[sid]}; setiap OPD "
                              "butuh spreadsheet sendiri (atau kosongkan agar memakai spreadsheet bersama)")
        out[kode], owner[sid] = sid, kode
    return out


def google_layout(spreadsheet_id: str | None, mapping: Path | None,
                  kode_wilayah: str = DEMO_KODE) -> tuple[str | None, dict[str, str] | None]:
    """(workspace spreadsheet, KODE -> own spreadsheet) from `init`'s options; every OPD needs one or the other."""
    shared = spreadsheet_key(spreadsheet_id, "--spreadsheet-id") if spreadsheet_id else None
    if mapping is None:
        return shared, None
    opds = [o["kode"] for o in opds_for(kode_wilayah)]
    own = read_mapping(mapping, opds)
    missing = [k for k in opds if k not in own]
    if missing and not shared:
        shown = ", ".join(missing[:8]) + (f" dan {len(missing) - 8} OPD lain" if len(missing) > 8 else "")
        raise ConfigError(f"OPD tanpa spreadsheet di {mapping}: {shown}. Isi kolom spreadsheet-nya, atau beri "
                          "--spreadsheet-id untuk spreadsheet bersama tempat OPD itu")
    return shared, own


def write_mapping_template(path: Path, kode_wilayah: str = DEMO_KODE) -> Path:
    """The CSV a person fills in: one row per OPD, the spreadsheet column empty."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["kode", "nama", "spreadsheet"])
        writer.writerows([o["kode"], o["nama"], ""] for o in opds_for(kode_wilayah))
    return path


def current_year(now, zone: str = "Asia/Jakarta") -> int:
    """The SOP year a new workspace starts in: the calendar year where the office is."""
    from zoneinfo import ZoneInfo
    return now.astimezone(ZoneInfo(zone)).year


def read_opd_list(path: Path) -> list[dict[str, str]]:
    """OPDs from a CSV with the columns ``kode`` and ``nama`` (``operators`` optional, e-mails split by
    ``;``), comma or semicolon separated; each fault named with its line."""
    from service.config import KODE_MAX, KODE_RE
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Berkas {path} tidak dapat dibaca ({type(exc).__name__})") from None
    first = text.split("\n", 1)[0]
    rows = list(csv.DictReader(text.splitlines(), delimiter=";" if first.count(";") > first.count(",") else ","))
    columns = {(c or "").strip().casefold(): c for c in (rows[0].keys() if rows else [])}
    if "kode" not in columns or "nama" not in columns:
        raise ConfigError(f"{path} harus punya baris judul dengan kolom 'kode' dan 'nama' (boleh juga 'operators')")
    out: list[dict[str, str]] = []
    for line, row in enumerate(rows, 2):
        kode = (row.get(columns["kode"]) or "").strip().upper()
        if not kode:
            continue
        if not KODE_RE.match(kode) or len(kode) > KODE_MAX:
            raise ConfigError(f"{path} baris {line}: kode OPD '{kode}' tidak sah: huruf besar, angka dan '-', "
                              f"paling banyak {KODE_MAX} karakter")
        if any(o["kode"] == kode for o in out):
            raise ConfigError(f"{path} baris {line}: kode OPD '{kode}' ganda")
        operators = (row.get(columns["operators"]) or "").strip() if "operators" in columns else ""
        out.append({"kode": kode, "nama": (row.get(columns["nama"]) or "").strip() or kode, "operators": operators})
    if not out:
        raise ConfigError(f"{path} tidak berisi satu OPD pun")
    return out


def init_workspace(folder: Path, backend: str = "xlsx", year: int | None = None,
                   name: str | None = None, force: bool = False,
                   spreadsheet_id: str | None = None, credentials: str | None = None,
                   per_opd: dict[str, str] | None = None, opds: list[dict[str, str]] | None = None,
                   people: Walidata | None = None, kode_wilayah: str = DEMO_KODE) -> Path:
    """The workspace folder; ``year`` defaults to the current year in WIB."""
    kode_wilayah = wilayah_for(kode_wilayah).kode
    name = name or f"Pengumpulan Data {wilayah_for(kode_wilayah).nama}"
    if year is None:
        from service.poller.clock import utcnow
        year = current_year(utcnow())
    folder = Path(folder)
    path = folder / CONFIG_NAME
    if path.exists() and not force:
        raise WorkspaceExists(f"{path} sudah ada; gunakan --force untuk menimpa")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sheets").mkdir(exist_ok=True)
    rules = folder / "rules"
    if not rules.exists():
        shutil.copytree(DEFAULT_FOLDER, rules)
    path.write_text(render_config(year, backend, opds or opds_for(kode_wilayah), name, spreadsheet_id, credentials,
                                  per_opd, people, kode_wilayah), encoding="utf-8")
    return path
