"""Search that forgives: stems, typos, ranking and highlights, on whichever database the
suite runs (CI: SQLite, then PostgreSQL), with one table of queries for both."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.support.auth import Auth
from webapp.captions.services import store_caption
from webapp.catalogue import services
from webapp.catalogue.forgiving import edit_distance, highlight, matches
from webapp.catalogue.search import MAX_TERMS, search_terms
from webapp.extensions import db
from webapp.models import Module, User, Video, VideoState

BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)

# title, description, tags; listed oldest first (a tie in rank goes to the newest).
LESSONS = [
    ("Optimisation, week 4", "Second-order methods", []),
    ("Conversion Funnel Basics", "From first visit to sign-up", ["analytics"]),
    ("Digital Marketing Strategy", "Plan campaigns across channels", ["marketing", "strategy"]),
    ("Email Campaigns That Convert", "Subject lines, segmentation and timing", ["email"]),
    ("Search Engine Optimisation", "How crawlers index and rank pages", ["seo"]),
    ("Reading a Confusion Matrix", "Precision and recall for classifiers", ["machine learning"]),
    ("Deep Learning Masterclass", "Backpropagation end to end", ["neural networks"]),
    ("Cloud Cost Basics", "Budgets and alerts for your account", ["cloud"]),
    (
        "Social Media Advertising",
        "Audiences, bids and creative tests: a marketing funnel for paid social",
        ["ads"],
    ),
    ("Café Branding Workshop", "Logos and colour for small businesses", ["branding"]),
]
# Spoken in "Optimisation, week 4" only (its title, description and tags do not say it).
LECTURE = "WEBVTT\n\n00:00:05.000 --> 00:00:09.000\nThe Hessian tells us the curvature.\n"

# query → the first result, the same on SQLite and PostgreSQL.
TABLE = [
    ("funnels", "Conversion Funnel Basics"),  # plural → stem; title above description
    ("Funnel", "Conversion Funnel Basics"),  # case
    ("funel", "Conversion Funnel Basics"),  # typo
    ("marketng", "Digital Marketing Strategy"),  # typo; title above description
    ("marketing", "Digital Marketing Strategy"),  # title above description
    ("campaign", "Email Campaigns That Convert"),  # singular finds plural; title first
    ("strategies", "Digital Marketing Strategy"),  # plural of a title word
    ("optimization", "Search Engine Optimisation"),  # spelling variant; newer of a tie
    ("crawlers", "Search Engine Optimisation"),  # description
    ("seo", "Search Engine Optimisation"),  # tag
    ("confusion matrix", "Reading a Confusion Matrix"),  # every word
    ("neural network", "Deep Learning Masterclass"),  # multi-word tag, singular
    ("backpropagation", "Deep Learning Masterclass"),  # description
    ("learning", "Deep Learning Masterclass"),  # title above another lesson's tag
    ("budget", "Cloud Cost Basics"),  # description, singular
    ("hessian", "Optimisation, week 4"),  # captions
    ("advertisement", "Social Media Advertising"),  # same stem, other form
    ("paid social", "Social Media Advertising"),  # title + description words
    ("the funnel", "Conversion Funnel Basics"),  # stop word left out
    ("brandng", "Café Branding Workshop"),  # typo in a title word and tag
]


@pytest.fixture
def lessons(app: Flask, make_user) -> dict[str, int]:
    """The ten lessons of LESSONS (title → module id), one of them with captions."""
    instructor = make_user("instructor")
    ids: dict[str, int] = {}
    with app.app_context():
        for age, (title, description, tags) in enumerate(reversed(LESSONS)):
            video = Video(
                title=title,
                description=description,
                owner_id=instructor.id,
                state=VideoState.READY.value,
                duration=600.0,
                hls_prefix=f"videos/test/{title}",
                published_at=BASE_TIME - timedelta(minutes=age),
            )
            db.session.add(video)
            db.session.flush()
            module = services.sync_video_module(video)
            module.tags = tags
            module.created_at = BASE_TIME - timedelta(minutes=age)
            ids[title] = module.id
        lecture = db.session.scalar(db.select(Video).where(Video.title == "Optimisation, week 4"))
        author = db.session.get(User, instructor.id)
        store_caption(lecture, author, "en", None, LECTURE.encode(), "lecture.vtt")
        db.session.commit()
    return ids


def _first(client: FlaskClient, query: str) -> str | None:
    response = client.get("/api/v1/modules", query_string={"q": query})
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    return items[0]["title"] if items else None


@pytest.mark.parametrize(("query", "expected"), TABLE, ids=[q for q, _ in TABLE])
def test_the_first_result_is_the_best_match(
    client: FlaskClient, auth: Auth, make_user, lessons, query: str, expected: str
) -> None:
    auth.login(make_user("learner").email)
    assert _first(client, query) == expected


def test_every_word_must_match_and_nonsense_finds_nothing(
    client: FlaskClient, auth: Auth, make_user, lessons
) -> None:
    auth.login(make_user("learner").email)

    def titles(query: str) -> list[str]:
        body = client.get("/api/v1/modules", query_string={"q": query}).get_json()
        return [item["title"] for item in body["items"]]

    assert titles("funnel budget") == []  # in two different lessons
    assert titles("xyzzyq") == []
    assert titles("rank") == ["Search Engine Optimisation"]  # short words are not corrected
    # A typo ranks below an exact match of the same field, and everything matching shows.
    assert titles("marketing")[:2] == ["Digital Marketing Strategy", "Social Media Advertising"]
    # Sorting by newest keeps the filter but not the rank.
    body = client.get("/api/v1/modules?q=funnel&sort=newest").get_json()
    assert [i["title"] for i in body["items"]] == [
        "Social Media Advertising",
        "Conversion Funnel Basics",
    ]


def test_the_index_follows_edits_and_deletes(
    app: Flask, client: FlaskClient, auth: Auth, make_user, lessons
) -> None:
    """SQLite's FTS5 table is kept by triggers; PostgreSQL indexes the columns."""
    auth.login(make_user("learner").email)
    module_id = lessons["Cloud Cost Basics"]
    with app.app_context():
        module = db.session.get(Module, module_id)
        module.title = "Kubernetes Cost Basics"
        module.tags = ["containers"]
        db.session.commit()
    assert _first(client, "kubernetes") == "Kubernetes Cost Basics"
    assert _first(client, "containers") == "Kubernetes Cost Basics"
    assert _first(client, "cloud") is None
    with app.app_context():
        db.session.delete(db.session.get(Module, module_id))
        db.session.commit()
    assert _first(client, "kubernetes") is None


def test_search_structures_exist_at_head(app: Flask) -> None:
    """A later migration rebuilding ``modules`` on SQLite would drop its triggers."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            names = set(
                db.session.scalars(
                    text("SELECT name FROM sqlite_master WHERE name LIKE 'modules_fts%'")
                )
            )
            assert {
                "modules_fts",
                "modules_fts_terms",
                "modules_fts_instances",
                "modules_fts_insert",
                "modules_fts_update",
                "modules_fts_delete",
            } <= names
        else:
            assert db.session.scalar(
                text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
            )
            assert db.session.scalar(
                text("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_modules_trigrams'")
            )


def test_postgres_typo_search_stays_on_indexes(app: Flask, lessons) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the trigram index exists on PostgreSQL only")
        from webapp.catalogue.search import text_condition

        query = db.select(Module.id).where(text_condition(["marketng"], "postgresql"))
        # Compiled for the driver (the trigram operator's "%" doubled): run as it is.
        compiled = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        connection = db.session.connection()
        rows = connection.exec_driver_sql(f"EXPLAIN {compiled}").scalars()
        plan = "\n".join(rows)
        db.session.rollback()
    assert "ix_modules_search" in plan and "ix_modules_trigrams" in plan


# --------------------------------------------------------------------------- highlights


@pytest.mark.parametrize(
    ("text_", "terms", "expected"),
    [
        ("Conversion Funnel Basics", ["funnels"], "Conversion <mark>Funnel</mark> Basics"),
        ("Digital Marketing", ["marketng"], "Digital <mark>Marketing</mark>"),
        ("Reading a Confusion Matrix", ["confus"], "Reading a <mark>Confusion</mark> Matrix"),
        ("Café Branding", ["cafe"], "<mark>Café</mark> Branding"),
        ("Cost & <b>Budgets</b>", ["budget"], "Cost &amp; &lt;b&gt;<mark>Budgets</mark>&lt;/b&gt;"),
        (
            "<script>alert(1)</script>",
            ["script"],
            "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;",
        ),
        ("<script>x</script>", [], "&lt;script&gt;x&lt;/script&gt;"),
        ("Rank pages", ["bank"], "Rank pages"),  # four letters: no typo forgiven
    ],
)
def test_highlight_marks_matched_words_and_escapes_the_rest(
    text_: str, terms: list[str], expected: str
) -> None:
    assert str(highlight(text_, terms)) == expected


def test_word_comparison() -> None:
    assert edit_distance("marketng", "marketing", 2) == 1
    assert edit_distance("funnle", "funnel", 1) == 1  # a swap is one edit
    assert edit_distance("abcdef", "uvwxyz", 2) == 3  # gives up past the limit
    assert matches("funnels", "Funnel") and matches("learning", "learn")
    assert not matches("cost", "coast") and not matches("budgets", "gadgets")
    assert search_terms("The  Funnels, of Café!") == ["funnels", "cafe"]
    assert search_terms("the of") == ["the", "of"]  # only stop words: kept
    assert len(search_terms(" ".join(f"w{i}" for i in range(20)))) == MAX_TERMS


def test_library_marks_the_matched_words(
    app: Flask, client: FlaskClient, auth: Auth, make_user, lessons
) -> None:
    with app.app_context():
        module = db.session.get(Module, lessons["Email Campaigns That Convert"])
        module.title = "<script>alert('x')</script> Marketing emails"
        db.session.commit()
    auth.login(make_user("learner").email)
    html = client.get("/?q=marketng").get_data(as_text=True)
    titles = re.findall(r'<span class="tile-title">(.*?)</span>', html)
    assert "Digital <mark>Marketing</mark> Strategy" in titles
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; <mark>Marketing</mark> emails" in titles
    assert "<script>alert" not in html
    assert '<span class="tag"><mark>marketing</mark></span>' in html
    assert '<option value="relevance" selected>Best match</option>' in html
    # Without a search nothing is marked.
    assert "<mark>" not in client.get("/").get_data(as_text=True)
