"""The demo step that imports the shipped curriculum."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from lms.content import demo as content_demo
from lms.content.importer import stored_counts
from lms.content.models import ContentVersion
from lms.demo import DEMO_STEPS, DemoContext, create_people
from lms.timeutil import today
from tests.content.conftest import Workspace


def test_the_step_runs_right_after_the_people():
    index = DEMO_STEPS.index("lms.demo:create_people")
    assert DEMO_STEPS[index + 1] == "lms.content.demo:import_shipped_content"


def test_the_shipped_content_is_imported_by_the_trainer(db):
    context = DemoContext(today=today())
    create_people(context)

    content_demo.import_shipped_content(context)

    counts = stored_counts()
    assert counts["framework"] == 1 and all(counts.values())
    assert context.log[-1].startswith("content: 1 framework, ")
    assert " lessons, " in context.log[-1]
    assert context.log[-1].endswith("from courses/, scenarios/")
    trainer = context.people["trainer@example.com"]
    authors = set(db.session.scalars(sa.select(ContentVersion.created_by_id)))
    assert authors == {trainer.id}


def test_without_content_folders_the_step_says_so(db, tmp_path, monkeypatch):
    monkeypatch.setattr(content_demo, "shipped_content_root", lambda: tmp_path)
    context = DemoContext(today=today())

    content_demo.import_shipped_content(context)

    assert context.log == [f"content: no courses/ or scenarios/ in {tmp_path}, nothing imported"]
    assert not any(stored_counts().values())


def test_broken_shipped_content_is_reported_and_not_imported(db, tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "content")
    ws.replace("scenarios/price-too-high.yaml", "start: opening", "start: opener")
    monkeypatch.setattr(content_demo, "shipped_content_root", lambda: Path(ws.root))
    context = DemoContext(today=today())

    content_demo.import_shipped_content(context)

    assert context.log[0] == "content: 1 problem(s) in the shipped files, nothing imported:"
    assert "scenarios/price-too-high.yaml" in context.log[1]
    assert not any(stored_counts().values())
