"""click's own texts (usage, help, errors, prompts) in Bahasa Indonesia.

click wraps every text it prints in ``gettext``'s ``_``/``ngettext``, imported into each of its
modules. Reading a compiled ``.mo`` catalogue would depend on the user's locale variables, so
the CLI installs this catalogue into those modules instead: one table, one place, whatever
``LANG`` says. A text missing from the table stays as click wrote it; the CLI test walks every
command's help and the usual mistakes and fails on the English words left over.
"""
from __future__ import annotations

import importlib

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
TYPE_NAMES = {"INT": "bilangan", "FLOAT": "angka", "STRING": "teks", "BOOL": "ya/tidak"}
MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils",
           "_termui_impl")


def gettext(message: str) -> str:
    return TEXTS.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return PLURALS.get(singular, singular) if n == 1 else PLURAL_OTHER.get(plural, plural)


def install() -> None:
    """Put the catalogue into click's modules (idempotent) and name the basic types in Indonesian,
    as their names show in help (``--year BILANGAN``) and errors."""
    import click
    for name in MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    for attr, label in TYPE_NAMES.items():
        getattr(click, attr).name = label


def command_classes():
    """click Command/Group classes whose usage line reads ``[OPSI]`` and ``PERINTAH [ARGUMEN]...``."""
    import click

    class Command(click.Command):
        def __init__(self, *args, **kwargs) -> None:
            kwargs.setdefault("options_metavar", "[OPSI]")
            super().__init__(*args, **kwargs)

    class Group(click.Group):
        command_class = Command

        def __init__(self, *args, **kwargs) -> None:
            kwargs.setdefault("options_metavar", "[OPSI]")
            kwargs.setdefault("subcommand_metavar", "PERINTAH [ARGUMEN]...")
            super().__init__(*args, **kwargs)

    Group.group_class = Group
    return Command, Group


def localise(command) -> None:
    """Usage lines in Indonesian for commands declared elsewhere (plain click.command / group)."""
    import click

    command.options_metavar = "[OPSI]"
    if isinstance(command, click.Group):
        command.subcommand_metavar = "PERINTAH [ARGUMEN]..."
        for sub in command.commands.values():
            localise(sub)
