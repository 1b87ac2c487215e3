"""Every text the CLI prints in its help and for the usual mistakes is Bahasa Indonesia."""
from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from service.cli import bahasa
from service.cli.commands import main

PLACEHOLDER = re.compile(r"\{[^}]*\}|%\([^)]*\)s")


def _english_words() -> set[str]:
    """The words of click's own catalogue (what it would print untranslated), 4 letters or more."""
    words: set[str] = set()
    for text in (*bahasa.TEXTS, *bahasa.PLURALS, *bahasa.PLURAL_OTHER):
        words.update(w.lower() for w in re.findall(r"[A-Za-z]{4,}", PLACEHOLDER.sub(" ", text)))
    same_in_indonesian = {"format"}
    return (words | {"usage", "options", "commands", "integer", "text", "directory", "args", "command"}) \
        - same_in_indonesian


ENGLISH = _english_words()


def _leaks(output: str) -> set[str]:
    """English catalogue words left in the output; command and option names are names, not text."""
    names = {"help", *main.commands}
    return {w for w in re.findall(r"(?<![-\w])[A-Za-z]{4,}", output) if w.lower() in ENGLISH} - names


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    yield prefix
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


def test_the_catalogue_is_seen_as_english_by_this_test():
    assert {"usage", "options", "missing", "invalid", "aborted", "repeat", "default"} <= ENGLISH


@pytest.mark.parametrize("path", sorted(set(_commands(main))), ids=lambda p: " ".join(p) or "satudata")
def test_help_of_every_command_is_indonesian(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Cara pakai:" in result.output and "Opsi" in result.output
    assert not _leaks(result.output), (_leaks(result.output), result.output)


@pytest.mark.parametrize("args, expected", [
    (["nope"], "tidak ada"),
    (["poll", "--bogus"], "Opsi '--bogus' tidak ada"),
    (["export", "-o", "x.csv", "--format", "pdf"], "tidak sah"),
    (["init"], "Argumen belum diisi"),
    (["status", "lebih"], "Argumen berlebih"),
    (["serve", "--port", "abc"], "bukan bilangan"),
    (["init", "ws", "--year", "dua"], "bukan bilangan"),
    (["init", "ws", "--backend", "excel"], "bukan salah satu dari"),
    (["poll", "--once=1"], "tidak menerima nilai"),
    (["init", "--backend"], "memerlukan nilai"),
])
def test_usage_errors_are_indonesian(args, expected):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert expected in result.output and "Galat:" in result.output
    assert not _leaks(result.output), (_leaks(result.output), result.output)


def test_mismatched_password_confirmation_is_indonesian():
    result = CliRunner().invoke(main, ["hash-password"], input="satu\ndua\n")
    assert "Ulangi untuk konfirmasi" in result.output
    assert "kedua isian tidak sama" in result.output
    assert not _leaks(result.output), result.output


def test_interrupted_prompt_says_dibatalkan():
    result = CliRunner().invoke(main, ["hash-password"], input="")
    assert result.exit_code == 1 and "Dibatalkan." in result.output
    assert not _leaks(result.output), result.output
