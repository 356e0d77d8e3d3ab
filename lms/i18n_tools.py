"""Extracting, updating, compiling and checking the translation catalogues (used by `lms i18n`
and by the test that fails on a missing or fuzzy translation).

A source file belongs to the catalogue of the nearest package above it that has a `translations`
folder; the shared catalogue `lms/translations` takes the rest."""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po, write_po

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


# --- placeholders -------------------------------------------------------------------------------
#
# gettext formats a message with `%` when it is given variables (`_("Hi %(name)s", name=...)`);
# Jinja's `{{ _("...") }}` (Flask-Babel installs the new-style gettext) formats every message of
# a template, variables or not, so a lone `%` there must be written `%%`. A translation must take
# the same variables as its source, or the page fails on that language only.

_PRINTF = re.compile(
    r"%(?:\((?P<name>[^()]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
    r"(?P<conversion>[diouxXeEfFgGcrsa%])"
)
_BRACES = re.compile(r"\{(\w*)\}")
_SAMPLES = {"c": "x", "s": "x", "r": "x", "a": "x"}  # other conversions take a number


def printf_placeholders(text: str) -> list[str]:
    """The %-placeholders of `text` in order (`%(name)s` as "name:s", `%d` as ":d"), without
    `%%`; raises ValueError at a `%` that starts no placeholder (a bare `%`)."""
    found: list[str] = []
    position = text.find("%")
    while position >= 0:
        match = _PRINTF.match(text, position)
        if match is None or (match["conversion"] == "%" and match.end() - position != 2):
            raise ValueError(f"a bare % in {text!r} (write %% for a percent sign)")
        if match["conversion"] != "%":
            found.append(f"{match['name'] or ''}:{match['conversion']}")
        position = text.find("%", match.end())
    return found


def _lenient_placeholders(text: str) -> list[str]:
    return [
        f"{m['name'] or ''}:{m['conversion']}"
        for m in _PRINTF.finditer(text.replace("%%", ""))
        if m["conversion"] != "%"
    ]


def _formats(translation: str, placeholders: list[str]) -> str | None:
    """Format `translation` as gettext would, with sample values for the source's placeholders;
    the error, if any."""
    samples = {p.split(":")[0]: _SAMPLES.get(p.split(":")[1], 1) for p in placeholders}
    try:
        if any(p.startswith(":") for p in placeholders):
            translation % tuple(_SAMPLES.get(p[1:], 1) for p in placeholders)
        else:
            translation % samples
    except (ValueError, TypeError, KeyError) as error:
        return f"{type(error).__name__}: {error}"
    return None


def is_formatted(message) -> bool:
    """Whether gettext will apply `%` to the message: always in a template, and in Python code
    when the source has placeholders (Babel's python-format flag)."""
    in_template = any(Path(file).suffix in (".html", ".txt") for file, _ in message.locations)
    return in_template or message.python_format


def placeholder_problems(message, num_plurals: int) -> list[str]:
    """How the translation of `message` differs from its source in placeholders, or fails to
    format as gettext would format it; an empty list when it is sound."""
    sources = list(message.id) if isinstance(message.id, tuple | list) else [message.id]
    strings = list(message.string) if isinstance(message.string, tuple | list) else [message.string]
    formatted = is_formatted(message)
    problems: list[str] = []
    for index, string in enumerate(strings):
        if not string:
            continue
        # the first form goes with the singular when the language has several forms
        source = sources[0] if index == 0 and num_plurals > 1 else sources[-1]
        if _BRACES.findall(source) != _BRACES.findall(string):
            problems.append(f"{{fields}} differ from the source in {string!r}")
        if not formatted:
            if _lenient_placeholders(source) != _lenient_placeholders(string):
                problems.append(f"placeholders differ from the source in {string!r}")
            continue
        try:
            expected = printf_placeholders(source)
        except ValueError as error:
            problems.append(f"the source has {error}")
            continue
        try:
            got = printf_placeholders(string)
        except ValueError as error:
            problems.append(str(error))
            continue
        named = [p for p in expected if not p.startswith(":")]
        if (sorted(got) if named else got) != (sorted(expected) if named else expected):
            problems.append(
                f"placeholders {', '.join(got) or 'none'} in {string!r}, "
                f"the source has {', '.join(expected) or 'none'}"
            )
            continue
        error = _formats(string, expected)
        if error:
            problems.append(f"{string!r} does not format: {error}")
    return problems


def _compile_problem(path: Path, locale: str) -> str | None:
    """Whether the catalogue reads strictly and compiles to a .mo that gettext loads."""
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale, domain=DOMAIN, abort_invalid=True)
        gettext.GNUTranslations(io.BytesIO(_compiled(catalog)))
    except (PoFileError, OSError, ValueError, UnicodeError) as error:
        return f"does not compile: {error}"
    return None


def catalogue_problems() -> list[str]:
    """Every missing, empty, fuzzy, uncompiled or unsound translation, one line each."""
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
            for message in catalog:
                if message.id and _translated(message) and not message.fuzzy:
                    for problem in placeholder_problems(message, catalog.num_plurals):
                        problems.append(f"{name}: {problem} (for {message.id!r})")
            broken = _compile_problem(path, locale)
            if broken:
                problems.append(f"{name}: {broken}")
            mo = path.with_suffix(".mo")
            if not mo.exists() or mo.read_bytes() != _compiled(catalog):
                problems.append(f"{name}: not compiled (run `lms i18n compile`)")
    return problems
