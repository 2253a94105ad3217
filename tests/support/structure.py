"""Courses and programs for the structure back-office tests (pages, API, browser)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select

from tests.support.factories import listed_video
from webapp.extensions import db
from webapp.learning import services
from webapp.models import Course, Module, Program, Topic


@dataclass(frozen=True)
class Structure:
    """Three listed modules, course ``basics`` of them in order, program ``path`` of it."""

    modules: list[int]
    course: str
    program: str


def build_structure(app: Flask, owner_id: int) -> Structure:
    """Modules “Alpha”, “Beta”, “Gamma”; course ``basics``; program ``path``."""
    ids = []
    for title in ("Alpha", "Beta", "Gamma"):
        video_id = listed_video(app, owner_id, title)
        with app.app_context():
            ids.append(db.session.scalar(select(Module.id).where(Module.video_id == video_id)))
    with app.app_context():
        services.save_course(None, {"title": "Basics", "modules": ids})
        services.save_program(None, {"title": "Path", "courses": ["basics"]})
        db.session.commit()
    return Structure(modules=ids, course="basics", program="path")


def course_modules(app: Flask, slug: str) -> list[int]:
    """The module ids of a course, in order."""
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == slug))
        return [item.module_id for item in course.items]


def program_courses(app: Flask, slug: str) -> list[str]:
    """The course slugs of a program, in order."""
    with app.app_context():
        program = db.session.scalar(select(Program).where(Program.slug == slug))
        return [item.course.slug for item in program.items]


def snapshot(app: Flask) -> tuple[list, list, list]:
    """Every topic, course and program with their fields (to prove nothing changed)."""
    with app.app_context():
        topics = [(t.slug, t.name) for t in db.session.scalars(select(Topic).order_by(Topic.id))]
        courses = [
            (c.slug, c.title, c.description, c.level, c.topic_id, [i.module_id for i in c.items])
            for c in db.session.scalars(select(Course).order_by(Course.id))
        ]
        programs = [
            (p.slug, p.title, p.description, p.fee_cents, p.currency, p.certificate, p.length_weeks)
            for p in db.session.scalars(select(Program).order_by(Program.id))
        ]
        return topics, courses, programs
