"""Delivery to a CKAN portal (data.go.id runs CKAN): one dataset per published item, its four
files as resources, through CKAN's action API with ckanapi.

Idempotent: each dataset is read first (package_show) and only what differs is sent: a new
dataset with its resources (package_create), changed metadata (package_patch with the changed
keys only), a new or changed resource (resource_create / resource_patch with the changed keys
only). Resources are told apart by their name and compared by content hash, so a second run
sends no write and an edited value patches only that item's resources. A CKAN error is named
in Bahasa Indonesia per item and the next item goes on; the local publication never waits on it.

    [publikasi.ckan]
    url = "https://data.example.go.id"   # or satudata publish --ckan URL
    token_env = "CKAN_TOKEN"              # the API token, read from this environment variable
    organisasi = "kota-semarang"          # the CKAN organisation (its name or id)
    awalan = "semarang"                   # dataset names are <awalan>-<item> (default: the place's name)
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from service.config import ConfigError
from service.publish.dcat import DISTRIBUTIONS
from service.publish.items import Item
from service.publish.settings import Settings

KEYS = {"url", "token_env", "organisasi", "awalan"}
LICENCE_IDS = {"CC-BY-4.0": "cc-by", "CC0-1.0": "cc-zero", "ODbL-1.0": "odc-odbl"}  # CKAN's default list
PACKAGE_FIELDS = ("title", "notes", "url", "license_id")
RESOURCE_FIELDS = ("url", "format", "mimetype", "description", "hash", "size", "last_modified")
_NOT_TAG = re.compile(r"[^\w \-.]", re.UNICODE)


@dataclass(frozen=True)
class CkanSettings:
    url: str
    token_env: str
    organisasi: str
    awalan: str = "satudata"


@dataclass
class CkanReport:
    dibuat: int = 0  # datasets created
    diubah: int = 0  # datasets whose metadata was patched
    sumber_baru: int = 0  # resources created
    sumber_diubah: int = 0  # resources patched
    tetap: int = 0  # datasets with nothing to send
    galat: list[str] = field(default_factory=list)  # one Indonesian line per item that failed

    def summary(self) -> str:
        return (f"CKAN: {self.dibuat} dataset dibuat, {self.diubah} dataset diperbarui, {self.sumber_baru} sumber "
                f"baru, {self.sumber_diubah} sumber diperbarui, {self.tetap} dataset tidak berubah"
                + (f", {len(self.galat)} gagal" if self.galat else ""))


def ckan_settings(raw: dict, url: str | None = None, default_awalan: str = "satudata") -> CkanSettings:
    """``[publikasi.ckan]``, with ``url`` (the --ckan option) taking precedence over its url key;
    ``default_awalan``: the dataset prefix when the table names none (the kabupaten/kota's name)."""
    table = raw.get("ckan", {})
    if not isinstance(table, dict):
        raise ConfigError("publikasi.ckan harus berupa tabel [publikasi.ckan]")
    for key in table:
        if key not in KEYS:
            raise ConfigError(f"Kunci '{key}' di publikasi.ckan tidak dikenal; yang dikenal: {', '.join(sorted(KEYS))}")
    for key in KEYS & set(table):
        if not (isinstance(table[key], str) and table[key].strip()):
            raise ConfigError(f"publikasi.ckan.{key} harus berupa teks (sekarang: {table[key]!r})")
    address = (url or table.get("url", "")).strip()
    if not address.startswith(("http://", "https://")):
        raise ConfigError("Alamat CKAN harus diawali http:// atau https:// (isi --ckan URL atau publikasi.ckan.url)")
    for key, why in (("token_env", "nama variabel lingkungan yang berisi token API CKAN"),
                     ("organisasi", "nama organisasi pemilik dataset di CKAN")):
        if key not in table:
            raise ConfigError(f"publikasi.ckan.{key} wajib diisi: {why}")
    awalan = table.get("awalan", default_awalan).strip().lower()
    if not re.fullmatch(r"[a-z0-9_\-]{1,40}", awalan):
        raise ConfigError(f"publikasi.ckan.awalan '{awalan}' hanya boleh huruf kecil, angka, '-' dan '_'")
    return CkanSettings(address.rstrip("/"), table["token_env"].strip(), table["organisasi"].strip(), awalan)


def token(settings: CkanSettings) -> str:
    value = os.environ.get(settings.token_env, "").strip()
    if not value:
        raise ConfigError(f"Token API CKAN tidak ditemukan: variabel lingkungan {settings.token_env} kosong atau "
                          "belum diatur")
    return value


# --- what each dataset should be -----------------------------------------------------------------
def _utc(iso: str) -> str:
    """A moment as CKAN stores and shows it: naive UTC, to the second."""
    return datetime.fromisoformat(iso).astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")


def _tags(item: Item) -> list[dict]:
    words = {item.opd, item.satuan, *(item.standar.get(k, "") for k in ("konsep", "klasifikasi", "ukuran"))}
    clean = {" ".join(_NOT_TAG.sub(" ", w).split())[:100] for w in words}
    return [{"name": w} for w in sorted(clean) if len(w) >= 2]


def dataset_name(item: Item, settings: CkanSettings) -> str:
    return f"{settings.awalan}-{item.slug}"[:100].rstrip("-_")


def wanted(item: Item, files: dict[str, bytes], publikasi: Settings, settings: CkanSettings) -> dict:
    """The dataset CKAN should hold for one item, in package_create's words."""
    base = publikasi.url_dasar
    notes = (item.standar.get("definisi") or item.title) + (
        f"\n\nDiterbitkan oleh {item.opd_nama} melalui {publikasi.produk}; nilai telah diverifikasi Walidata.")
    extras = {"opd": item.opd, "kode_data": item.kode_data, "satuan": item.satuan, "frekuensi": item.periode,
              "penerbit": publikasi.penerbit}
    resources = []
    for suffix, media, file_type, title in DISTRIBUTIONS:
        body = files[f"data/{item.slug}{suffix}"]
        resources.append({"name": title, "url": f"{base}data/{item.slug}{suffix}", "format": file_type,
                          "mimetype": media, "description": f"{item.title}: {title.lower()}",
                          "hash": hashlib.sha256(body).hexdigest(), "size": len(body),
                          "last_modified": _utc(item.modified)})
    return {"name": dataset_name(item, settings), "title": item.title, "notes": notes, "url": f"{base}data/{item.slug}",
            "license_id": LICENCE_IDS[publikasi.lisensi], "owner_org": settings.organisasi, "tags": _tags(item),
            "extras": [{"key": k, "value": v} for k, v in extras.items() if v], "resources": resources}


def package_changes(want: dict, have: dict) -> dict:
    """The top-level keys whose value differs (resources are compared one by one elsewhere)."""
    changes = {k: want[k] for k in PACKAGE_FIELDS if (have.get(k) or "") != want[k]}
    org = have.get("organization") or {}
    if want["owner_org"] not in (have.get("owner_org"), org.get("name"), org.get("id")):
        changes["owner_org"] = want["owner_org"]
    if sorted(t["name"] for t in have.get("tags") or []) != sorted(t["name"] for t in want["tags"]):
        changes["tags"] = want["tags"]
    if {e["key"]: e["value"] for e in have.get("extras") or []} != {e["key"]: e["value"] for e in want["extras"]}:
        changes["extras"] = want["extras"]
    return changes


def resource_changes(want: dict, have: dict) -> dict:
    return {k: want[k] for k in RESOURCE_FIELDS if have.get(k) != want[k]}


# --- delivery -----------------------------------------------------------------------------------
def client(settings: CkanSettings, session=None):
    from ckanapi import RemoteCKAN
    return RemoteCKAN(settings.url, apikey=token(settings), user_agent="satudata (ckanapi)", session=session)


def deliver(items: list[Item], files: dict[str, bytes], publikasi: Settings, settings: CkanSettings,
            ckan) -> CkanReport:
    """Bring every item's dataset on ``ckan`` (a ckanapi client) to what the publication holds."""
    report = CkanReport()
    for item in items:
        want = wanted(item, files, publikasi, settings)
        try:
            _deliver_one(want, ckan, report)
        except Exception as exc:  # one item's failure is reported; the next item and the local files go on
            report.galat.append(f"{want['name']}: {describe(exc)}")
    return report


def _deliver_one(want: dict, ckan, report: CkanReport) -> None:
    from ckanapi import NotFound
    try:
        have = ckan.action.package_show(id=want["name"])
    except NotFound:
        ckan.action.package_create(**want)
        report.dibuat += 1
        return
    sent = False
    changes = package_changes(want, have)
    if changes:
        ckan.action.package_patch(id=have["id"], **changes)
        report.diubah += 1
        sent = True
    existing = {r.get("name"): r for r in have.get("resources") or []}
    for resource in want["resources"]:
        old = existing.get(resource["name"])
        if old is None:
            ckan.action.resource_create(package_id=have["id"], **resource)
            report.sumber_baru += 1
            sent = True
        elif diff := resource_changes(resource, old):
            ckan.action.resource_patch(id=old["id"], **diff)
            report.sumber_diubah += 1
            sent = True
    report.tetap += not sent


def describe(exc: Exception) -> str:
    """A CKAN or network error in Bahasa Indonesia; CKAN's own words only as detail in quotes."""
    from ckanapi import CKANAPIError, NotAuthorized, NotFound, ValidationError
    if isinstance(exc, ConfigError):
        return str(exc)
    if isinstance(exc, ValidationError):
        error = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
        fields = ", ".join(f"{k} ({_flat(v)})" for k, v in error.items() if k != "__type")
        return f"CKAN menolak isian dataset: {fields or 'tanpa rincian'}"
    if isinstance(exc, NotAuthorized):
        return "CKAN menolak akses: periksa token API (publikasi.ckan.token_env) dan hak akun pada organisasinya"
    if isinstance(exc, NotFound):
        return "CKAN tidak menemukan dataset atau sumber yang dirujuk"
    if isinstance(exc, CKANAPIError):
        return "CKAN menjawab dengan galat yang tidak dikenal (periksa alamat CKAN dan versinya)"
    import requests
    if isinstance(exc, requests.Timeout):
        return "CKAN tidak menjawab dalam batas waktu"
    if isinstance(exc, requests.RequestException):
        return "tidak dapat terhubung ke CKAN (periksa alamat dan jaringan)"
    return f"galat tak terduga saat mengirim ke CKAN ({type(exc).__name__})"


def _flat(value: object) -> str:
    if isinstance(value, list):
        return "; ".join(_flat(v) for v in value if v)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_flat(v)}" for k, v in value.items() if v)
    return f"“{value}”"
