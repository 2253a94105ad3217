"""The learner's path on the watch page: the breadcrumb and its checks, the course's
modules with progress (a fixed number of queries), the next lesson, and the links of the
program and course pages that carry the path."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.support import factories
from tests.support.auth import Auth
from tests.support.querycount import recorded_statements
from webapp.extensions import db
from webapp.learning import services
from webapp.models import Module, Program, User, Video, VideoState, WatchProgress
from webapp.models.base import utcnow
from webapp.organisations.services import create_organisation


@dataclass(frozen=True)
class Path:
    """Ids of the catalogue: Basics (three lessons) → Advanced (requires Basics), both in
    the open 'marketing' program the learner is enrolled in; 'globex-only' belongs to an
    organisation."""

    learner: factories.UserInfo
    videos: list[int]  # Basics 1-3, then Advanced 1
    modules: list[int]
    basics: int
    advanced: int
    program: int
    foreign: int  # an organisation's program holding Basics
    other: int  # an open program without Basics


@pytest.fixture
def path(app: Flask, make_user: Callable[..., factories.UserInfo]) -> Path:
    learner, owner = make_user("learner"), make_user("instructor")
    with app.app_context():
        videos = []
        for i in range(4):
            video = Video(
                title=f"Video {i}", owner_id=owner.id, state=VideoState.READY.value, duration=100
            )
            video.hls_prefix = f"hls/path-{i}"  # playable (the page only links the ladder)
            db.session.add(video)
            videos.append(video)
        db.session.flush()
        titles = ["Keywords", "On-page SEO", "Site speed", "Link building"]
        modules = [
            Module(video_id=v.id, title=t, duration=100)
            for v, t in zip(videos, titles, strict=True)
        ]
        db.session.add_all(modules)
        db.session.flush()
        ids = [m.id for m in modules]
        basics = services.create_course("seo-basics", "SEO Basics", ids[:3])
        advanced = services.create_course("seo-advanced", "SEO Advanced", ids[3:], ["seo-basics"])
        program = services.create_program("marketing", "Marketing", ["seo-basics", "seo-advanced"])
        foreign = services.create_program("globex-only", "Globex Only", ["seo-basics"])
        foreign.organisation_id = create_organisation("Globex", "globex").id
        other = services.create_program("other", "Other Path", ["seo-advanced"])
        services.enrol(db.session.get(User, learner.id), program, admin=True)
        db.session.commit()
        return Path(
            learner,
            [v.id for v in videos],
            ids,
            basics.id,
            advanced.id,
            program.id,
            foreign.id,
            other.id,
        )


def watched(app: Flask, user_id: int, video_id: int, seconds: float) -> None:
    """Store progress on a whole video directly (completed at 90 %)."""
    with app.app_context():
        db.session.add(
            WatchProgress(
                user_id=user_id,
                video_id=video_id,
                intervals=[[0, seconds]],
                watched_seconds=seconds,
                position=seconds,
                completed_at=utcnow() if seconds >= 90 else None,
            )
        )
        db.session.commit()


def breadcrumb(html: str) -> str | None:
    """The breadcrumb navigation's markup, or None."""
    found = re.search(r'<nav class="breadcrumb" aria-label="Breadcrumb">(.*?)</nav>', html, re.S)
    return found.group(1) if found else None


def test_no_path_without_context(client: FlaskClient, auth: Auth, path: Path) -> None:
    auth.login(path.learner.email)
    html = client.get(f"/videos/{path.videos[0]}").get_data(as_text=True)
    assert breadcrumb(html) is None
    assert 'id="next-lesson"' not in html and "path-modules" not in html


def test_breadcrumb_modules_and_next_lesson(
    app: Flask, client: FlaskClient, auth: Auth, path: Path
) -> None:
    auth.login(path.learner.email)
    watched(app, path.learner.id, path.videos[0], 100)
    watched(app, path.learner.id, path.videos[1], 40)
    query = f"?course={path.basics}&program={path.program}"
    html = client.get(f"/videos/{path.videos[1]}{query}").get_data(as_text=True)
    crumbs = breadcrumb(html)
    assert crumbs is not None
    assert re.findall(r">([^<>]+)</a>", crumbs) == ["Marketing", "SEO Basics", "On-page SEO"]
    assert '<a href="/programs/marketing">' in crumbs and '<a href="/courses/seo-basics">' in crumbs
    assert crumbs.count("aria-current") == 1 and 'aria-current="page">On-page SEO<' in crumbs

    items = re.findall(r'<li class="path-module([^"]*)".*?</li>', html, re.S)
    assert [i.strip() for i in items] == ["done", "", ""]
    listed = re.search(r'<ol class="path-module-list">(.*?)</ol>', html, re.S)
    assert listed is not None
    rows = re.findall(r"<li .*?</li>", listed.group(1), re.S)
    assert "Completed" in rows[0] and "40% watched" in rows[1] and "Not started" in rows[2]
    assert 'aria-current="page"' in rows[1] and "aria-current" not in rows[0] + rows[2]
    # Every link keeps the path.
    assert f'href="/videos/{path.videos[2]}{query.replace("&", "&amp;")}"' in rows[2]

    panel = re.search(r'<section class="next-lesson".*?</section>', html, re.S)
    assert panel is not None
    assert f'data-next-url="/videos/{path.videos[2]}{query.replace("&", "&amp;")}"' in panel.group()
    assert "Next: Site speed" in panel.group()


def test_end_of_the_course_offers_the_way_back(client: FlaskClient, auth: Auth, path: Path) -> None:
    auth.login(path.learner.email)
    html = client.get(f"/videos/{path.videos[2]}?course={path.basics}").get_data(as_text=True)
    panel = re.search(r'<section class="next-lesson".*?</section>', html, re.S)
    assert panel is not None and "data-next-url" not in panel.group()
    assert "End of the course" in panel.group() and 'href="/courses/seo-basics"' in panel.group()
    crumbs = breadcrumb(html)
    assert crumbs is not None and "Marketing" not in crumbs  # no program asked for


def test_locked_course_shows_its_modules_locked(
    client: FlaskClient, auth: Auth, path: Path, make_user: Callable[..., factories.UserInfo]
) -> None:
    """An admin may open a module of a course still locked for them (a learner gets the
    lock page): the list shows the course's lock as the course page does."""
    auth.login(make_user("admin").email)
    html = client.get(f"/videos/{path.videos[3]}?course={path.advanced}").get_data(as_text=True)
    assert "Complete ‘SEO Basics’ first" in html
    assert '<li class="path-module locked"' in html and "Locked" in html
    assert "data-next-url" not in html


@pytest.mark.parametrize(
    "query",
    [
        "?course={basics}&program={foreign}",  # an organisation's program: not this learner's
        "?course={basics}&program={other}",  # a program that does not hold the course
        "?course={basics}&program=999999",
        "?course={basics}&program=abc",
    ],
)
def test_a_foreign_or_wrong_program_is_ignored(
    client: FlaskClient, auth: Auth, path: Path, query: str
) -> None:
    auth.login(path.learner.email)
    url = f"/videos/{path.videos[0]}" + query.format(
        basics=path.basics, foreign=path.foreign, other=path.other
    )
    resp = client.get(url)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    crumbs = breadcrumb(html)
    assert crumbs is not None  # the course still checks out
    assert "Globex Only" not in html and "Other Path" not in html
    assert re.findall(r">([^<>]+)</a>", crumbs) == ["SEO Basics", "Keywords"]
    assert "program=" not in html.split('<section class="next-lesson"')[1].split("</section>")[0]


@pytest.mark.parametrize(
    "query",
    ["?course={advanced}", "?course=999999", "?course=", "?course=x&program={program}"],
)
def test_a_course_without_the_video_is_ignored(
    client: FlaskClient, auth: Auth, path: Path, query: str
) -> None:
    auth.login(path.learner.email)
    url = f"/videos/{path.videos[0]}" + query.format(advanced=path.advanced, program=path.program)
    resp = client.get(url)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert breadcrumb(html) is None and "path-modules" not in html and "next-lesson" not in html


def test_the_organisations_member_sees_its_program(
    app: Flask, client: FlaskClient, auth: Auth, path: Path, make_user
) -> None:
    """The same link that shows nothing to an outsider shows the program to an admin
    (who may see every program): the check is the access rule, not a blanket refusal."""
    admin = make_user("admin")
    auth.login(admin.email)
    html = client.get(f"/videos/{path.videos[0]}?course={path.basics}&program={path.foreign}")
    crumbs = breadcrumb(html.get_data(as_text=True))
    assert crumbs is not None and "Globex Only" in crumbs


def test_module_list_costs_a_fixed_number_of_queries(
    app: Flask, client: FlaskClient, auth: Auth, path: Path
) -> None:
    """One progress query for the whole list, and the count does not grow with the
    number of modules."""
    auth.login(path.learner.email)
    query = f"?course={path.basics}&program={path.program}"
    client.get(f"/videos/{path.videos[0]}{query}")
    with recorded_statements(app) as plain:
        client.get(f"/videos/{path.videos[0]}")
    with recorded_statements(app) as three:
        client.get(f"/videos/{path.videos[0]}{query}")
    progress = [s for s in three if "FROM watch_progress" in s]
    assert len(progress) == len([s for s in plain if "FROM watch_progress" in s]) + 1
    with app.app_context():
        owner = db.session.scalar(select(Video.owner_id).where(Video.id == path.videos[0]))
        extra = [
            Video(title=f"More {i}", owner_id=owner, state=VideoState.READY.value, duration=50)
            for i in range(3)
        ]
        for video in extra:
            video.hls_prefix = "hls/more"
        db.session.add_all(extra)
        db.session.flush()
        more = [Module(video_id=v.id, title=v.title, duration=50) for v in extra]
        db.session.add_all(more)
        db.session.flush()
        big = services.create_course(
            "seo-big", "SEO Big", [*path.modules[:3], *(m.id for m in more)]
        )
        services.create_program("big", "Big", ["seo-big"])
        big_id, big_program = (
            big.id,
            db.session.scalar(select(Program.id).where(Program.slug == "big")),
        )
        db.session.commit()
    for video_id in extra_ids(app):
        watched(app, path.learner.id, video_id, 20)
    big_query = f"?course={big_id}&program={big_program}"
    client.get(f"/videos/{path.videos[0]}{big_query}")
    with recorded_statements(app) as six:
        html = client.get(f"/videos/{path.videos[0]}{big_query}").get_data(as_text=True)
    assert html.count('<li class="path-module') == 6
    assert len(six) == len(three)


def extra_ids(app: Flask) -> list[int]:
    """The videos titled "More …" (the bigger course's extra lessons)."""
    with app.app_context():
        return list(db.session.scalars(select(Video.id).where(Video.title.like("More %"))))
