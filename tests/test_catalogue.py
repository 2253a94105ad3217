"""The micro-learning catalogue: module sync, filters, search, pages, API, CLI, queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from tests.support.auth import Auth
from tests.support.problems import problem_fields
from tests.support.querycount import count_queries
from tests.support.watching import watch
from webapp.catalogue import services
from webapp.catalogue.queries import browse, parse_filters, topics
from webapp.catalogue.search import CAPTION_SOURCES, register_caption_source
from webapp.clips.services import create_clip, delete_clip, update_clip
from webapp.extensions import db
from webapp.models import Chapter, Clip, Module, Topic, User, Video, VideoState

BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
TILE = re.compile(r'<li class="tile (?:video-tile|clip-tile)" data-[a-z]+-id="\d+">.*?</li>', re.S)
TITLE = re.compile(r'<span class="tile-title">(.*?)</span>')  # searched words in <mark>


# --------------------------------------------------------------------------- helpers


def _video(
    app: Flask,
    owner_id: int,
    title: str,
    duration: float = 120.0,
    *,
    description: str = "",
    minutes_ago: int = 0,
    **fields: object,
) -> int:
    """A READY video row (no ladder needed to be listed) and its synced module; returns
    the module id. ``fields`` (topic slug, level, tags, views, listed) curate it."""
    with app.app_context():
        video = Video(
            title=title,
            description=description,
            owner_id=owner_id,
            state=VideoState.READY.value,
            duration=duration,
            hls_prefix=f"videos/test/{title}",
            published_at=BASE_TIME - timedelta(minutes=minutes_ago),
        )
        db.session.add(video)
        db.session.flush()
        module = services.sync_video_module(video)
        if "topic" in fields:
            module.topic = services.find_topic(str(fields.pop("topic")))
        for key, value in fields.items():
            setattr(module, key, value)
        db.session.commit()
        return module.id


def _topic(app: Flask, name: str) -> str:
    with app.app_context():
        topic = services.add_topic(name)
        db.session.commit()
        return topic.slug


def _clip(app: Flask, video_id: int, author_id: int, **payload: object) -> int:
    with app.app_context():
        clip = create_clip(
            db.session.get(Video, video_id), db.session.get(User, author_id), payload
        )
        db.session.commit()
        return clip.id


def _titles(html: str) -> list[str]:
    return [re.sub(r"</?mark>", "", TITLE.search(tile).group(1)) for tile in TILE.findall(html)]


def _api_titles(client: FlaskClient, query: str = "") -> list[str]:
    response = client.get(f"/api/v1/modules{query}")
    assert response.status_code == 200, response.get_json()
    return [item["title"] for item in response.get_json()["items"]]


@pytest.fixture
def instructor(make_user):
    return make_user("instructor")


@pytest.fixture
def learner(make_user):
    return make_user("learner")


@pytest.fixture
def catalogue(app: Flask, instructor):
    """Six modules across topics, levels, durations, tags and popularity."""
    marketing = _topic(app, "Digital Marketing")
    data = _topic(app, "Data Science")
    ids = {
        "seo": _video(
            app,
            instructor.id,
            "SEO Fundamentals",
            240,
            description="How search engines rank",
            topic=marketing,
            tags=["seo", "search"],
            views=50,
            minutes_ago=60,
        ),
        "funnel": _video(
            app,
            instructor.id,
            "Conversion Funnels",
            600,
            description="From sessions to sign-ups",
            topic=marketing,
            level="intermediate",
            tags=["analytics"],
            views=5,
            minutes_ago=50,
        ),
        "matrix": _video(
            app,
            instructor.id,
            "Reading a Confusion Matrix",
            1200,
            description="Precision and recall",
            topic=data,
            views=30,
            minutes_ago=40,
        ),
        "deep": _video(
            app,
            instructor.id,
            "Deep Learning Masterclass",
            5400,
            description="Backpropagation end to end",
            topic=data,
            level="advanced",
            tags=["neural networks"],
            views=10,
            minutes_ago=30,
        ),
        "cloud": _video(
            app,
            instructor.id,
            "Cloud Cost Basics",
            60,
            description="Budgets and alerts",
            minutes_ago=20,
        ),
        "hidden": _video(
            app,
            instructor.id,
            "Cohort 7 recording",
            300,
            description="Only for the cohort",
            listed=False,
            minutes_ago=10,
        ),
    }
    return ids


# --------------------------------------------------------------------------- sync


def test_ready_video_gets_one_module_and_resync_keeps_curation(
    app: Flask, make_ready_video, instructor
) -> None:
    video_id = make_ready_video(instructor.id, "Gradient Descent")
    slug = _topic(app, "Data Science")
    with app.app_context():
        modules = db.session.scalars(select(Module).where(Module.video_id == video_id)).all()
        assert len(modules) == 1
        module = modules[0]
        assert (module.title, module.clip_id, module.listed) == ("Gradient Descent", None, True)
        assert module.duration == pytest.approx(4.0, abs=0.2)
        services.update_module(module, {"topic": slug, "level": "advanced", "tags": "math, ML"})
        module.listed = False  # a cohort recording
        video = db.session.get(Video, video_id)
        video.title, video.description = "Gradient Descent, revisited", "Now with momentum"
        again = services.sync_video_module(video)
        db.session.commit()
        assert again.id == module.id
        assert db.session.scalar(select(db.func.count(Module.id))) == 1
        assert (again.title, again.description) == (
            "Gradient Descent, revisited",
            "Now with momentum",
        )
        assert (again.topic.slug, again.level, again.tags, again.listed) == (
            "data-science",
            "advanced",
            ["math", "ml"],
            False,
        )


def test_unready_video_gets_no_module(app: Flask, instructor) -> None:
    with app.app_context():
        video = Video(title="Busy", owner_id=instructor.id, state=VideoState.PROCESSING.value)
        db.session.add(video)
        db.session.flush()
        assert services.sync_video_module(video) is None
        assert db.session.scalar(select(db.func.count(Module.id))) == 0
        db.session.rollback()


def test_clip_create_update_delete_keep_its_module_in_step(
    app: Flask, make_ready_video, instructor
) -> None:
    video_id = make_ready_video(instructor.id, "Recording")
    _topic(app, "Data Science")
    clip_id = _clip(
        app,
        video_id,
        instructor.id,
        title="Intro",
        description="First bit",
        topic="data science",
        start=0.5,
        end=2.0,
    )
    with app.app_context():
        module = services.module_of_clip(clip_id)
        assert (module.video_id, module.title, module.description) == (
            video_id,
            "Intro",
            "First bit",
        )
        assert module.duration == pytest.approx(1.5)
        assert module.topic.name == "Data Science" and module.is_clip
        update_clip(db.session.get(Clip, clip_id), {"title": "Intro, shorter", "end": 1.5})
        db.session.commit()
        module = services.module_of_clip(clip_id)
        assert module.title == "Intro, shorter" and module.duration == pytest.approx(1.0)
        assert module.topic.name == "Data Science"  # kept: the clip's text still names it

        delete_clip(db.session.get(Clip, clip_id))
        db.session.commit()
        assert services.module_of_clip(clip_id) is None
        assert db.session.scalar(select(db.func.count(Module.id))) == 1  # the recording's

    other = _clip(
        app, video_id, instructor.id, title="Untopical", topic="Astrology", start=0, end=1
    )
    with app.app_context():
        assert services.module_of_clip(other).topic_id is None


# --------------------------------------------------------------------------- library page


def test_library_filters_by_topic_level_and_duration(
    client: FlaskClient, auth: Auth, learner, catalogue
) -> None:
    auth.login(learner.email)
    everything = _titles(client.get("/").get_data(as_text=True))
    assert everything == [
        "Cloud Cost Basics",
        "Deep Learning Masterclass",
        "Reading a Confusion Matrix",
        "Conversion Funnels",
        "SEO Fundamentals",
    ]  # newest first; the unlisted cohort recording is not there
    assert _titles(client.get("/?topic=digital-marketing").get_data(as_text=True)) == [
        "Conversion Funnels",
        "SEO Fundamentals",
    ]
    assert _titles(client.get("/?level=advanced").get_data(as_text=True)) == [
        "Deep Learning Masterclass"
    ]
    buckets = {
        "under-5": ["Cloud Cost Basics", "SEO Fundamentals"],
        "5-15": ["Conversion Funnels"],
        "15-60": ["Reading a Confusion Matrix"],
        "over-60": ["Deep Learning Masterclass"],
    }
    for bucket, expected in buckets.items():
        assert _titles(client.get(f"/?duration={bucket}").get_data(as_text=True)) == expected
    combined = client.get("/?topic=data-science&level=foundation&duration=15-60")
    assert _titles(combined.get_data(as_text=True)) == ["Reading a Confusion Matrix"]
    # A bad value in an edited URL falls back to the default instead of failing.
    assert len(_titles(client.get("/?level=expert&page=-3").get_data(as_text=True))) == 5


def test_library_search_sort_and_unlisted(
    client: FlaskClient, auth: Auth, learner, catalogue
) -> None:
    auth.login(learner.email)

    def titles(query: str) -> list[str]:
        return _titles(client.get(f"/?{query}").get_data(as_text=True))

    assert titles("q=confusion") == ["Reading a Confusion Matrix"]  # title
    assert titles("q=RECALL") == ["Reading a Confusion Matrix"]  # description, any case
    assert titles("q=analytics") == ["Conversion Funnels"]  # tag
    assert titles("q=neural+networks") == ["Deep Learning Masterclass"]  # multi-word tag
    assert titles("q=engines+rank") == ["SEO Fundamentals"]  # every word must match
    assert titles("q=engines+budgets") == []
    assert titles("q=confus") == ["Reading a Confusion Matrix"]  # prefix
    assert titles("q=cohort") == []  # unlisted
    for hostile in ("100%", "a_b", "'; drop table modules; --", "x & !y | (z:*)", "\\"):
        response = client.get("/", query_string={"q": hostile})
        assert response.status_code == 200
    assert titles("sort=popular") == [
        "SEO Fundamentals",
        "Reading a Confusion Matrix",
        "Deep Learning Masterclass",
        "Conversion Funnels",
        "Cloud Cost Basics",
    ]
    assert titles("sort=popular&topic=data-science") == [
        "Reading a Confusion Matrix",
        "Deep Learning Masterclass",
    ]
    html = client.get("/?q=nothing-like-this").get_data(as_text=True)
    assert "No lessons match these filters." in html


def test_library_form_is_accessible(client: FlaskClient, auth: Auth, learner, catalogue) -> None:
    auth.login(learner.email)
    html = client.get("/?topic=data-science&sort=popular").get_data(as_text=True)
    for field in ("q", "topic", "level", "duration", "sort"):
        assert f'<label for="filter-{field}">' in html and f'id="filter-{field}"' in html
    assert '<option value="data-science" selected>Data Science</option>' in html
    assert '<option value="popular" selected>Most popular</option>' in html
    assert re.search(r'role="status" aria-live="polite"[^>]*>\s*2 lessons\s*<', html)
    assert '<button type="submit">Show lessons</button>' in html
    assert 'role="progressbar"' in html and "<script>" not in html and "style=" not in html


def test_library_pages_keep_filters(
    app: Flask, client: FlaskClient, auth: Auth, learner, instructor
) -> None:
    for n in range(30):
        _video(app, instructor.id, f"Lesson {n:02d}", 100, minutes_ago=n)
    _video(app, instructor.id, "Long lesson", 1000, minutes_ago=99)
    auth.login(learner.email)
    first = client.get("/?duration=under-5").get_data(as_text=True)
    assert _titles(first)[:2] == ["Lesson 00", "Lesson 01"] and len(_titles(first)) == 24
    assert "30 lessons · page 1 of 2" in first
    assert 'href="/?duration=under-5&amp;page=2"' in first and 'rel="next"' in first
    assert 'aria-current="page"' in first
    second = client.get("/?duration=under-5&page=2").get_data(as_text=True)
    assert _titles(second) == [f"Lesson {n:02d}" for n in range(24, 30)]
    assert 'rel="prev" href="/?duration=under-5"' in second and 'rel="next"' not in second
    # Past the end: the last page.
    assert _titles(client.get("/?duration=under-5&page=9").get_data(as_text=True)) == _titles(
        second
    )


def test_library_lists_early_previews_on_the_unfiltered_first_page(
    app: Flask, client: FlaskClient, auth: Auth, learner, instructor, catalogue
) -> None:
    with app.app_context():
        for title in ("Live class, processing", "Cohort class, processing"):
            db.session.add(
                Video(
                    title=title,
                    owner_id=instructor.id,
                    state=VideoState.PROCESSING.value,
                    preview_prefix=f"videos/preview/{title}",
                )
            )
        db.session.flush()
        cohort = db.session.scalars(
            select(Video).where(Video.title == "Cohort class, processing")
        ).one()
        # A cohort recording being re-processed keeps its unlisted module.
        db.session.add(Module(video_id=cohort.id, title=cohort.title, listed=False))
        db.session.commit()
    auth.login(learner.email)
    html = client.get("/").get_data(as_text=True)
    assert "Live class, processing" in html and "Early preview · still processing" in html
    assert "Cohort class, processing" not in html
    assert "Live class, processing" not in client.get("/?level=foundation").get_data(as_text=True)


def test_library_shows_clip_badge_source_and_progress(
    app: Flask, client: FlaskClient, auth: Auth, learner, instructor, make_ready_video, clock
) -> None:
    video_id = make_ready_video(instructor.id, "Gradient Descent, Live")
    clip_id = _clip(app, video_id, instructor.id, title="Learning rate", start=1.0, end=3.0)
    auth.login(learner.email)
    watch(client, f"/api/v1/clips/{clip_id}/progress", [[0, 1.0]], clock, auth.json_headers())
    html = client.get("/").get_data(as_text=True)
    tile = re.search(rf'<li class="tile clip-tile" data-clip-id="{clip_id}">.*?</li>', html, re.S)
    assert tile is not None
    tile_html = tile.group(0)
    assert 'class="badge badge-clip">Clip<' in tile_html
    assert f'href="/videos/{video_id}?t=1.0">Gradient Descent, Live</a> at 0:01' in tile_html
    assert "50% watched" in tile_html and 'aria-valuenow="50"' in tile_html


def test_caption_matches_plug_into_search_and_link_to_the_moment(
    app: Flask, client: FlaskClient, auth: Auth, learner, instructor, catalogue
) -> None:
    """A stand-in caption source (chapter titles as 'cues') shows how captions plug in."""

    class ChapterCaptions:
        def condition(self, terms, dialect):
            matches = [Chapter.title.ilike(f"%{t}%") for t in terms]
            return Module.video_id.in_(select(Chapter.video_id).where(*matches))

        def moments(self, terms, modules):
            rows = db.session.execute(
                select(Chapter.video_id, db.func.min(Chapter.start))
                .where(
                    Chapter.video_id.in_([m.video_id for m in modules]),
                    *[Chapter.title.ilike(f"%{t}%") for t in terms],
                )
                .group_by(Chapter.video_id)
            ).all()
            at = dict(rows)
            return {m.id: at[m.video_id] for m in modules if m.video_id in at}

    with app.app_context():
        module = db.session.get(Module, catalogue["cloud"])
        db.session.add(Chapter(video_id=module.video_id, title="Spot instances", start=42.0))
        db.session.commit()
        video_id = module.video_id
    source = ChapterCaptions()
    register_caption_source(app, source)
    try:
        auth.login(learner.email)
        html = client.get("/?q=spot").get_data(as_text=True)
        assert _titles(html) == ["Cloud Cost Basics"]
        assert f'Mentioned at <a href="/videos/{video_id}?t=42.0">0:42</a>' in html
        body = client.get("/api/v1/modules?q=spot").get_json()
        assert body["items"][0]["match"] == {"at": 42.0, "url": f"/videos/{video_id}?t=42.0"}
    finally:
        app.extensions[CAPTION_SOURCES].remove(source)
    assert _titles(client.get("/?q=spot").get_data(as_text=True)) == []


# --------------------------------------------------------------------------- query counts


def test_library_query_count_is_constant_for_a_page_of_24(
    app: Flask, client: FlaskClient, auth: Auth, learner, instructor, make_ready_video, clock
) -> None:
    slug = _topic(app, "Data Science")
    recording = make_ready_video(instructor.id, "Recording")
    auth.login(learner.email)
    _video(app, instructor.id, "Only one", topic=slug, tags=["x"])
    client.get("/")  # warm up
    few = count_queries(app, lambda: client.get("/"))
    for n in range(12):
        _video(app, instructor.id, f"Video {n}", topic=slug, tags=["x", "y"])
        clip_id = _clip(app, recording, instructor.id, title=f"Clip {n}", start=0, end=2)
        url = f"/api/v1/clips/{clip_id}/progress"
        watch(client, url, [[0, 1.0]], clock, auth.json_headers())
    html = client.get("/").get_data(as_text=True)
    assert len(TILE.findall(html)) == 24 and "50% watched" in html
    many = count_queries(app, lambda: client.get("/"))
    searched = count_queries(app, lambda: client.get("/?q=video&topic=data-science"))
    api = count_queries(app, lambda: client.get("/api/v1/modules?per_page=24"))
    assert many == few and searched <= few  # filtered pages skip the early previews
    assert api <= few

    with app.app_context():
        viewer = db.session.get(User, learner.id)
        known = topics()
        filters = parse_filters({}, known)
        statements = count_queries(
            app,
            lambda: [
                (
                    i.module.video.title,
                    i.module.topic and i.module.topic.name,
                    i.module.clip and i.module.clip.start,
                    i.percent,
                )
                for i in browse(viewer, filters, known).items
            ],
        )
        assert statements == 4  # count, page, progress, the page's courses (locks)


def test_postgres_search_uses_the_full_text_index(app: Flask, instructor, catalogue) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the GIN index exists on PostgreSQL only")
        from webapp.catalogue.search import search_condition

        query = select(Module.id).where(search_condition(["confus"], "postgresql"))
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        # Compiled for the driver (a trigram operator's "%" doubled): run as it is.
        connection = db.session.connection()
        plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
        db.session.rollback()
        assert "ix_modules_search" in plan


# --------------------------------------------------------------------------- API


def test_api_lists_modules_with_filters_and_progress(
    app: Flask, client: FlaskClient, auth: Auth, learner, instructor, catalogue
) -> None:
    assert client.get("/api/v1/modules").status_code == 401
    auth.login(learner.email)
    body = client.get("/api/v1/modules?per_page=2").get_json()
    assert (body["total"], body["page"], body["per_page"], body["pages"]) == (5, 1, 2, 3)
    item = body["items"][0]
    assert item["title"] == "Cloud Cost Basics" and item["kind"] == "video"
    assert set(item) >= {
        "id",
        "kind",
        "title",
        "topic",
        "level",
        "tags",
        "duration",
        "watch_url",
        "progress",
    }
    assert item["progress"] == {
        "percent": 0.0,
        "completed": False,
        "position": 0.0,
        "watched_seconds": 0.0,
    }
    assert _api_titles(client, "?topic=Data+Science&sort=popular") == [
        "Reading a Confusion Matrix",
        "Deep Learning Masterclass",
    ]
    assert _api_titles(client, "?level=intermediate") == ["Conversion Funnels"]
    assert _api_titles(client, "?duration=over-60") == ["Deep Learning Masterclass"]
    assert _api_titles(client, "?q=search") == ["SEO Fundamentals"]
    assert _api_titles(client, "?page=3&per_page=2") == ["SEO Fundamentals"]
    assert _api_titles(client, "?page=4&per_page=2") == []
    seo = client.get("/api/v1/modules?q=seo").get_json()["items"][0]
    assert seo["topic"] == {"name": "Digital Marketing", "slug": "digital-marketing"}
    assert seo["tags"] == ["seo", "search"] and seo["duration"] == 240.0


def test_api_reports_clip_modules_with_their_recording(
    app: Flask, client: FlaskClient, auth: Auth, learner, instructor, make_ready_video, clock
) -> None:
    video_id = make_ready_video(instructor.id, "Recording")
    clip_id = _clip(app, video_id, instructor.id, title="Bite", start=1.0, end=2.5)
    auth.login(learner.email)
    watch(client, f"/api/v1/clips/{clip_id}/progress", [[0, 1.5]], clock, auth.json_headers())
    items = {i["title"]: i for i in client.get("/api/v1/modules").get_json()["items"]}
    bite = items["Bite"]
    assert (bite["kind"], bite["clip_id"], bite["watch_url"]) == (
        "clip",
        clip_id,
        f"/clips/{clip_id}",
    )
    assert bite["from"]["url"] == f"/videos/{video_id}?t=1.0"
    assert bite["progress"]["completed"] is True and bite["progress"]["percent"] == 100.0
    assert items["Recording"]["watch_url"] == f"/videos/{video_id}"


@pytest.mark.parametrize(
    "query",
    [
        "level=expert",
        "per_page=101",
        "per_page=0",
        "page=-1",
        "page=0",
        "page=two",
        "duration=short",
        "sort=oldest",
        "topic=astrology",
        "q=" + "x" * 201,
    ],
)
def test_api_rejects_bad_parameters(
    client: FlaskClient, auth: Auth, learner, catalogue, query: str
) -> None:
    auth.login(learner.email)
    response = client.get(f"/api/v1/modules?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("level=expert", "level"),
        ("per_page=101", "per_page"),
        ("page=two", "page"),
        ("duration=short", "duration"),
        ("sort=oldest", "sort"),
        ("topic=astrology", "topic"),
        ("q=" + "x" * 201, "q"),
        ("owner_id=1", "owner_id"),
    ],
)
def test_api_bad_parameters_name_the_field(
    client: FlaskClient, auth: Auth, learner, catalogue, query: str, field: str
) -> None:
    auth.login(learner.email)
    assert field in problem_fields(client.get(f"/api/v1/modules?{query}"))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"level": "expert"}, "level"),
        ({"level": None}, "level"),
        ({"tags": 5}, "tags"),
        ({"tags": [1]}, "tags.0"),
        ({"topic": 3}, "topic"),
        ({"topic": "t" * 81}, "topic"),
        ({"description": "d" * 5001}, "description"),
        ({"views": 10}, "views"),
    ],
)
def test_api_bad_curation_names_the_field(
    client: FlaskClient, auth: Auth, instructor, catalogue, body: dict, field: str
) -> None:
    auth.login(instructor.email)
    url = f"/api/v1/modules/{catalogue['cloud']}"
    response = client.patch(url, json=body, headers=auth.json_headers())
    assert field in problem_fields(response)


def test_api_patch_permissions_and_validation(
    app: Flask, client: FlaskClient, auth: Auth, make_user, instructor, learner, catalogue
) -> None:
    module_id = catalogue["cloud"]
    url = f"/api/v1/modules/{module_id}"
    _topic(app, "Cloud Computing")

    auth.login(learner.email)
    assert (
        client.patch(url, json={"level": "advanced"}, headers=auth.json_headers()).status_code
        == 403
    )
    auth.logout()
    auth.login(make_user("instructor").email)  # not the recording's instructor
    assert (
        client.patch(url, json={"level": "advanced"}, headers=auth.json_headers()).status_code
        == 403
    )
    auth.logout()

    auth.login(instructor.email)
    response = client.patch(
        url,
        json={
            "topic": "cloud-computing",
            "level": "Intermediate",
            "tags": ["FinOps", " budgets "],
            "description": "Budgets, alerts and tagging",
        },
        headers=auth.json_headers(),
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["topic"]["name"] == "Cloud Computing" and body["level"] == "intermediate"
    assert body["tags"] == ["finops", "budgets"] and body["description"].startswith("Budgets")
    for bad in (
        {"level": "expert"},
        {"topic": "Astrology"},
        {"tags": "ok, <script>"},
        {"tags": 5},
        {"listed": False},
        {"views": 10**6, "level": "advanced"},
        {"title": "Renamed"},
    ):
        response = client.patch(url, json=bad, headers=auth.json_headers())
        assert response.status_code == 400, bad
    assert client.patch(url, data="nope", headers=auth.json_headers()).status_code == 400
    assert (
        client.patch("/api/v1/modules/999999", json={}, headers=auth.json_headers()).status_code
        == 404
    )
    with app.app_context():
        module = db.session.get(Module, module_id)
        assert (module.listed, module.views, module.level) == (True, 0, "intermediate")
    auth.logout()

    auth.login(make_user("admin").email)
    response = client.patch(url, json={"topic": None, "tags": ""}, headers=auth.json_headers())
    assert response.status_code == 200
    assert response.get_json()["topic"] is None and response.get_json()["tags"] == []
    # The search follows curated tags.
    client.patch(url, json={"tags": ["kubernetes"]}, headers=auth.json_headers())
    assert _api_titles(client, "?q=kubernetes") == ["Cloud Cost Basics"]


# --------------------------------------------------------------------------- CLI


def test_cli_topics_and_module_curation(app: Flask, instructor) -> None:
    module_id = _video(app, instructor.id, "Pivot Tables")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["catalogue", "topic", "add", "Data Science"])
    assert result.exit_code == 0 and "slug data-science" in result.output
    result = runner.invoke(args=["catalogue", "topic", "add", "data science"])
    assert result.exit_code == 1 and "already exists" in result.output
    result = runner.invoke(args=["catalogue", "topic", "add", "  "])
    assert result.exit_code == 1 and "needs a name" in result.output
    assert "data-science" in runner.invoke(args=["catalogue", "topic", "list"]).output

    result = runner.invoke(
        args=[
            "catalogue",
            "module",
            "set",
            str(module_id),
            "--topic",
            "Data Science",
            "--level",
            "intermediate",
            "--tags",
            "a,b",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "topic Data Science, level intermediate, tags a, b" in result.output
    with app.app_context():
        module = db.session.get(Module, module_id)
        assert (module.topic.slug, module.level, module.tags) == (
            "data-science",
            "intermediate",
            ["a", "b"],
        )

    for args, message in (
        (["--level", "expert"], "level must be one of foundation, intermediate, advanced"),
        (["--topic", "Astrology"], "no topic named 'Astrology'"),
        (["--tags", "ok,<b>"], "tag '<b>'"),
    ):
        result = runner.invoke(args=["catalogue", "module", "set", str(module_id), *args])
        assert result.exit_code == 1 and message in result.output, result.output
    result = runner.invoke(args=["catalogue", "module", "set", "999999", "--level", "advanced"])
    assert result.exit_code == 1 and "no module with id 999999" in result.output
    result = runner.invoke(args=["catalogue", "module", "set", str(module_id)])
    assert result.exit_code == 2 and "nothing to change" in result.output
    result = runner.invoke(args=["catalogue", "module", "set", "abc", "--level", "advanced"])
    assert result.exit_code == 2


def test_cli_sync_backfills_missing_modules(app: Flask, instructor) -> None:
    _topic(app, "Data Science")
    with app.app_context():
        ready = Video(
            title="Old lesson", owner_id=instructor.id, state=VideoState.READY.value, duration=90.0
        )
        failed = Video(title="Broken", owner_id=instructor.id, state=VideoState.FAILED.value)
        db.session.add_all([ready, failed])
        db.session.flush()
        # Rows written before the catalogue existed: no service, so no modules.
        db.session.add(
            Clip(
                video_id=ready.id,
                title="Old clip",
                topic="Data Science",
                start=10.0,
                end=40.0,
                created_by=instructor.id,
            )
        )
        db.session.commit()
        assert db.session.scalar(select(db.func.count(Module.id))) == 0
    runner = app.test_cli_runner()
    result = runner.invoke(args=["catalogue", "sync"])
    assert (
        result.exit_code == 0 and "created 1 video module(s) and 1 clip module(s)" in result.output
    )
    assert (
        "created 0 video module(s) and 0 clip module(s)"
        in runner.invoke(args=["catalogue", "sync"]).output
    )
    with app.app_context():
        rows = db.session.scalars(select(Module).order_by(Module.id)).all()
        assert [(m.title, m.duration, m.is_clip) for m in rows] == [
            ("Old lesson", 90.0, False),
            ("Old clip", 30.0, True),
        ]
        assert rows[1].topic == db.session.scalars(select(Topic)).one()
