"""Who made a change, and how we know (DECISIONS.md #11): every audit event names a person or the
honest set of candidates ("salah satu dari: A, B"), never a guess presented as fact.

The evidence is what the backend saw (sheets.base.TabSnapshot: the Excel saving user and lock-file
user, the Google revision editors, whether the Walidata columns are protected) and what the
workspace file says about the OPD (its operators, the Walidata, its Ka. OPD)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sheets.base import ExcelTrail, GoogleTrail, PostAuthor, TabSnapshot
from sheets.layout import BY_KEY

POLLER = "poller (sistem)"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class People:
    """What the workspace file says about who works on one OPD's tab."""

    opd: str
    operators: tuple[str, ...] = ()
    walidata: tuple[str, ...] = ()
    kepala: tuple[str, str] | None = None  # (nama, nip) of the Ka. OPD, from [[opd]] kepala
    service_account: str | None = None
    walidata_names: tuple[str, ...] = ()  # [walidata] nama: how her spreadsheet program names her when saving
    names: tuple[tuple[str, str], ...] = ()  # (e-mail, name) of operators and Walidata named in the file
    bidang: tuple[tuple[str, str], ...] = ()  # [[opd]] bidang: (nama, email), who gets a failing row of that division

    def named(self, text: str) -> str:
        """An editor as Google gives it, with the workspace file's name for a known e-mail put first."""
        known = {email.casefold(): name for email, name in self.names}
        for email in _EMAIL.findall(text):
            name = known.get(email.casefold())
            if name and name.casefold() not in text.casefold():
                return f"{name} ({text})"
        return text

    def for_bidang(self, nama: str) -> str:
        """The e-mail of the division named in a row's Bidang (case and spacing ignored), else ""."""
        wanted = " ".join(nama.casefold().split())
        return next((email for name, email in self.bidang if " ".join(name.casefold().split()) == wanted), "") \
            if wanted else ""


@dataclass(frozen=True)
class Who:
    oleh: str
    bagaimana: str


def poller(why: str = "perubahan otomatis oleh poller") -> Who:
    return Who(POLLER, why)


def role(key: str, people: People) -> str:
    """The role that owns a column, as users call it ("Operator DINKES", "Walidata")."""
    owner = BY_KEY[key].owner if key in BY_KEY else "operator"
    return "Walidata" if owner == "walidata" else f"Operator {people.opd}"


def _emails(text: str) -> set[str]:
    return {m.casefold() for m in _EMAIL.findall(text)}


def _one_of(names: list[str]) -> str:
    names = list(dict.fromkeys(names))
    return names[0] if len(names) == 1 else "salah satu dari: " + ", ".join(names)


def edited(key: str, snapshot: TabSnapshot | None, people: People) -> Who:
    """Who edited column ``key`` of this tab since the last cycle."""
    trail = snapshot.trail if snapshot is not None else None
    if snapshot is not None and isinstance(trail, GoogleTrail) and (trail.editors or trail.basis):
        return _google(key, snapshot, trail, people)
    return _excel(key, snapshot, trail if isinstance(trail, ExcelTrail) else ExcelTrail(), people)


def _google(key: str, snapshot: TabSnapshot, trail: GoogleTrail, people: People) -> Who:
    mine = (people.service_account or "").casefold()
    editors = [e for e in trail.editors if not (mine and mine in _emails(e))]
    basis = trail.basis or "riwayat revisi Google Drive sejak siklus lalu"
    walidata = {w.casefold() for w in people.walidata}
    if snapshot.protected:  # the tab itself is editable by its OPD's operators and the Walidata only
        members = walidata | {o.casefold() for o in people.operators}
        editors = [e for e in editors if _emails(e) & members] or editors
    editors = [people.named(e) for e in editors]
    if role(key, people) == "Walidata" and snapshot.protected:
        guarded = [e for e in editors if _emails(e) & walidata]
        why = "kolom Walidata dilindungi (hanya Walidata dan akun layanan dapat mengubahnya)"
        if guarded:
            return Who(_one_of(guarded), f"{why}; penyunting menurut {basis}")
        return Who("Walidata" + (f" (salah satu dari: {', '.join(map(people.named, people.walidata))})"
                                 if people.walidata else ""),
                   f"{why}; riwayat revisi tidak menyebut Walidata tertentu")
    if editors:
        return Who(_one_of(editors), basis)
    return Who(f"tidak diketahui (kolom milik {role(key, people)})", f"{basis}: tidak ada penyunting tercatat")


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def saved_by_walidata(snapshot: TabSnapshot | None, people: People) -> bool:
    """Whether the Excel file was last saved under a name ``[walidata]`` gives (nama or an e-mail).
    The name is what the saver's program was set to, not verified; it only spares the Walidata the
    alarm for her own save, it never vouches for anyone."""
    trail = snapshot.trail if snapshot is not None else None
    saved = trail.saved_by if isinstance(trail, ExcelTrail) else None
    return saved is not None and bool(saved) and any(_same_name(saved, n) for n in (*people.walidata_names, *people.walidata))


def is_excel(snapshot: TabSnapshot | None) -> bool:
    """The evidence is an Excel file's (saver, lock file, protection), not Google's revisions or comments."""
    return snapshot is not None and not isinstance(snapshot.trail, GoogleTrail) and snapshot.comments is None


def _excel(key: str, snapshot: TabSnapshot | None, trail: ExcelTrail, people: People) -> Who:
    saved, opened = trail.saved_by, trail.opened_by
    protected = snapshot.protected if snapshot is not None else None
    names = [n for n in (saved, opened) if n]
    how = []
    if saved:
        how.append(f"{saved} terakhir menyimpan berkas (docProps/core.xml lastModifiedBy: nama pengguna "
                   "yang diatur di aplikasi, tidak diverifikasi)")
    if opened and opened != saved:
        how.append(f"{opened} sedang membuka berkas (berkas kunci)")
    if role(key, people) == "Walidata":
        walidata = saved_by_walidata(snapshot, people)
        if walidata:
            how.append(f"{saved} tercantum di [walidata] satudata.toml")
        elif protected is not None:
            how.append(f"{saved or 'penyimpan yang tidak tercatat'} tidak tercantum di [walidata] satudata.toml")
        if protected:
            how.insert(0, "disimpan ketika lembar terproteksi dengan kata sandi Walidata (proteksi mencegah, "
                          "tidak menjamin: berkas dapat diubah di luar program spreadsheet)")
        elif protected is False and walidata:
            how.insert(0, "disimpan tanpa proteksi oleh penyimpan yang tercantum di [walidata]; proteksi dipasang "
                          "kembali oleh poller")
        elif protected is False:
            how.append("tanpa proteksi: sheet tidak terkunci saat itu, siapa pun yang membuka berkas dapat mencentang")
    if not names:
        return Who(f"tidak diketahui (kolom milik {role(key, people)})",
                   "; ".join(how + ["berkas tidak mencatat siapa yang menyimpan"]))
    return Who(_one_of(names), "; ".join(how))


def comment_author(name: str, mapped: PostAuthor | None, people: People) -> tuple[Who, bool]:
    """Who wrote a comment, and whether that is the Walidata: Google gives only a display name,
    which the backend mapped through the spreadsheet's sharing list (``mapped``); a name it could
    not map to one account in ``[walidata] emails`` is never taken for the Walidata."""
    basis = "penulis komentar di Google Sheets (Google hanya memberi nama tampilan)"
    if mapped is None:
        return Who(name or "tidak diketahui", f"{basis}; tidak dicocokkan dengan daftar akses, "
                                               "jadi tidak dianggap Walidata"), False
    how = f"{basis}; {mapped.how}"
    walidata = {w.casefold() for w in people.walidata}
    emails = list(mapped.emails)
    if not emails:
        return Who(f"{name} (tidak dikenal)", f"{how}; jadi tidak dianggap Walidata"), False
    if mapped.ambiguous:
        if all(e.casefold() in walidata for e in emails):
            return Who(f"{name} (salah satu Walidata: {', '.join(emails)})",
                       f"{how}; semua akun itu tercantum di [walidata] emails"), True
        return Who(f"{name} (salah satu dari: {', '.join(emails)})", f"{how}; jadi tidak dianggap Walidata"), False
    email = emails[0]
    who = f"{name} <{email}>" if email.casefold() != name.casefold() else name
    if email.casefold() in walidata:
        return Who(who, f"{how}; {email} tercantum di [walidata] emails"), True
    if email.casefold() in {o.casefold() for o in people.operators}:
        return Who(who, f"{how}; {email} adalah Operator {people.opd} ([[opd]] operators), bukan Walidata"), False
    return Who(who, f"{how}; {email} tidak tercantum di [walidata] emails maupun operator {people.opd}"), False


_HANDOUT = re.compile(r"^Dibagikan oleh (.+?) melalui satudata distribute \((.+?)\)")


def handout_note(name: str, basis: str) -> str:
    """What `satudata distribute` writes in the Hasil Pemeriksaan (system) cell of each row it
    appends, so the poller's first event of the row names who handed it out (DECISIONS.md #32)."""
    return (f"Dibagikan oleh {name} melalui satudata distribute ({basis}); poller memberi ID dan memeriksa "
            "baris ini pada siklus berikutnya.")


def handed_out(hasil: object) -> Who | None:
    """Who handed a new row out (SOP step 2, the Walidata's act), from distribute's note, else None."""
    found = _HANDOUT.match(hasil) if isinstance(hasil, str) else None
    if found is None:
        return None
    return Who(found.group(1), f"baris ditambahkan oleh satudata distribute (langkah 2 SOP, tindakan Walidata), "
                               f"dijalankan sebagai {found.group(1)}: {found.group(2)}; tercatat di kolom sistem "
                               "Hasil Pemeriksaan")


def kepala(ticked_by: Who, people: People) -> Who:
    """Step 6: the head approves; the operator ticks on the head's behalf (DECISIONS.md #1)."""
    if people.kepala:
        nama, nip = people.kepala
        head = f"Ka. OPD {nama}" + (f" (NIP {nip})" if nip else "")
        basis = "Kepala OPD menurut [[opd]] kepala di satudata.toml"
    else:
        head = f"Ka. OPD {people.opd} (nama belum diatur di satudata.toml)"
        basis = "[[opd]] kepala belum diisi"
    return Who(head, f"{basis}; dicentang di sheet oleh {ticked_by.oleh} ({ticked_by.bagaimana})")


def together(parts: list[tuple[str, Who]]) -> Who:
    """Several people's boxes moved one step (step 5: the Operator and the Walidata agree)."""
    if len({w.oleh for _, w in parts}) == 1:
        return parts[0][1]
    return Who("; ".join(f"{label}: {w.oleh}" for label, w in parts),
               "; ".join(dict.fromkeys(w.bagaimana for _, w in parts)))
