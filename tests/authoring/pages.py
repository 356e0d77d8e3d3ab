"""Form data for the editors and readers of the pages they answer with."""

from __future__ import annotations

import html
import re


def lesson_form(**fields) -> dict:
    """The lesson editor's fields for `plan-your-day`, with overrides (`title_en` for
    `title-en`, `body_zh` for `body-zh-CN`)."""
    data = {
        "course": "alpha",
        "title-en": "Plan your day",
        "body-en": "Write the plan the evening before.\n",
        "title-zh-CN": "计划你的一天",
        "body-zh-CN": "前一天晚上写好计划。\n",
        "skills": ["planning"],
        "minutes": "8",
        "action": "publish",
    }
    names = {"title_en": "title-en", "body_en": "body-en", "title_zh": "title-zh-CN"}
    names["body_zh"] = "body-zh-CN"
    for key, value in fields.items():
        data[names.get(key, key)] = value
    return data


def course_form(**fields) -> dict:
    """The course editor's fields for `alpha` as published, with overrides."""
    data = {
        "language": "en",
        "title-en": "Alpha selling",
        "title-zh-CN": "阿尔法销售",
        "summary-en": "",
        "summary-zh-CN": "",
        "skills": ["planning"],
        "modules": "2",
        "module-0-title-en": "Module 1",
        "module-0-title-zh-CN": "模块 1",
        "module-0-item": ["lesson:plan-your-day", "lesson:follow-up"],
        "module-1-title-en": "Module 2",
        "module-1-title-zh-CN": "模块 2",
        "module-1-item": ["quiz:alpha-check", "scenario:price-drill"],
        "action": "publish",
    }
    data.update(fields)
    return data


def field_error(page: str, name: str) -> str:
    """The error text shown next to a field, or ''."""
    match = re.search(
        rf'<p class="field__error" id="f-{re.escape(name)}-error">(.*?)</p>', page, re.S
    )
    return html.unescape(match.group(1)) if match else ""


def general_errors(page: str) -> str:
    match = re.search(
        r'<div class="form-errors" role="alert" id="form-errors">(.*?)</div>', page, re.S
    )
    return html.unescape(match.group(1)) if match else ""


def textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea id="f-{re.escape(name)}"[^>]*>\n(.*?)</textarea>', page, re.S)
    assert match, f"no textarea {name}"
    return html.unescape(match.group(1))


def input_value(page: str, name: str) -> str:
    match = re.search(
        rf'<input type="text" id="f-{re.escape(name)}" name="[^"]*" value="([^"]*)"', page
    )
    assert match, f"no input {name}"
    return html.unescape(match.group(1))


def items_of(page: str, module: int) -> list[str]:
    return re.findall(rf'<input type="hidden" name="module-{module}-item" value="([^"]*)">', page)
