"""Reading the Rincian column: kecamatan and desa of the demo kabupaten (Magetan)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.wilayah import (CATEGORIES, NATIONAL, NATIONAL_VERSI, Place, PlaceMatch, Wilayah, read_list,
                           normalise_place)

WILAYAH = Wilayah.load()

# Kemendagri code, BPS code, name: the two numberings differ from 35.20.12 on
KECAMATAN = [
    ("35.20.01", "3520010", "Poncol"),
    ("35.20.02", "3520020", "Parang"),
    ("35.20.03", "3520030", "Lembeyan"),
    ("35.20.04", "3520040", "Takeran"),
    ("35.20.05", "3520050", "Kawedanan"),
    ("35.20.06", "3520060", "Magetan"),
    ("35.20.07", "3520070", "Plaosan"),
    ("35.20.08", "3520080", "Panekan"),
    ("35.20.09", "3520090", "Sukomoro"),
    ("35.20.10", "3520100", "Bendo"),
    ("35.20.11", "3520110", "Maospati"),
    ("35.20.12", "3520130", "Barat"),
    ("35.20.13", "3520120", "Karangrejo"),
    ("35.20.14", "3520121", "Karas"),
    ("35.20.15", "3520131", "Kartoharjo"),
    ("35.20.16", "3520061", "Ngariboyo"),
    ("35.20.17", "3520041", "Nguntoronadi"),
    ("35.20.18", "3520071", "Sidorejo"),
]


def test_eighteen_kecamatan_in_kemendagri_order():
    assert [(p.kode, p.kode_bps, p.nama) for p in WILAYAH.kecamatan] == KECAMATAN
    assert all(p.kind == "kecamatan" and p.kecamatan == p.nama for p in WILAYAH.kecamatan)


def test_reference_desa_all_loaded():
    rows = [e for e in read_list(NATIONAL) if e.kode.startswith("35.20.") and e.level in ("desa", "kelurahan")]
    assert len(WILAYAH.desa) == len(rows) == 235
    assert sum(p.kind == "kelurahan" for p in WILAYAH.desa) == 28


@pytest.mark.parametrize(("kode", "bps", "nama"), KECAMATAN)
@pytest.mark.parametrize("form", ["nama", "upper", "prefixed", "kode", "kode_spaced", "bps",
                                  "bps_number"])
def test_every_kecamatan_matches_by_name_code_and_bps_code(kode, bps, nama, form):
    text = {"nama": nama, "upper": f"  {nama.upper()} ", "prefixed": f"Kec. {nama}",
            "kode": kode, "kode_spaced": kode.replace(".", " ", 1).replace(".", " "),
            "bps": bps, "bps_number": float(bps)}[form]
    match = WILAYAH.lookup(text)
    assert (match.status, match.place.kode, match.place.kind) == ("cocok", kode, "kecamatan")


# (text, kind, kode): names, prefixes, codes and the old spellings
PLACES = [
    ("Kecamatan Plaosan", "kecamatan", "35.20.07"),
    ("KEC.PLAOSAN", "kecamatan", "35.20.07"),
    ("kec  plaosan", "kecamatan", "35.20.07"),
    ("3520 07", "kecamatan", "35.20.07"),
    ("35-20-07", "kecamatan", "35.20.07"),
    ("Plaosan\u00a0", "kecamatan", "35.20.07"),
    ("\u200bPlaosan", "kecamatan", "35.20.07"),
    ("Ｐｌａｏｓａｎ", "kecamatan", "35.20.07"),
    ("Poncol", "kecamatan", "35.20.01"),  # also a desa: without prefix, the kecamatan
    ("Desa Poncol", "desa", "35.20.01.2001"),
    ("Ds. Poncol", "desa", "35.20.01.2001"),
    ("Magetan", "kecamatan", "35.20.06"),
    ("Kel. Magetan", "kelurahan", "35.20.06.1004"),
    ("Kelurahan Magetan", "kelurahan", "35.20.06.1004"),
    ("Desa Magetan", "kelurahan", "35.20.06.1004"),  # desa/kelurahan are one level
    ("Sarangan", "kelurahan", "35.20.07.1013"),
    ("Kel. Sarangan", "kelurahan", "35.20.07.1013"),
    ("Lembeyan Kulon", "kelurahan", "35.20.03.1002"),
    ("lembeyan-kulon", "kelurahan", "35.20.03.1002"),
    ("Ngancar", "desa", "35.20.07.2001"),
    ("35.20.07.2001", "desa", "35.20.07.2001"),
    ("3520072001", "desa", "35.20.07.2001"),
    ("3520070001", "desa", "35.20.07.2001"),  # BPS desa code
    ("35.20.06.1004", "kelurahan", "35.20.06.1004"),
    ("Sukowidi", "desa", "35.20.08.2014"),  # shared by several desa: known, the first
    ("Joketro", "desa", "35.20.02.2012"),
    ("Jokerto", "desa", "35.20.02.2012"),
    ("Desa Jokerto", "desa", "35.20.02.2012"),
    ("Klagen Gambiran", "desa", "35.20.11.2006"),
    ("Klagengambiran", "desa", "35.20.11.2006"),
    ("Sambirembe", "desa", "35.20.13.2004"),
    ("Samberembe", "desa", "35.20.13.2004"),
    ("Bayemwetan", "desa", "35.20.15.2010"),
    ("Bayem Wetan", "desa", "35.20.15.2010"),
    ("Klagen", "desa", "35.20.12.2014"),
    (3520070, "kecamatan", "35.20.07"),
]


@pytest.mark.parametrize(("text", "kind", "kode"), PLACES)
def test_known_places_match_after_normalising(text, kind, kode):
    match = WILAYAH.lookup(text)
    assert (match.status, match.place.kind, match.place.kode) == ("cocok", kind, kode)
    assert match.message is None


# (text, suggestion): near misses of a known name
NEAR_MISSES = [
    ("Plaosen", "Kecamatan Plaosan"),
    ("Kec. Plaosen", "Kecamatan Plaosan"),
    ("Kec. Maospaty", "Kecamatan Maospati"),
    ("Maospaty", "Kecamatan Maospati"),
    ("Kawedanen", "Kecamatan Kawedanan"),
    ("Kartohardjo", "Kecamatan Kartoharjo"),
    ("Nguntoronadhi", "Kecamatan Nguntoronadi"),
    ("Sumbersawid", "Desa Sumbersawit"),
    ("Desa Tawangrjo", "Desa Tawangrejo"),
]


@pytest.mark.parametrize(("text", "suggestion"), NEAR_MISSES)
def test_near_miss_is_mirip_with_a_suggestion_that_reads_back(text, suggestion):
    match = WILAYAH.lookup(text)
    assert (match.status, match.place, match.suggestion) == ("mirip", None, suggestion)
    assert f"maksud Anda {suggestion}" in match.message
    assert WILAYAH.lookup(match.suggestion).status == "cocok"


def test_near_miss_message_names_text_and_suggestion():
    assert WILAYAH.lookup("Kec. Plaosen").message == (
        "Rincian 'Kec. Plaosen' tidak dikenal; maksud Anda Kecamatan Plaosan?")


# (text, suggestion or None): looks like a place, but is unknown
UNKNOWN = [
    ("Kec. Xyz", None),
    ("Kecamatan Surabaya", None),
    ("Desa Antah Berantah", None),
    ("35.20.99", None),
    ("3520999", None),
    ("35.20.07.9999", None),
    ("3520", None),
    ("Kec. Kras", "Kecamatan Karas"),  # too short for "mirip", still worth a hint
    ("Kec. Sarangan", "Kelurahan Sarangan"),  # a kelurahan, not a kecamatan
    ("Desa Barat", "Kecamatan Barat"),
    ("3520061004", None),  # Kemendagri Kel. Magetan or BPS Desa Banjarpanjang
]


@pytest.mark.parametrize(("text", "suggestion"), UNKNOWN)
def test_place_like_text_that_is_unknown_is_reported(text, suggestion):
    match = WILAYAH.lookup(text)
    assert (match.status, match.place, match.suggestion) == ("tidak_dikenal", None, suggestion)
    assert match.message.startswith("Rincian '")


def test_undotted_code_shared_by_both_numberings_is_not_guessed():
    message = WILAYAH.lookup("3520061004").message
    assert "ambigu" in message and "35.20.06.1004" in message


CATEGORY_TEXTS = ["Laki-laki", "Perempuan", "LAKI - LAKI", "SD", "SMP", "SMA/SMK", "Rawat Jalan",
                  "Rawat Inap", "Januari", "Desember", "Baik", "Rusak Berat", "Negeri", "Swasta",
                  "Perdesaan", "0-4 tahun", "2024", "Kab. Magetan", "Kabupaten Magetan", "",
                  None, "Padi", "Jagung"]


@pytest.mark.parametrize("text", CATEGORY_TEXTS)
def test_categories_are_not_places(text):
    assert WILAYAH.lookup(text) == PlaceMatch("bukan_tempat")


def test_no_category_word_is_a_place_name():
    names = {normalise_place(p.nama).replace(" ", "") for p in WILAYAH.kecamatan + WILAYAH.desa}
    assert not CATEGORIES & names


KABUPATEN = [("", True), (None, True), ("  ", True), ("Kabupaten", True), ("Kab. Magetan", True),
             ("KAB MAGETAN", True), ("Total", True), ("Jumlah", True), ("Total kabupaten", True),
             ("Kabupaten Magetan", True), ("Se-Kabupaten Magetan", True), ("Jumlah Total", True),
             ("Magetan", False), ("Kec. Magetan", False), ("Plaosan", False),
             ("Laki-laki", False), ("Total Laki-laki", False)]


@pytest.mark.parametrize(("text", "expected"), KABUPATEN)
def test_whole_kabupaten_row_is_recognised(text, expected):
    assert WILAYAH.is_kabupaten(text) is expected


@pytest.mark.parametrize(("text", "normalised"), [
    ("Kec. Plaosan", "plaosan"), ("KECAMATAN  Plaosan", "plaosan"),
    ("Desa Bayem-Wetan", "bayem wetan"), ("Kel.Sarangan", "sarangan"), ("Ds. Poncol", "poncol"),
    ("  Lembeyan   Kulon ", "lembeyan kulon"),
    ("Ｐｌａｏｓａｎ", "plaosan"), (None, ""),
])
def test_normalise_place_drops_case_prefix_and_punctuation(text, normalised):
    assert normalise_place(text) == normalised


def test_places_are_frozen_values():
    place = WILAYAH.lookup("Plaosan").place
    assert place == Place("kecamatan", "35.20.07", "Plaosan", "Plaosan", "3520070")
    with pytest.raises(AttributeError):
        place.nama = "X"  # type: ignore[misc]


def test_load_without_a_workspace_list_reads_the_national_table(tmp_path):
    assert Wilayah.load("35.20", tmp_path).kecamatan == WILAYAH.kecamatan
    assert WILAYAH.versi == NATIONAL_VERSI and WILAYAH.nama == "Kabupaten Magetan"


def test_repeated_lookups_of_a_workspace_are_answered_from_the_cache():
    """A whole workspace asks for the same few hundred places every cycle: each is matched once."""
    wilayah = Wilayah.load()
    texts = [f"Desa Antah {i}" for i in range(300)] + [p.nama for p in wilayah.desa]
    first = [wilayah.lookup(text) for text in texts]
    for _ in range(5):
        assert [wilayah.lookup(text) for text in texts] == first
    info = wilayah._cached.cache_info()
    assert info.misses == len(set(texts))
    assert info.hits == 5 * len(texts) + len(texts) - len(set(texts))


@settings(database=None)
@given(st.one_of(st.text(), st.text(alphabet="3520.- KecDsa"), st.integers(), st.floats(),
                 st.booleans(), st.none()))
def test_lookup_never_raises(text):
    match = WILAYAH.lookup(text)
    assert match.status in ("cocok", "bukan_tempat", "tidak_dikenal", "mirip")
    assert (match.place is not None) == (match.status == "cocok")
    WILAYAH.is_kabupaten(text)


def test_very_long_text_is_not_a_place():
    assert WILAYAH.lookup("Plaosan " * 10_000).status == "bukan_tempat"
    assert WILAYAH.lookup("Kec. " + "x" * 50_000).status == "tidak_dikenal"


def test_any_kabupaten_or_kota_reads_its_own_places():
    semarang = Wilayah.load("33.74")
    assert semarang.nama == "Kota Semarang" and len(semarang.kecamatan) == 16
    assert semarang.kecamatan[0].nama == "Semarang Tengah" and semarang.kecamatan[0].kode == "33.74.01"
    assert semarang.lookup("Kec. Semarang Tengah").status == "cocok"
    assert semarang.lookup("Miroto").place.kode == "33.74.01.1001"
    assert semarang.is_kabupaten("Kota Semarang") and semarang.is_kabupaten("Total")
    assert semarang.lookup("Kec. Plaosan").status == "tidak_dikenal"
    assert "Kota Semarang" in semarang.lookup("Kec. Plaosan").message
    assert "Magetan" not in semarang.lookup("Kec. Plaosan").message
    assert semarang.lookup("33.74.01").status == "cocok" and semarang.lookup("35.20.07").status != "cocok"


def _renumbered():
    """The national Magetan list, and a newer one in which Desa Poncol is renamed and Desa Gonggang dropped."""
    old = [e for e in read_list(NATIONAL) if e.kode.startswith("35")]
    new = [e if e.kode != "35.20.01.2001" else e.__class__(e.kode, "Poncol Baru", e.level)
           for e in old if e.kode != "35.20.01.2002"]
    return Wilayah.from_list(new, "35.20", "Kepmendagri 300.2.2-9999/2026", old)


def test_a_renamed_desa_still_reads_as_that_place_with_a_warning_naming_the_list():
    wilayah = _renumbered()
    old_name = wilayah.lookup("Desa Poncol")
    assert old_name.status == "cocok" and old_name.place.kode == "35.20.01.2001"
    assert old_name.place.nama == "Poncol Baru"
    assert "berganti nama menjadi Poncol Baru" in old_name.warning and "9999/2026" in old_name.warning
    assert wilayah.lookup("Poncol Baru").warning is None
    assert wilayah.lookup("Poncol").place.kind == "kecamatan" and wilayah.lookup("Poncol").warning is None


def test_a_dropped_desa_keeps_its_code_with_a_warning_never_an_error():
    wilayah = _renumbered()
    for text in ("Gonggang", "Desa Gonggang", "35.20.01.2002"):
        match = wilayah.lookup(text)
        assert match.status == "cocok" and match.place.kode == "35.20.01.2002", text
        assert "tidak ada lagi" in match.warning


def _under(entries, kode):
    return tuple(e for e in entries if e.kode == kode or e.kode.startswith(kode + "."))


@pytest.mark.parametrize("kode", ["35.20", "11.01", "35", "99.99"])
def test_the_places_under_a_code_read_alone_are_those_of_the_whole_list(kode):
    """Wilayah.load parses only the lines holding its kabupaten's code (DECISIONS.md #155)."""
    from rules.wilayah import read_under

    assert read_under(NATIONAL, kode) == _under(read_list(NATIONAL), kode)


@pytest.mark.parametrize("text", [
    'level,kode,nama\nkabupaten,35.20,Kabupaten Magetan\nkecamatan, 35.20.01 ,"Poncol, Barat"\n'
    'kecamatan,35.201,Bukan\ndesa,"35.20.01.2001","Desa ""Lama"""\n',
    'kode,nama,level\r\n35.20,Kabupaten Magetan,kabupaten\r\n35.20.01,Poncol,kecamatan\r\n',
    'kode,nama,level\n35.20,Kabupaten Magetan,kabupaten\n35.20.01,"Poncol\nBaru",kecamatan\n'
    '11.01,"Aceh\n35.20.02,Palsu,kecamatan",kabupaten\n',
], ids=["quoted-reordered", "crlf", "multi-line-name"])
def test_a_hand_made_list_gives_the_same_places_under_a_code(tmp_path, text):
    from rules.wilayah import read_under

    path = tmp_path / "wilayah.csv"
    path.write_bytes(text.encode("utf-8"))
    assert read_under(path, "35.20") == _under(read_list(path), "35.20")
    assert read_under(path, "35.20")
