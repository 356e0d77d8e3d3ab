"""Extracting, updating, compiling and checking the translation catalogues (used by `lms i18n`
and by the test that fails on a missing or fuzzy translation).

A source file belongs to the catalogue of the nearest package above it that has a `translations`
folder; the shared catalogue `lms/translations` takes the rest."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from lms.i18n import PACKAGE_DIR, UI_LOCALES, catalogue_dirs

KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
METHODS = {".py": "python", ".html": "jinja2", ".txt": "jinja2"}
DOMAIN = "messages"


def _owner(path: Path, owners: list[Path]) -> Path:
    for parent in path.parents:
        if parent in owners:
            return parent
    return PACKAGE_DIR


def sources_by_catalogue() -> dict[Path, list[Path]]:
    owners = [directory.parent for directory in catalogue_dirs()]
    result: dict[Path, list[Path]] = {owner: [] for owner in owners}
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.suffix not in METHODS or not path.is_file():
            continue
        if "migrations" in path.parts or "translations" in path.parts:
            continue
        if path.suffix == ".txt" and "templates" not in path.parts:
            continue
        result[_owner(path, owners)].append(path)
    return result


def extract(sources: list[Path]) -> Catalog:
    catalog = Catalog(domain=DOMAIN, charset="utf-8")
    for path in sources:
        method = METHODS[path.suffix]
        options = {"extensions": "jinja2.ext.do"} if method == "jinja2" else {}
        for lineno, message, comments, context in extract_from_file(
            method, str(path), keywords=KEYWORDS, options=options
        ):
            catalog.add(
                message,
                None,
                [(str(path.relative_to(PACKAGE_DIR.parent)), lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


# Catalogue folders use Babel's canonical locale names: Flask-Babel looks up `zh_Hans_CN` (and
# `zh`) for the UI locale `zh_CN`, never `zh_CN` itself.
FOLDER_NAMES = {"en": "en", "zh_CN": "zh_Hans_CN"}


def po_path(owner: Path, locale: str) -> Path:
    path = owner / "translations" / FOLDER_NAMES[locale] / "LC_MESSAGES" / f"{DOMAIN}.po"
    legacy = owner / "translations" / locale
    if locale != FOLDER_NAMES[locale] and legacy.is_dir() and not path.parent.parent.exists():
        legacy.rename(path.parent.parent)
    return path


def _read(path: Path, locale: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=locale, domain=DOMAIN, charset="utf-8")
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, domain=DOMAIN)


def _compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def update_catalogues(package: str | None = None) -> Iterator[str]:
    """Merge new messages into the catalogues (of one feature package when `package` is given)."""
    for owner, sources in sources_by_catalogue().items():
        if package is not None and owner.name != package:
            continue
        for locale in UI_LOCALES:
            # A fresh template per locale: Catalog.update shares message objects with it.
            template = extract(sources)
            path = po_path(owner, locale)
            catalog = _read(path, locale)
            catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
            catalog.obsolete.clear()
            if locale == "en":
                for message in catalog:
                    if message.id and not _translated(message):
                        message.string = message.id
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                write_po(handle, catalog, width=100, omit_header=False, sort_output=True)
            empty = sum(1 for m in catalog if m.id and not _translated(m))
            yield f"{path.relative_to(PACKAGE_DIR.parent)}: {len(catalog)} messages, {empty} empty"


def compile_catalogues(package: str | None = None) -> Iterator[str]:
    for owner in sources_by_catalogue():
        if package is not None and owner.name != package:
            continue
        for locale in UI_LOCALES:
            path = po_path(owner, locale)
            if path.exists():
                path.with_suffix(".mo").write_bytes(_compiled(_read(path, locale)))
                yield f"compiled {path.with_suffix('.mo').relative_to(PACKAGE_DIR.parent)}"


def _translated(message) -> bool:
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string)


def _untranslated_copy(message) -> bool:
    """A translation that is the English source again (and has words to translate)."""
    source = message.id[0] if isinstance(message.id, tuple | list) else message.id
    string = message.string[0] if isinstance(message.string, tuple | list) else message.string
    words = re.sub(r"%\(\w+\)[sdrf]|%[sdrf]|\{\w*\}", "", source)
    return string == source and re.search(r"[A-Za-z]{2}", words) is not None


def catalogue_problems() -> list[str]:
    """Every missing, empty, fuzzy or uncompiled translation, one line each."""
    problems: list[str] = []
    for owner, sources in sources_by_catalogue().items():
        template = extract(sources)
        for locale in UI_LOCALES:
            path = po_path(owner, locale)
            name = str(path.relative_to(PACKAGE_DIR.parent))
            if not path.exists():
                if len(template):
                    problems.append(f"{name}: missing ({len(template)} messages to translate)")
                continue
            catalog = _read(path, locale)
            for message in template:
                if not message.id:
                    continue
                found = catalog.get(message.id, message.context)
                if found is None:
                    problems.append(f"{name}: no entry for {message.id!r}")
                elif found.fuzzy:
                    problems.append(f"{name}: fuzzy entry for {message.id!r}")
                elif not _translated(found):
                    problems.append(f"{name}: empty translation for {message.id!r}")
                elif locale != "en" and _untranslated_copy(found):
                    problems.append(f"{name}: the English text was copied for {message.id!r}")
            mo = path.with_suffix(".mo")
            if not mo.exists() or mo.read_bytes() != _compiled(catalog):
                problems.append(f"{name}: not compiled (run `lms i18n compile`)")
    return problems
