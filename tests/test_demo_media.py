"""The demo-lecture builder: its pure plan (timings, captions, chapters, argv) on given
speech lengths, and one real lecture voiced by espeak-ng and drawn by ffmpeg."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from webapp.captions.parsing import parse_caption_file
from webapp.cli import demo_media
from webapp.cli.demo_catalogue import COURSES, LESSONS, PROGRAMS, TOPICS
from webapp.cli.demo_media import (
    SENTENCE_GAP,
    SLIDE_GAP,
    Lecture,
    Slide,
    brief,
    build_lecture,
    bullet_text,
    captions_vtt,
    chapters,
    render_argv,
    speech_argv,
    timeline,
)

LECTURE = Lecture(
    "Demo",
    (
        Slide("Search", ("Crawlers follow links", "Pages are indexed.")),
        Slide("Ads: the auction", ("Bids meet quality.",)),
    ),
)
# Spoken lengths: the title, then each bullet, per slide.
SECONDS = [[1.0, 2.0, 3.0], [1.5, 2.5]]


def test_sentences_are_the_title_then_each_bullet_with_a_full_stop() -> None:
    assert LECTURE.slides[0].sentences() == (
        "Search.",
        "Crawlers follow links.",
        "Pages are indexed.",
    )


def test_the_timeline_places_each_sentence_after_the_last_with_its_gaps() -> None:
    plan = timeline(LECTURE, SECONDS)
    g, s = SENTENCE_GAP, SLIDE_GAP
    starts = [0.0, 1 + g, 3 + 2 * g]
    second = 6 + 3 * g + s
    starts += [second, second + 1.5 + g]
    assert [c.start for c in plan.cues] == pytest.approx(starts)
    assert [c.end - c.start for c in plan.cues] == pytest.approx([1.0, 2.0, 3.0, 1.5, 2.5])
    assert [(x.title, x.start) for x in plan.slides] == [
        ("Search", 0.0),
        ("Ads: the auction", pytest.approx(second)),
    ]
    assert plan.slides[0].end == pytest.approx(second)
    assert plan.duration == pytest.approx(second + 4 + 2 * g + s)


@pytest.mark.parametrize("bad", [[[1.0, 2.0, 3.0]], [[1.0, 2.0], [1.5, 2.5]]])
def test_the_timeline_needs_a_length_for_every_sentence(bad: list[list[float]]) -> None:
    with pytest.raises(ValueError):
        timeline(LECTURE, bad)


def test_captions_are_a_cue_per_sentence_that_the_caption_parser_accepts() -> None:
    plan = timeline(LECTURE, SECONDS)
    vtt = captions_vtt(plan)
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nSearch.\n")
    track = parse_caption_file(vtt.encode(), plan.duration, "demo.vtt")
    assert [c.plain for c in track.cues] == [c.text for c in plan.cues]
    assert [(c.start, c.end) for c in track.cues] == [(c.start, c.end) for c in plan.cues]


def test_chapters_are_the_slide_titles_at_their_starts() -> None:
    plan = timeline(LECTURE, SECONDS)
    assert chapters(plan) == (("Search", 0.0), ("Ads: the auction", plan.slides[1].start))


def test_speech_reads_its_text_from_a_file_at_the_set_pace(tmp_path: Path) -> None:
    argv = speech_argv(tmp_path / "s.txt", tmp_path / "s.wav")
    assert argv[0] == "espeak-ng"
    assert argv[argv.index("-f") + 1] == str(tmp_path / "s.txt")
    assert argv[argv.index("-w") + 1] == str(tmp_path / "s.wav")
    assert argv[argv.index("-s") + 1] == "160"


def test_render_shows_each_slide_during_its_span_over_the_speech(tmp_path: Path) -> None:
    plan = timeline(LECTURE, SECONDS)
    files = [(tmp_path / f"t{i}.txt", tmp_path / f"b{i}.txt") for i in range(2)]
    argv = render_argv(LECTURE, plan, files, tmp_path / "speech.wav", tmp_path / "out.mp4")
    graph = argv[argv.index("-filter_complex") + 1]
    for span, (title, bullets) in zip(plan.slides, files, strict=True):
        when = f"enable='between(t,{span.start:.3f},{span.end:.3f})'"
        assert graph.count(when) == 2  # the title and the bullets
        assert f"textfile='{title}'" in graph and f"textfile='{bullets}'" in graph
    assert "overlay=x='W-w-20+8*sin(t/3)'" in graph  # the camera inset moves
    assert argv[argv.index("-t") + 1] == f"{plan.duration:.3f}"
    assert str(tmp_path / "speech.wav") in argv and argv[-1] == str(tmp_path / "out.mp4")
    assert "expansion=none" in graph  # no text is ever read as an expression


def test_bullets_wrap_and_start_with_a_dot() -> None:
    slide = Slide("T", ("word " * 20, "Short one."))
    lines = bullet_text(slide).split("\n")
    assert lines[0].startswith("\u2022 ") and lines[-1] == "\u2022 Short one."
    assert all(len(line) <= demo_media.WRAP + 3 for line in lines)
    assert len(lines) > 2


def test_brief_keeps_the_first_slide_with_one_bullet() -> None:
    short = brief(LESSONS[0].lecture)
    assert short.title == LESSONS[0].title
    assert short.slides == (
        Slide(LESSONS[0].lecture.slides[0].title, LESSONS[0].lecture.slides[0].bullets[:1]),
    )


def test_the_catalogue_fills_every_topic_and_course() -> None:
    assert {lesson.topic for lesson in LESSONS} == set(TOPICS)
    used = sorted(i for course in COURSES for i in course.lessons)
    assert used == list(range(len(LESSONS)))
    assert [c.level for c in COURSES] == ["foundation", "intermediate", "advanced"]
    assert {p.fee for p in PROGRAMS} == {"3000.00", "1649.00"}
    for lesson in LESSONS:
        assert 2 <= len(lesson.lecture.slides) <= 4
        assert all(1 <= len(s.bullets) <= 4 for s in lesson.lecture.slides)


# --------------------------------------------------------------------------- real media


def _probe(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def test_a_real_lecture_is_voiced_drawn_captioned_and_cached(tmp_path: Path) -> None:
    lecture = Lecture("Probe lecture", (Slide("Hello", ("Search engines rank pages.",)),))
    built = build_lecture(lecture, tmp_path)
    info = _probe(built.video)
    kinds = sorted(s["codec_type"] for s in info["streams"])
    assert kinds == ["audio", "video"]
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (demo_media.WIDTH, demo_media.HEIGHT)
    # As long as the speech: two sentences, their gaps and the slide's pause.
    assert float(info["format"]["duration"]) == pytest.approx(built.duration, abs=0.2)
    assert built.duration > 2 * SENTENCE_GAP + SLIDE_GAP + 1.0  # some speech was made
    track = parse_caption_file(built.vtt.encode(), built.duration, "lecture.vtt")
    assert [c.plain for c in track.cues] == ["Hello.", "Search engines rank pages."]
    assert track.cues[1].end <= built.duration
    assert built.chapters == (("Hello", 0.0),)
    # Built again: the cached file, unchanged.
    mtime = built.video.stat().st_mtime_ns
    again = build_lecture(lecture, tmp_path)
    assert again == built and again.video.stat().st_mtime_ns == mtime
