"""requirements/lock.txt, the exact versions CI installs, stays in step with pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def locked() -> dict[str, list[tuple[Version, Marker | None]]]:
    pins: dict[str, list[tuple[Version, Marker | None]]] = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        requirement, _, marker = line.partition(";")
        name, _, version = requirement.strip().partition("==")
        assert version, f"not an exact pin: {line!r}"
        pins.setdefault(canonicalize_name(name), []).append(
            (Version(version.strip()), Marker(marker) if marker.strip() else None)
        )
    return pins


def test_the_lock_pins_every_dependency_and_extra_within_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"]]
    for extra in ("test", "dev"):
        wanted += project["optional-dependencies"][extra]
    pins = locked()
    problems = []
    for text in wanted:
        requirement = Requirement(text)
        here = [
            version
            for version, marker in pins.get(canonicalize_name(requirement.name), [])
            if marker is None or marker.evaluate()
        ]
        if not here:
            problems.append(f"{requirement.name} is not in the lock")
        elif not all(requirement.specifier.contains(v, prereleases=True) for v in here):
            problems.append(f"{requirement.name}=={here[0]} does not satisfy {text!r}")
    assert not problems, "refresh requirements/lock.txt (see README, Development):\n" + "\n".join(
        problems
    )
