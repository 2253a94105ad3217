"""Two organisations for the organisation tests (issue 19): Acme (a manager, two members,
seats in the "acme-safety" program) and Globex (a manager and a member, no seats there).

``acme_program`` holds one course of one listed module (``module`` of ``video``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import Flask

from tests.support import factories
from webapp.catalogue import services as catalogue
from webapp.extensions import db
from webapp.learning import services as learning
from webapp.models import OrgRole, User, WatchProgress
from webapp.organisations import services


@dataclass(frozen=True)
class Orgs:
    """Plain values of both organisations."""

    acme: str
    globex: str
    acme_manager: factories.UserInfo
    acme_member: factories.UserInfo
    acme_member2: factories.UserInfo
    globex_manager: factories.UserInfo
    globex_member: factories.UserInfo
    program: str
    program_id: int
    video: int
    module: int


def build_orgs(app: Flask, seats: int = 5) -> Orgs:
    """Both organisations, their people, and Acme's seats in the program."""
    owner = factories.create_user(app, "instructor")
    video = factories.listed_video(app, owner.id, "Forklift safety", duration=60.0)
    people = {
        key: factories.create_user(app, "learner")
        for key in (
            "acme_manager",
            "acme_member",
            "acme_member2",
            "globex_manager",
            "globex_member",
        )
    }
    with app.app_context():
        module = catalogue.module_of_video(video)
        assert module is not None
        learning.create_course("acme-safety-course", "Safety basics", [module.id])
        program = learning.create_program(
            "acme-safety", "Acme safety", ["acme-safety-course"], company=True
        )
        acme = services.create_organisation("Acme", "acme", "Europe/Berlin")
        globex = services.create_organisation("Globex", "globex")
        for key, info in people.items():
            org = acme if key.startswith("acme") else globex
            role = OrgRole.MANAGER if key.endswith("manager") else OrgRole.MEMBER
            user = db.session.get(User, info.id)
            assert user is not None
            services.add_member(org, user, role)
        services.set_seats(acme, program, seats)
        db.session.commit()
        ids = (program.id, module.id)
    return Orgs("acme", "globex", **people, program="acme-safety", program_id=ids[0],
                video=video, module=ids[1])  # fmt: skip


def watch(app: Flask, user_id: int, video_id: int, seconds: float, duration: float = 60.0) -> None:
    """Record ``seconds`` watched of ``video_id`` (completed from 90 %)."""
    with app.app_context():
        db.session.add(
            WatchProgress(
                user_id=user_id,
                video_id=video_id,
                position=seconds,
                intervals=[[0.0, seconds]],
                watched_seconds=seconds,
                completed_at=datetime.now(UTC) if seconds >= 0.9 * duration else None,
            )
        )
        db.session.commit()


def assign(app: Flask, orgs: Orgs, user_id: int, due_on: date | None) -> None:
    """Acme's manager assigns the program to ``user_id``."""
    from webapp.models import Organisation, Program

    with app.app_context():
        org = db.session.scalar(db.select(Organisation).where(Organisation.slug == orgs.acme))
        program = db.session.get(Program, orgs.program_id)
        user = db.session.get(User, user_id)
        by = db.session.get(User, orgs.acme_manager.id)
        assert org is not None and program is not None and user is not None
        services.assign(org, user, program, due_on, by)
        db.session.commit()
