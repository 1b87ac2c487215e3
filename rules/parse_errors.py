"""Parser errors (regular expressions, YAML) told in Bahasa Indonesia, without parser internals.

The rule-file messages name file, line and key themselves; these helpers only turn what
``re`` and PyYAML say ("missing ), unterminated subpattern", "while parsing a block
collection in '<unicode string>'") into a sentence a Walidata can act on.
"""
from __future__ import annotations

import re

REGEX = (  # (start of re.error's msg, Indonesian)
    ("missing ), unterminated subpattern", "kurung '(' tidak ditutup"),
    ("unbalanced parenthesis", "ada kurung ')' tanpa pasangan '('"),
    ("unterminated character set", "kurung siku '[' tidak ditutup"),
    ("nothing to repeat", "tanda ulang (*, +, ? atau {n}) tanpa sesuatu yang diulang"),
    ("multiple repeat", "dua tanda ulang berturut-turut"),
    ("bad escape", "urutan garis miring terbalik (\\) tidak dikenal"),
    ("bad character range", "rentang karakter terbalik, mis. [z-a]"),
    ("look-behind requires fixed-width pattern", "look-behind harus sepanjang tetap"),
    ("unknown extension", "bentuk (?...) tidak dikenal"),
    ("missing group name", "nama grup kosong"),
    ("bad character in group name", "nama grup tidak sah"),
    ("redefinition of group name", "nama grup dipakai dua kali"),
    ("unknown group name", "nama grup tidak dikenal"),
    ("invalid group reference", "rujukan grup tidak sah"),
    ("missing :", "tanda ':' kurang"),
    ("missing -, :, or )", "bentuk (?...) tidak lengkap"),
)

YAML = (  # (start of PyYAML's problem, Indonesian)
    ("mapping values are not allowed here",
     "tanda ':' di tempat yang tidak diharapkan (indentasi salah atau teks perlu tanda kutip)"),
    ("could not find expected ':'", "tanda ':' yang diharapkan tidak ada"),
    ("expected <block end>", "indentasi tidak konsisten dengan baris sebelumnya"),
    ("found character '\\t' that cannot start any token",
     "karakter tab dipakai untuk indentasi; gunakan spasi"),
    ("found unexpected end of stream", "berkas berakhir sebelum tanda kutip ditutup"),
    ("found undefined alias", "alias (*nama) tidak dikenal"),
    ("found duplicate anchor", "anchor (&nama) dipakai dua kali"),
    ("expected ',' or ']'", "daftar [...] tidak ditutup dengan ']'"),
    ("expected ',' or '}'", "pemetaan {...} tidak ditutup dengan '}'"),
    ("found unknown escape character", "urutan garis miring terbalik (\\) tidak dikenal di dalam tanda kutip"),
    ("found character that cannot start any token", "karakter yang tidak boleh mengawali nilai (mis. @ atau `)"),
    ("expected alphabetic or numeric character", "nama alias/anchor tidak sah"),
)


def regex_error(exc: re.error) -> str:
    """'kurung '(' tidak ditutup (posisi 0)' instead of 'missing ), unterminated subpattern at position 0'."""
    msg = getattr(exc, "msg", str(exc))
    text = next((indo for start, indo in REGEX if msg.startswith(start)), "susunan pola tidak sah")
    return f"{text} (posisi {exc.pos})" if getattr(exc, "pos", None) is not None else text


def yaml_error(exc: Exception) -> tuple[int, str]:
    """(line, Indonesian text) of a PyYAML error; line 0 when PyYAML does not know it."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = str(getattr(exc, "problem", "") or "")
    text = next((indo for start, indo in YAML if problem.startswith(start)), "susunan YAML tidak sah")
    if mark is None:
        return 0, text
    return mark.line + 1, f"{text} (kolom {mark.column + 1})"


TOML = (  # (start of tomllib's message, Indonesian)
    ("Invalid statement", "baris ini bukan 'kunci = nilai' dan bukan [bagian]"),
    ("Expected newline or end of document after a statement",
     "sesudah nilai masih ada teks di baris yang sama; satu kunci satu baris"),
    ("Expected '=' after a key in a key/value pair", "tanda '=' sesudah nama kunci tidak ada"),
    ("Invalid initial character for a key part", "nama kunci diawali karakter yang tidak boleh"),
    ("Expected ']' at the end of a table declaration", "nama bagian [...] tidak ditutup dengan ']'"),
    ("Expected ']]' at the end of an array declaration", "nama bagian [[...]] tidak ditutup dengan ']]'"),
    ("Unterminated string", "tanda kutip teks tidak ditutup"),
    ("Illegal character '\\n'", "tanda kutip teks tidak ditutup di baris ini"),
    ("Illegal character", "karakter yang tidak boleh ada di dalam teks"),
    ("Unclosed array", "daftar [...] tidak ditutup dengan ']'"),
    ("Unclosed inline table", "tabel {...} tidak ditutup dengan '}'"),
    ("Invalid value", "nilai tidak sah (teks harus diapit tanda kutip, mis. \"Dinas Kesehatan\"; true/false huruf kecil)"),
    ("Invalid date or datetime", "tanggal atau waktu tidak sah"),
    ("Invalid hex value", "kode \\u atau \\U di dalam teks tidak sah"),
    ("Escaped character is not a Unicode scalar value", "kode \\u atau \\U di dalam teks bukan karakter"),
    ("Unescaped '\\' in a string",
     "garis miring terbalik (\\) di dalam teks: tulis \\\\ atau apit teks dengan tanda kutip tunggal '...'"),
    ("Found invalid character", "karakter yang tidak boleh ada di sini"),
    ("Cannot declare", "kunci atau bagian yang sama ditulis dua kali"),
    ("Cannot overwrite a value", "kunci yang sama ditulis dua kali"),
    ("Cannot redefine namespace", "bagian yang sama ditulis dua kali"),
    ("Cannot mutate immutable namespace", "bagian ini sudah ditulis sebagai nilai; tidak bisa ditambah di sini"),
    ("Duplicate inline table key", "kunci yang sama ditulis dua kali di dalam {...}"),
)
_TOML_WHERE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|(end of document))\)\s*$")
_TOML_EXPECTED = re.compile(r"Expected ('.*')$")


def toml_error(exc: Exception) -> str:
    """'tanda '=' sesudah nama kunci tidak ada (baris 2, kolom 6)' instead of tomllib's
    "Expected '=' after a key in a key/value pair (at line 2, column 6)"."""
    message = str(exc)
    where = _TOML_WHERE.search(message)
    problem = message[:where.start()] if where else message
    text = next((indo for start, indo in TOML if problem.startswith(start)), None)
    if text is None:
        expected = _TOML_EXPECTED.match(problem)
        text = f"tanda {expected.group(1)} diharapkan di sini" if expected else "susunan TOML tidak sah"
    if where is None:
        return text
    return f"{text} (di akhir berkas)" if where.group(3) else f"{text} (baris {where.group(1)}, kolom {where.group(2)})"
