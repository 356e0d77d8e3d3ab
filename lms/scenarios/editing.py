"""The drill editor's work: a draft scenario document, changed form by form, checked with the
importer's own rules, previewed and published.

A draft is the scenario's document in the file format (texts as locale maps) kept in the shared
drafts table (`lms.authoring`, kind ``scenario``) exactly as the trainer left it, valid or not.
`check` runs `lms.content.validators.check_scenario` on it and resolves its skills with the
loader against the stored framework, as `lms import` would for `scenarios/<id>.yaml`; the places
of the errors (``nodes.opening.choices[1].next``) are mapped to the editor's fields
(``choice-1-next`` of node ``opening``) and told in the trainer's words, naming the field as the
form labels it (``Pick a node of this drill for Reply 2: Leads to.``).

Limits of the editor (on top of the importer's rules): at most 100 nodes; a line the customer
says, a reply or a rubric line at most 2,000 characters; feedback, the summary and the briefing
at most 20,000 characters; no control characters.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm.attributes import flag_modified

from lms.authoring import services as drafts
from lms.authoring.form_states import check_new_id, check_text, locales_for, normalize
from lms.authoring.messages import CHOICE, field_label, field_labels, field_message
from lms.authoring.models import ContentDraft
from lms.authoring.validation import GENERAL, Problems
from lms.content import store
from lms.content.checking import check_document, stored_context
from lms.content.checks import ID_RE
from lms.content.errors import ValidationError
from lms.content.forms import markdown_problem
from lms.content.kinds import node_kind
from lms.content.markdown import MarkdownError, render_text_map
from lms.content.model import DEFAULT_LANGUAGE, Scenario
from lms.content.models import ContentVersion
from lms.extensions import db
from lms.people.models import User
from lms.scenarios import services

KIND = services.KIND
MAX_NODES = 100
MAX_LINE_CHARS = 2_000
MAX_LONG_CHARS = 20_000
NODE_KINDS = ("choice", "open", "end")
PERSONA_KEYS = ("name", "role", "company", "industry", "context")


class EditorError(Exception):
    def __init__(self, message: str, field_name: str = GENERAL) -> None:
        super().__init__(message)
        self.message = message
        self.field = field_name


# --- where a draft stands -----------------------------------------------------------------------


@dataclass
class Editing:
    slug: str
    document: dict[str, Any]
    version: ContentVersion | None  # the published version, if any
    draft: ContentDraft | None

    @property
    def revision(self) -> int:
        """The draft's revision (0 without a draft), sent back by every saving form."""
        return self.draft.revision if self.draft is not None else 0

    @property
    def language(self) -> str:
        language = self.document.get("language")
        return language if isinstance(language, str) and language else DEFAULT_LANGUAGE

    @property
    def locales(self) -> tuple[str, ...]:
        return locales_for(self.language)

    @property
    def nodes(self) -> dict[str, Any]:
        nodes = self.document.get("nodes")
        return nodes if isinstance(nodes, dict) else {}

    @property
    def draft_is_stale(self) -> bool:
        return (
            self.draft is not None
            and self.version is not None
            and self.draft.base_version_id != self.version.id
        )


def editing(slug: str) -> Editing | None:
    """The draft of a drill, else its published document; None when neither exists."""
    version = store.current_version(KIND, slug)
    draft = drafts.find_draft(KIND, slug)
    if draft is not None:
        return Editing(slug, copy.deepcopy(draft.document), version, draft)
    if version is not None:
        return Editing(slug, copy.deepcopy(version.document), version, None)
    return None


def save(state: Editing, document: dict[str, Any], *, actor: User) -> ContentDraft:
    """Keep `document` as the drill's draft (learners keep seeing the published version)."""
    draft = drafts.save_draft(KIND, state.slug, document, actor=actor, base_version=state.version)
    # Moving a node changes only the order of keys, which dict equality ignores.
    flag_modified(draft, "document")
    db.session.flush()
    state.document = copy.deepcopy(document)
    state.draft = draft
    return draft


def new_document(slug: str, title: str, language: str) -> dict[str, Any]:
    """A two-node skeleton: one choice leading to a `partial` end. Its structure is sound; it
    is published only once the trainer has replaced the placeholder texts, chosen its skills
    and written a success ending (see :func:`placeholder_problems`)."""
    return {
        "id": slug,
        "title": {language: title},
        "language": language,
        "skills": [],
        "pass_score": 70,
        "start": "opening",
        "nodes": {
            "opening": {
                "say": {language: _("What the customer says first.")},
                "choices": [
                    {"text": {language: _("A reply the learner can pick.")}, "next": "won"}
                ],
            },
            "won": {
                "say": {language: _("What the customer says when it goes well.")},
                "end": "partial",
            },
        },
    }


PLACEHOLDERS = (
    "What the customer says first.",
    "A reply the learner can pick.",
    "What the customer says when it goes well.",
)


def _placeholders() -> frozenset[str]:
    """The skeleton's placeholder texts in every interface language."""
    from flask_babel import force_locale
    from flask_babel import gettext as translate

    found: set[str] = set(PLACEHOLDERS)
    for locale in ("en", "zh_CN"):
        with force_locale(locale):
            found.update(translate(text) for text in PLACEHOLDERS)
    return frozenset(found)


def placeholder_problems(document: Mapping[str, Any], result: Check) -> None:
    """Refuse to publish while a placeholder text of the skeleton remains or no skill is chosen."""
    placeholders = _placeholders()
    nodes = document.get("nodes") if isinstance(document.get("nodes"), Mapping) else {}
    for node_id, raw in nodes.items():
        if not isinstance(raw, Mapping):
            continue
        texts = [("say", raw.get("say"))]
        texts += [
            (f"choice-{i}-text", choice.get("text"))
            for i, choice in enumerate(raw.get("choices") or ())
            if isinstance(choice, Mapping)
        ]
        for name, value in texts:
            values = value.values() if isinstance(value, Mapping) else [value]
            if any(isinstance(text, str) and text.strip() in placeholders for text in values):
                result.nodes.setdefault(node_id, Problems()).add(
                    name, _("Replace the placeholder text with your own words.")
                )
    skills = document.get("skills")
    if not (isinstance(skills, list) and skills):
        result.general.add("skills", _("Choose at least one skill this drill trains."))


def create(slug: str, title: str, language: str, *, actor: User) -> tuple[Editing | None, Problems]:
    """Start a new drill as a draft; problems name the `id`, `title` or `language` field."""
    problems = Problems()
    slug = slug.strip()
    title = normalize(title).strip()
    check_new_id(problems, slug)
    if not problems and drafts.id_taken(KIND, slug):
        problems.add("id", _("A drill with this id exists already (perhaps retired or a draft)."))
    if not title:
        problems.add("title", _("Give the drill a title."))
    check_text(problems, "title", title, MAX_LINE_CHARS, _("The title"))
    if language not in ("en", "zh-CN"):
        problems.add("language", _("Choose English or Chinese."))
    if problems:
        return None, problems
    state = Editing(slug, {}, None, None)
    save(state, new_document(slug, title, language), actor=actor)
    return state, problems


# --- checking -----------------------------------------------------------------------------------


@dataclass
class Check:
    scenario: Scenario | None
    errors: list[ValidationError]
    general: Problems = field(default_factory=Problems)
    nodes: dict[str, Problems] = field(default_factory=dict)
    # the HTML of the Markdown fields, once the draft passed every other check
    rendered: dict[str, dict[str, str]] | None = None

    @property
    def ok(self) -> bool:
        return (
            self.scenario is not None
            and not self.errors
            and not self.general
            and not any(self.nodes.values())
        )

    @property
    def count(self) -> int:
        return sum(len(p.by_field) for p in self.nodes.values()) + len(self.general.by_field)

    def node(self, node_id: str) -> Problems:
        return self.nodes.get(node_id) or Problems()


_GENERAL_PLACES = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"^(?P<key>id|language|skills|pass_score|difficulty|start)$", "{key}"),
        (r"^skills\[\d+\]$", "skills"),
        (r"^(?P<key>title|summary)$", "{key}-{main}"),
        (r"^(?P<key>title|summary)\.(?P<locale>[A-Za-z0-9-]+)$", "{key}-{locale}"),
        (r"^persona$", "persona-name-{main}"),
        (r"^persona\.(?P<key>[a-z]+)$", "persona-{key}-{main}"),
        (r"^persona\.(?P<key>[a-z]+)\.(?P<locale>[A-Za-z0-9-]+)$", "persona-{key}-{locale}"),
    )
)

_NODE_PLACES = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"^$", GENERAL),
        (r"^\.say$", "say-{main}"),
        (r"^\.say\.(?P<locale>[A-Za-z0-9-]+)$", "say-{locale}"),
        (r"^\.choices$", "choices"),
        (r"^\.choices\[(?P<i>\d+)\]$", "choice-{i}"),
        (r"^\.choices\[(?P<i>\d+)\]\.(?P<key>text|feedback)$", "choice-{i}-{key}-{main}"),
        (
            r"^\.choices\[(?P<i>\d+)\]\.(?P<key>text|feedback)\.(?P<locale>[A-Za-z0-9-]+)$",
            "choice-{i}-{key}-{locale}",
        ),
        (r"^\.choices\[(?P<i>\d+)\]\.next$", "choice-{i}-next"),
        (r"^\.choices\[(?P<i>\d+)\]\.points$", "choice-{i}-points"),
        (r"^\.choices\[(?P<i>\d+)\]\.points\.(?P<skill>[a-z0-9-]+)$", "choice-{i}-points-{skill}"),
        (r"^\.rubric$", "rubric"),
        (r"^\.rubric\[(?P<i>\d+)\]$", "rubric-{i}"),
        (r"^\.rubric\[(?P<i>\d+)\]\.text$", "rubric-{i}-text-{main}"),
        (r"^\.rubric\[(?P<i>\d+)\]\.text\.(?P<locale>[A-Za-z0-9-]+)$", "rubric-{i}-text-{locale}"),
        (r"^\.rubric\[(?P<i>\d+)\]\.skill$", "rubric-{i}-skill"),
        (r"^\.(?P<key>next|end)$", "{key}"),
        (r"^\.open$", "kind"),
    )
)

_NODE_PLACE = re.compile(r"^nodes\.(?P<node>[a-z0-9][a-z0-9-]*)(?P<rest>(?:[.\[].*)?)$")
_MISSING = re.compile(r"^required key '(?P<key>[a-z_]+)' is missing")


def _field(patterns, place: str, main: str) -> str:
    for pattern, name in patterns:
        match = pattern.match(place)
        if match:
            return name.format(main=main, **match.groupdict())
    return GENERAL


def place_field(place: str, message: str, main: str) -> tuple[str | None, str]:
    """(node id or None, field name) of an error's place; a missing key names its own field."""
    missing = _MISSING.match(message)
    if missing:
        place = f"{place}.{missing.group('key')}" if place else missing.group("key")
    node = _NODE_PLACE.match(place)
    if node:
        return node.group("node"), _field(_NODE_PLACES, node.group("rest"), main)
    return None, _field(_GENERAL_PLACES, place, main)


_LOCALE = "(?P<locale>[A-Za-z0-9-]+)"

#: How the settings form labels its fields.
SETTINGS_LABELS = field_labels(
    ("id", lambda: _("Id")),
    ("language", lambda: _("Main language"), CHOICE),
    (f"title-{_LOCALE}", lambda: _("Title")),
    (f"summary-{_LOCALE}", lambda: _("Summary (Markdown)")),
    ("skills", lambda: _("Skills practised")),
    ("pass_score", lambda: _("Pass score (percent)")),
    ("difficulty", lambda: _("Difficulty"), CHOICE),
    ("start", lambda: _("The conversation starts at"), CHOICE),
    (f"persona-name-{_LOCALE}", lambda: _("Name")),
    (f"persona-role-{_LOCALE}", lambda: _("Role")),
    (f"persona-company-{_LOCALE}", lambda: _("Company")),
    (f"persona-industry-{_LOCALE}", lambda: _("Industry")),
    (f"persona-context-{_LOCALE}", lambda: _("The situation (Markdown, shown before the drill)")),
)


def _reply(number: int, field_label: str) -> str:
    return _("Reply %(number)d: %(field)s", number=number, field=field_label)


def _line(number: int, field_label: str) -> str:
    return _("Rubric line %(number)d: %(field)s", number=number, field=field_label)


#: How the node form labels its fields.
NODE_LABELS = field_labels(
    ("id", lambda: _("Node id")),
    ("kind", lambda: _("Kind"), CHOICE),
    (f"say-{_LOCALE}", lambda: _("What the customer says")),
    ("choices", lambda: _("Replies the learner can pick")),
    (r"choice-(?P<i>\d+)", lambda i: _("Reply %(number)d", number=i)),
    (f"choice-(?P<i>\\d+)-text-{_LOCALE}", lambda i: _reply(i, _("The reply"))),
    (
        f"choice-(?P<i>\\d+)-feedback-{_LOCALE}",
        lambda i: _reply(i, _("Feedback after it (Markdown, optional)")),
    ),
    (r"choice-(?P<i>\d+)-next", lambda i: _reply(i, _("Leads to")), CHOICE),
    (r"choice-(?P<i>\d+)-new-next", lambda i: _reply(i, _("Or leads to a new node (its id)"))),
    (r"choice-(?P<i>\d+)-points", lambda i: _reply(i, _("Points per skill"))),
    (
        r"choice-(?P<i>\d+)-points-(?P<skill>[a-z0-9-]+)",
        lambda i, skill: _reply(i, _("Points for %(skill)s", skill=skill)),
    ),
    ("rubric", lambda: _("What the reviewer checks")),
    (r"rubric-(?P<i>\d+)", lambda i: _("Rubric line %(number)d", number=i)),
    (f"rubric-(?P<i>\\d+)-text-{_LOCALE}", lambda i: _line(i, _("The line"))),
    (r"rubric-(?P<i>\d+)-skill", lambda i: _line(i, _("Skill it is evidence for")), CHOICE),
    ("next", lambda: _("After the reply, the conversation goes to"), CHOICE),
    ("new-next", lambda: _("Or goes to a new node (its id)")),
    ("end", lambda: _("How it ends"), CHOICE),
)


def _labels(node_id: str | None) -> tuple:
    """(label rules, label of the whole) of the settings form, or of node `node_id`'s form."""
    if node_id is None:
        return SETTINGS_LABELS, _("this drill")
    return NODE_LABELS, _("Node %(id)s", id=node_id)


def _field_label(node_id: str | None, name: str) -> str:
    labels, whole = _labels(node_id)
    return field_label(name, labels, whole)


def problem_message(message: str, node_id: str | None, name: str) -> str:
    """The importer's `message` about field `name` (of node `node_id`, or of the settings) in
    the trainer's words, naming the field as the form labels it."""
    labels, whole = _labels(node_id)
    return field_message(message, name, labels, whole)


def check(document: Mapping[str, Any], slug: str) -> Check:
    """Check a draft as `lms import` would check scenarios/<slug>.yaml, plus the editor's limits.
    The errors keep the importer's words; the problems by field are in the trainer's."""
    checked = check_document("scenario", document, stored_context(), slug=slug)
    main = document.get("language") if isinstance(document.get("language"), str) else "en"
    result = Check(checked.obj, list(checked.errors))
    for error in result.errors:
        node_id, name = place_field(error.place, error.message, main)
        problems = (
            result.general if node_id is None else result.nodes.setdefault(node_id, Problems())
        )
        problems.add(name, problem_message(error.message, node_id, name))
    _limits(document, result)
    placeholder_problems(document, result)
    if result.ok:
        _render(result, main)
    if not result.ok:
        result.scenario = None
    return result


def _render(result: Check, main: str) -> None:
    """Render the Markdown fields as publishing would; each field the renderer refuses is a
    problem of that field."""
    rendered, refused = store.try_render_places(result.scenario)
    for problem in refused:
        node_id, name = place_field(f"{problem.place}.{problem.locale}", "", main)
        problems = (
            result.general if node_id is None else result.nodes.setdefault(node_id, Problems())
        )
        problems.add(name, str(markdown_problem(problem.error, _field_label(node_id, name))))
    result.rendered = None if refused else rendered


def _text_limits(problems: Problems, name: str, value: Any, limit: int, label: str) -> None:
    if isinstance(value, Mapping):
        for locale, text in value.items():
            if isinstance(text, str):
                check_text(problems, f"{name}-{locale}", text, limit, label)


def _limits(document: Mapping[str, Any], result: Check) -> None:
    nodes = document.get("nodes")
    if isinstance(nodes, Mapping) and len(nodes) > MAX_NODES:
        result.general.add(GENERAL, _("A drill has at most %(count)d nodes.", count=MAX_NODES))
    _text_limits(result.general, "title", document.get("title"), MAX_LINE_CHARS, _("The title"))
    _text_limits(
        result.general, "summary", document.get("summary"), MAX_LONG_CHARS, _("The summary")
    )
    persona = document.get("persona")
    if isinstance(persona, Mapping):
        for key in PERSONA_KEYS:
            limit = MAX_LONG_CHARS if key == "context" else MAX_LINE_CHARS
            _text_limits(result.general, f"persona-{key}", persona.get(key), limit, _("This text"))
    for node_id, raw in (nodes or {}).items() if isinstance(nodes, Mapping) else ():
        if not isinstance(raw, Mapping):
            continue
        problems = result.nodes.setdefault(node_id, Problems())
        _text_limits(problems, "say", raw.get("say"), MAX_LINE_CHARS, _("What the customer says"))
        for index, choice in enumerate(raw.get("choices") or ()):
            if isinstance(choice, Mapping):
                _text_limits(
                    problems,
                    f"choice-{index}-text",
                    choice.get("text"),
                    MAX_LINE_CHARS,
                    _("The reply"),
                )
                _text_limits(
                    problems,
                    f"choice-{index}-feedback",
                    choice.get("feedback"),
                    MAX_LONG_CHARS,
                    _("The feedback"),
                )
        for index, line in enumerate(raw.get("rubric") or ()):
            if isinstance(line, Mapping):
                _text_limits(
                    problems,
                    f"rubric-{index}-text",
                    line.get("text"),
                    MAX_LINE_CHARS,
                    _("The rubric line"),
                )
        if not problems:
            del result.nodes[node_id]


# --- reading the forms into the document --------------------------------------------------------

_NUMBER_RE = re.compile(r"^[+-]?[0-9]{1,9}$")


def number_value(raw: str) -> Any:
    """A number typed in a form as YAML would read it: an int, a float, or the text as is (so
    that the validator reports it, and the editor says what to type)."""
    text = raw.strip()
    if _NUMBER_RE.match(text):
        return int(text)
    if not text.isascii():  # float() also reads other scripts' digits; YAML does not
        return text
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _text_from(
    form: Mapping[str, Any], name: str, locales: tuple[str, ...], old: Any
) -> dict | None:
    """A text map from the inputs `<name>-<locale>`; languages not shown keep their old text."""
    values = {
        key: value
        for key, value in (old.items() if isinstance(old, Mapping) else ())
        if key not in locales and isinstance(value, str)
    }
    for locale in locales:
        typed = normalize(form.get(f"{name}-{locale}"))
        if typed.strip():
            values[locale] = typed.strip()
    return values or None


def _put(target: dict, key: str, value: Any) -> None:
    if value is None or value == "" or value == {}:
        target.pop(key, None)
    else:
        target[key] = value


def apply_settings(document: dict[str, Any], form: Mapping[str, Any], skill_ids: list[str]) -> dict:
    """The drill's settings form (titles, summary, persona, skills, scores, start)."""
    doc = copy.deepcopy(document)
    language = normalize(form.get("language")).strip() or doc.get("language") or DEFAULT_LANGUAGE
    doc["language"] = language
    locales = locales_for(language)
    _put(doc, "title", _text_from(form, "title", locales, doc.get("title")))
    _put(doc, "summary", _text_from(form, "summary", locales, doc.get("summary")))
    chosen = [normalize(s) for s in form.getlist("skills")] if hasattr(form, "getlist") else []
    doc["skills"] = list(dict.fromkeys(s for s in chosen if s))
    pass_score = normalize(form.get("pass_score")).strip()
    _put(doc, "pass_score", number_value(pass_score) if pass_score else None)
    difficulty = normalize(form.get("difficulty")).strip()
    _put(doc, "difficulty", number_value(difficulty) if difficulty else None)
    start = normalize(form.get("start")).strip()
    _put(doc, "start", start or None)
    persona = dict(doc.get("persona") or {}) if isinstance(doc.get("persona"), Mapping) else {}
    for key in PERSONA_KEYS:
        _put(persona, key, _text_from(form, f"persona-{key}", locales, persona.get(key)))
    _put(doc, "persona", persona or None)
    return doc


def apply_node(document: dict[str, Any], node_id: str, form: Mapping[str, Any]) -> tuple[dict, str]:
    """The node form: what the customer says and the kind's own fields, then the structural
    action of the button pressed (``add-choice``, ``delete-choice-2``, ``up-rubric-1`` ...).
    Returns the new document and the node's (possibly renamed) id."""
    doc = copy.deepcopy(document)
    nodes = doc.setdefault("nodes", {})
    if node_id not in nodes:
        raise EditorError(_("This node does not exist (any more)."))
    language = doc.get("language") if isinstance(doc.get("language"), str) else DEFAULT_LANGUAGE
    locales = locales_for(language)
    old = nodes[node_id] if isinstance(nodes[node_id], Mapping) else {}
    kind = normalize(form.get("kind")).strip()
    if kind not in NODE_KINDS:
        kind = _kind_of(old)
    node: dict[str, Any] = {}
    _put(node, "say", _text_from(form, "say", locales, old.get("say")))
    if kind == "choice":
        node["choices"] = _choices_from(form, locales, old.get("choices"))
        if old.get("fixed_order") is True:
            node["fixed_order"] = True
    elif kind == "open":
        node["open"] = True
        node["rubric"] = _rubric_from(form, locales, old.get("rubric"))
        _put(node, "next", normalize(form.get("next")).strip() or None)
    else:
        end = normalize(form.get("end")).strip()
        node["end"] = end if end else "success"
    _structural(node, normalize(form.get("action")).strip(), locales, language)
    nodes[node_id] = node
    doc = _new_targets(doc, node, form)
    new_id = normalize(form.get("id")).strip() or node_id
    if new_id != node_id:
        doc = rename_node(doc, node_id, new_id)
    return doc, new_id


def _new_targets(doc: dict[str, Any], node: dict[str, Any], form: Mapping[str, Any]) -> dict:
    """A node named in a "leads to: a new node" field is created (an end node to fill in) and the
    choice, or the open node, leads to it."""
    leads = [(choice, f"choice-{i}-new-next") for i, choice in enumerate(node.get("choices") or ())]
    leads.append((node, "new-next") if node.get("open") else (None, ""))
    created: list[tuple[str, str]] = []
    for target, field_name in leads:
        new_id = normalize(form.get(field_name)).strip() if target is not None else ""
        if new_id:
            target["next"] = new_id
            if new_id not in doc.get("nodes", {}) and new_id not in dict(created):
                created.append((new_id, field_name))
    for new_id, field_name in created:
        try:
            doc = add_node(doc, new_id, "end")
        except EditorError as error:
            raise EditorError(error.message, field_name) from None
    return doc


def _kind_of(raw: Mapping) -> str:
    if "end" in raw:
        return "end"
    if raw.get("open"):
        return "open"
    return "choice"


def _rows(form: Mapping[str, Any], prefix: str) -> list[int]:
    """Indexes of the repeated rows present in the form (`choice-3-next` -> 3), in order."""
    found = set()
    pattern = re.compile(rf"^{prefix}-([0-9]{{1,3}})-")
    for key in form.keys():
        match = pattern.match(key)
        if match:
            found.add(int(match.group(1)))
    return sorted(found)


def _choices_from(form: Mapping[str, Any], locales: tuple[str, ...], old: Any) -> list[dict]:
    old_list = old if isinstance(old, list) else []
    choices = []
    for index in _rows(form, "choice"):
        before = (
            old_list[index]
            if index < len(old_list) and isinstance(old_list[index], Mapping)
            else {}
        )
        choice: dict[str, Any] = {}
        _put(choice, "text", _text_from(form, f"choice-{index}-text", locales, before.get("text")))
        _put(choice, "next", normalize(form.get(f"choice-{index}-next")).strip() or None)
        _put(
            choice,
            "feedback",
            _text_from(form, f"choice-{index}-feedback", locales, before.get("feedback")),
        )
        points: dict[str, Any] = {}
        pattern = re.compile(rf"^choice-{index}-points-([a-z0-9][a-z0-9-]{{0,63}})$")
        for key in form.keys():
            match = pattern.match(key)
            typed = normalize(form.get(key)).strip()
            if match and typed:
                points[match.group(1)] = number_value(typed)
        _put(choice, "points", points or None)
        choices.append(choice)
    return choices


def _rubric_from(form: Mapping[str, Any], locales: tuple[str, ...], old: Any) -> list[dict]:
    old_list = old if isinstance(old, list) else []
    lines = []
    for index in _rows(form, "rubric"):
        before = (
            old_list[index]
            if index < len(old_list) and isinstance(old_list[index], Mapping)
            else {}
        )
        line: dict[str, Any] = {}
        _put(line, "text", _text_from(form, f"rubric-{index}-text", locales, before.get("text")))
        _put(line, "skill", normalize(form.get(f"rubric-{index}-skill")).strip() or None)
        lines.append(line)
    return lines


_ACTION = re.compile(
    r"^(?P<verb>add|delete|up|down)-(?P<what>choice|rubric)(?:-(?P<i>[0-9]{1,3}))?$"
)


def _structural(node: dict[str, Any], action: str, locales: tuple[str, ...], language: str) -> None:
    match = _ACTION.match(action)
    if not match:
        return
    key = "choices" if match.group("what") == "choice" else "rubric"
    if key not in node:
        return
    rows: list = node[key]
    verb = match.group("verb")
    if verb == "add":
        rows.append({})
        return
    index = int(match.group("i") or -1)
    if not 0 <= index < len(rows):
        return
    if verb == "delete":
        rows.pop(index)
    elif verb == "up" and index > 0:
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif verb == "down" and index + 1 < len(rows):
        rows[index + 1], rows[index] = rows[index], rows[index + 1]


def add_node(document: dict[str, Any], node_id: str, kind: str) -> dict:
    """A new node of `kind` at the end (its fields empty until the trainer fills them)."""
    node_id = node_id.strip()
    if not ID_RE.match(node_id):
        raise EditorError(
            _("Node ids use lowercase letters, digits and '-' (for example: ask-budget)."), "new-id"
        )
    doc = copy.deepcopy(document)
    nodes = doc.setdefault("nodes", {})
    if node_id in nodes:
        raise EditorError(_("There is a node %(id)s already.", id=node_id), "new-id")
    if len(nodes) >= MAX_NODES:
        raise EditorError(_("A drill has at most %(count)d nodes.", count=MAX_NODES), "new-id")
    if kind == "open":
        nodes[node_id] = {"say": {}, "open": True, "rubric": [{}]}
    elif kind == "end":
        nodes[node_id] = {"say": {}, "end": "success"}
    else:
        nodes[node_id] = {"say": {}, "choices": [{}]}
    return doc


def delete_node(document: dict[str, Any], node_id: str) -> dict:
    """Remove a node; whatever led to it now names an unknown node until it is changed."""
    doc = copy.deepcopy(document)
    nodes = doc.get("nodes") if isinstance(doc.get("nodes"), dict) else {}
    nodes.pop(node_id, None)
    return doc


def move_node(document: dict[str, Any], node_id: str, delta: int) -> dict:
    """Move a node up or down the list (the order of the file; the graph does not change)."""
    doc = copy.deepcopy(document)
    nodes = doc.get("nodes") if isinstance(doc.get("nodes"), dict) else {}
    order = list(nodes)
    if node_id not in order:
        return doc
    index = order.index(node_id)
    target = max(0, min(len(order) - 1, index + delta))
    order.insert(target, order.pop(index))
    doc["nodes"] = {key: nodes[key] for key in order}
    return doc


def rename_node(document: dict[str, Any], old: str, new: str) -> dict:
    """Give a node a new id, and every `next` and `start` that named it too."""
    if not ID_RE.match(new):
        raise EditorError(
            _("Node ids use lowercase letters, digits and '-' (for example: ask-budget)."), "id"
        )
    doc = copy.deepcopy(document)
    nodes = doc.get("nodes") if isinstance(doc.get("nodes"), dict) else {}
    if new in nodes:
        raise EditorError(_("There is a node %(id)s already.", id=new), "id")
    doc["nodes"] = {(new if key == old else key): value for key, value in nodes.items()}
    for raw in doc["nodes"].values():
        if not isinstance(raw, dict):
            continue
        if raw.get("next") == old:
            raw["next"] = new
        for choice in raw.get("choices") or ():
            if isinstance(choice, dict) and choice.get("next") == old:
                choice["next"] = new
    if doc.get("start") == old:
        doc["start"] = new
    return doc


# --- publishing and previewing ------------------------------------------------------------------


def publish(state: Editing, *, actor: User) -> store.PublishResult:
    """Publish the draft as the drill's new version (origin ``editor``) and drop the draft.
    Raises EditorError when the draft does not pass the checks."""
    result = check(state.document, state.slug)
    if not result.ok or result.scenario is None:
        raise EditorError(
            _(
                "Fix the %(count)d problems marked below before publishing.",
                count=max(result.count, 1),
            )
        )
    published = store.publish(
        result.scenario, actor=actor, origin="editor", rendered=result.rendered
    )
    services.store_maxima(published.version)
    drafts.discard_draft(KIND, state.slug)
    return published


def preview_html(scenario: Scenario) -> dict[str, dict[str, str]]:
    """The feedback of a draft as sanitized HTML, place -> locale -> HTML (for the preview:
    a draft has no stored version whose HTML could be read)."""
    rendered = {}
    for node in scenario.nodes.values():
        for place, text in node_kind(node).markdown_places(node):
            try:
                rendered[place] = render_text_map(text.values)
            except MarkdownError:
                continue  # the draft's check names the field; the preview leaves it out
    return rendered
