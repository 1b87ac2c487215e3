"""click's own texts (usage, help, errors, prompts) in Bahasa Indonesia, through click's supported hooks.

click builds its texts in English (wrapped in gettext, whose catalogue would follow the user's
locale variables). The CLI translates them where they are shown instead, whatever ``LANG`` says:
a ``HelpFormatter`` subclass for usage lines, headings and option help, a ``Context`` subclass
that uses it, and the root command's ``main`` for errors and interruptions, all from one table.
A text missing from the table stays as click wrote it; ``tests/test_cli_bahasa.py`` walks every
command's help and the usual mistakes and fails on the English words left over (DECISIONS.md #28).
"""
from __future__ import annotations

import re
import sys
from typing import Any

import click

TEXTS: dict[str, str] = {
    # help pages
    "Usage:": "Cara pakai:",
    "Options": "Opsi",
    "Commands": "Perintah",
    "Positional arguments": "Argumen",
    "Show this message and exit.": "Tampilkan bantuan ini lalu keluar.",
    "Show the version and exit.": "Tampilkan versi lalu keluar.",
    "%(prog)s, version %(version)s": "%(prog)s, versi %(version)s",
    "default: {default}": "bawaan: {default}",
    "env var: {var}": "variabel lingkungan: {var}",
    "required": "wajib",
    "deprecated": "usang",
    "(dynamic)": "(dinamis)",
    "Do you want to continue?": "Lanjutkan?",
    "Confirm the action without prompting.": "Setujui tanpa ditanya.",
    # usage errors
    "Error: {message}": "Galat: {message}",
    "Try '{command} {option}' for help.": "Lihat '{command} {option}' untuk bantuan.",
    "Missing command.": "Perintah belum disebut.",
    "No such command {name!r}.": "Perintah {name!r} tidak ada.",
    "No such option {name!r}.": "Opsi {name!r} tidak ada.",
    "Missing argument {param_hint}.": "Argumen belum diisi: {param_hint}.",
    "Missing option {param_hint}.": "Opsi wajib belum diisi: {param_hint}.",
    "Missing parameter {param_hint}.": "Parameter belum diisi: {param_hint}.",
    "Missing argument": "Argumen belum diisi",
    "Missing option": "Opsi wajib belum diisi",
    "Missing parameter": "Parameter belum diisi",
    "Missing parameter: {param_name}": "Parameter belum diisi: {param_name}",
    "Missing {param_type}": "{param_type} belum diisi",
    "Invalid value for {param_hint}: {message}": "Nilai {param_hint} tidak sah: {message}",
    "Invalid value: {message}": "Nilai tidak sah: {message}",
    "unknown error": "galat tak dikenal",
    "Could not open file {filename!r}: {message}": "Berkas {filename!r} tidak dapat dibuka: {message}",
    "Choose from:\n\t{choices}": "Pilih salah satu:\n\t{choices}",
    "Choice({choices})": "Pilihan({choices})",
    "Option {name!r} does not take a value.": "Opsi {name!r} tidak menerima nilai.",
    "Argument {name!r} takes {nargs} values.": "Argumen {name!r} memerlukan {nargs} nilai.",
    "Invalid start character for option ({option})": "Awalan opsi tidak sah ({option})",
    "Value must be an iterable.": "Nilai harus berupa daftar.",
    "{value} is not in the range {range}.": "{value} di luar rentang {range}.",
    "{value!r} is not a valid {number_type}.": "{value!r} bukan bilangan yang sah.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} bukan nilai ya/tidak yang sah. Nilai yang dikenal: {states}",
    "{value!r} is not a valid UUID.": "{value!r} bukan UUID yang sah.",
    "file": "berkas",
    "directory": "folder",
    "path": "jalur",
    "{name} {filename!r} is a file.": "{name} {filename!r} adalah berkas.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} adalah folder.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} tidak dapat dibaca.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} tidak dapat ditulis.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} tidak dapat dijalankan.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} tidak ada.",
    # prompts and interruptions
    "Aborted!": "Dibatalkan.",
    "Repeat for confirmation": "Ulangi untuk konfirmasi",
    "Error: The two entered values do not match.": "Galat: kedua isian tidak sama.",
    "Error: invalid input": "Galat: isian tidak sah",
    "Press any key to continue...": "Tekan tombol apa saja untuk melanjutkan...",
    "{editor}: Editing failed": "{editor}: penyuntingan gagal",
    "{editor}: Editing failed: {e}": "{editor}: penyuntingan gagal: {e}",
}

PLURALS: dict[str, str] = {  # ngettext: Indonesian has one form for both
    "Got unexpected extra argument ({args})": "Argumen berlebih tidak dikenal ({args})",
    "Takes {nargs} values but 1 was given.": "Memerlukan {nargs} nilai, diberikan 1.",
    "Did you mean {possibility}?": "Maksudnya {possibility}?",
    "Option {name!r} requires an argument.": "Opsi {name!r} memerlukan nilai.",
    "{value!r} is not {choice}.": "{value!r} bukan {choice}.",
    "{value!r} does not match the format {format}.": "{value!r} tidak sesuai format {format}.",
    "{len_type} values are required, but {len_value} was given.":
        "Diperlukan {len_type} nilai, diberikan {len_value}.",
}
PLURAL_OTHER: dict[str, str] = {
    "Got unexpected extra arguments ({args})": "Argumen berlebih tidak dikenal ({args})",
    "Takes {nargs} values but {len} were given.": "Memerlukan {nargs} nilai, diberikan {len}.",
    "(Did you mean one of: {possibilities}?)": "(Maksudnya salah satu dari: {possibilities}?)",
    "Option {name!r} requires {nargs} arguments.": "Opsi {name!r} memerlukan {nargs} nilai.",
    "{value!r} is not one of {choices}.": "{value!r} bukan salah satu dari {choices}.",
    "{value!r} does not match the formats {formats}.": "{value!r} tidak sesuai format {formats}.",
    "{len_type} values are required, but {len_value} were given.":
        "Diperlukan {len_type} nilai, diberikan {len_value}.",
}
TYPE_NAMES = {"integer": "BILANGAN", "float": "ANGKA", "text": "TEKS", "boolean": "YA/TIDAK",
              "integer range": "BILANGAN", "float range": "ANGKA"}
USAGE = "Cara pakai: "
CATALOGUE = {**TEXTS, **PLURALS, **PLURAL_OTHER}
_PLACEHOLDER = re.compile(r"\{(\w+)(?:![rs])?\}|%\((\w+)\)s")


def _compiled(english: str) -> re.Pattern[str]:
    """A message as click formats it: each placeholder becomes a named group."""
    out, seen, at = "", set(), 0
    for match in _PLACEHOLDER.finditer(english):
        name = match.group(1) or match.group(2)
        out += re.escape(english[at:match.start()]) + (f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
        seen.add(name)
        at = match.end()
    return re.compile(out + re.escape(english[at:]) + r"\Z", re.S)


# most literal text first, so "Error: {message}" is not taken for a bare "{message}"
_TEMPLATES = sorted(((_compiled(en), _PLACEHOLDER.sub(lambda m: "{" + (m.group(1) or m.group(2)) + "}", idn))
                     for en, idn in CATALOGUE.items() if _PLACEHOLDER.search(en)),
                    key=lambda pair: -len(_PLACEHOLDER.sub("", pair[0].pattern)))
_WORDS = {en.casefold(): idn for en, idn in CATALOGUE.items() if not _PLACEHOLDER.search(en)}


def translate(text: str) -> str:
    """click's English text in Bahasa Indonesia (the parts it was built from translated too)."""
    if text.casefold() in _WORDS:
        found = _WORDS[text.casefold()]
        return found[:1].upper() + found[1:] if text[:1].isupper() else found
    for pattern, indonesian in _TEMPLATES:
        match = pattern.match(text)
        if match:
            return indonesian.format(**{k: translate(v) for k, v in match.groupdict().items()})
    return text


_EXTRA = re.compile(r"(?P<help>.*?)(?P<gap>\s*)\[(?P<extra>[^\[\]]*)\]\Z", re.S)


class Formatter(click.HelpFormatter):
    """Help pages in Bahasa Indonesia: the usage prefix, the headings and each option's help and
    ``[default: …; required]`` suffix."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, USAGE if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(translate(heading))

    def write_dl(self, rows: Any, *args: Any, **kwargs: Any) -> None:
        super().write_dl([(term, _help(text)) for term, text in rows], *args, **kwargs)


def _help(text: str) -> str:
    found = _EXTRA.match(text)
    if not found:
        return translate(text)
    extras = "; ".join(translate(part) for part in found["extra"].split("; "))
    return f"{translate(found['help'])}{found['gap']}[{extras}]"


class Context(click.Context):
    formatter_class = Formatter


class Main(click.Group):
    """The root group: usage errors, failures and interruptions printed in Bahasa Indonesia."""

    context_class = Context

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            show(exc)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo(translate("Aborted!"), err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def show(exc: click.ClickException) -> None:
    """What ``exc.show()`` prints, in Bahasa Indonesia."""
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = translate("Try '{command} {option}' for help.".format(
                command=ctx.command_path, option=ctx.help_option_names[0])) + "\n"
        click.echo(f"{ctx.get_usage()}\n{hint}", err=True, color=ctx.color)
    click.echo(translate("Error: {message}".format(message=exc.format_message())), err=True)


def indonesian(command: click.Command) -> None:
    """Every command under ``command``: our Context (help in Indonesian), ``[OPSI]`` and
    ``PERINTAH`` in its usage line, and Indonesian metavars for the basic types."""
    command.context_class = Context
    command.options_metavar = "[OPSI]"
    for param in command.params:
        name = param.type.name.casefold()
        if isinstance(param, click.Option) and param.metavar is None and (name in TYPE_NAMES or name in _WORDS):
            param.metavar = TYPE_NAMES.get(name) or _WORDS[name].upper()  # FILE -> BERKAS
        elif isinstance(param, click.Argument) and param.metavar is None and (param.name or "") in _WORDS:
            param.metavar = _WORDS[param.name or ""].upper()  # an argument named "file" reads BERKAS
    if isinstance(command, click.Group):
        command.subcommand_metavar = "PERINTAH [ARGUMEN]..."
        for sub in command.commands.values():
            indonesian(sub)
