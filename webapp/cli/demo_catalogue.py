"""What the demo teaches: the lectures (slides that are drawn and spoken), their topics,
and the two digital-marketing programs built from them. Data only."""

from __future__ import annotations

from dataclasses import dataclass

from webapp.cli.demo_media import Lecture, Slide


@dataclass(frozen=True)
class DemoLesson:
    """A lecture and where it sits in the catalogue."""

    lecture: Lecture
    description: str
    topic: str
    level: str
    tags: tuple[str, ...]

    @property
    def title(self) -> str:
        """The video's and the module's title."""
        return self.lecture.title


def _lesson(
    title: str, description: str, topic: str, level: str, tags: tuple[str, ...], *slides: Slide
) -> DemoLesson:
    return DemoLesson(Lecture(title, slides), description, topic, level, tags)


STRATEGY, SEO, PPC, SOCIAL, CONTENT, EMAIL, ANALYTICS = (
    "Digital Marketing Strategy",
    "Search Engine Optimization",
    "Pay-Per-Click Advertising",
    "Social Media Marketing",
    "Content Marketing",
    "Email Marketing",
    "Web Analytics",
)
TOPICS = (STRATEGY, SEO, PPC, SOCIAL, CONTENT, EMAIL, ANALYTICS)

LESSONS: tuple[DemoLesson, ...] = (
    _lesson(
        "What Digital Marketing Is",
        "The channels, the customer journey and how to set goals you can measure.",
        STRATEGY,
        "foundation",
        ("strategy", "goals"),
        Slide(
            "Channels",
            (
                "Search, social, email and display reach people online.",
                "Each channel meets the customer at a different moment.",
            ),
        ),
        Slide(
            "Measurable goals",
            (
                "Start from a business goal, such as more qualified leads.",
                "Pick one number per goal and check it every week.",
            ),
        ),
    ),
    _lesson(
        "SEO Fundamentals: How Search Engines Rank Pages",
        "Crawling, indexing and ranking, and what a page needs to be found.",
        SEO,
        "foundation",
        ("seo",),
        Slide(
            "How search works",
            (
                "Crawlers follow links to discover pages.",
                "The index stores what each page is about.",
                "Ranking orders pages by relevance to the query.",
            ),
        ),
        Slide(
            "What a page needs",
            (
                "A title tag that matches the search intent.",
                "Headings that structure the topic.",
                "Fast loading on a phone.",
            ),
        ),
    ),
    _lesson(
        "Pay-Per-Click Advertising: Bids and Quality Score",
        "How search ads are auctioned, and why relevance lowers what you pay.",
        PPC,
        "intermediate",
        ("ppc", "google ads"),
        Slide(
            "The ad auction",
            (
                "Advertisers bid on keywords for each search.",
                "Ad rank combines the bid with the quality score.",
            ),
        ),
        Slide(
            "Quality score",
            (
                "Relevant ads and landing pages raise the score.",
                "A higher score means a lower cost per click.",
            ),
        ),
    ),
    _lesson(
        "Social Media Marketing: Choosing Your Channels",
        "Matching platforms to audiences, and a posting rhythm you can keep.",
        SOCIAL,
        "intermediate",
        ("social",),
        Slide(
            "Go where your audience is",
            (
                "LinkedIn for business buyers, Instagram for visual products.",
                "Two channels done well beat five done badly.",
            ),
        ),
        Slide(
            "A rhythm you can keep",
            ("Plan posts a month ahead in a shared calendar.", "Answer comments within a day."),
        ),
    ),  # fmt: skip
    _lesson(
        "Content Marketing: Planning an Editorial Calendar",
        "Turning customer questions into a calendar of useful content.",
        CONTENT,
        "intermediate",
        ("content", "planning"),
        Slide(
            "Start from questions",
            (
                "List the questions customers ask before they buy.",
                "Each question can become an article or a video.",
            ),
        ),
        Slide(
            "The calendar",
            (
                "Give every piece an owner, a date and a channel.",
                "Review what performed best each month.",
            ),
        ),
    ),
    _lesson(
        "Email Marketing That Gets Opened",
        "Subject lines, segments and the one metric that matters.",
        EMAIL,
        "intermediate",
        ("email",),
        Slide(
            "Subject lines",
            (
                "Short, specific subject lines are opened more often.",
                "Test two versions on a small part of the list.",
            ),
        ),
        Slide(
            "Segments",
            ("Send new subscribers a welcome series.", "Measure clicks, not only opens."),
        ),
    ),
    _lesson(
        "Building Your First Conversion Funnel Report",
        "From sessions to sign-ups: where visitors leave, and what to fix first.",
        ANALYTICS,
        "advanced",
        ("analytics", "funnel"),
        Slide(
            "The funnel",
            (
                "A funnel counts visitors at each step to a goal.",
                "Visit, product page, cart, sign up.",
            ),
        ),
        Slide(
            "Reading the drop-offs",
            (
                "The biggest drop between two steps is fixed first.",
                "Compare the funnel by channel and by device.",
            ),
        ),
    ),
)

# The recording of the learner's cohort's first live class, which the learner missed.
CLASS_RECORDING = _lesson(
    "Live class 1 recording: Keyword Research, a Worked Example",
    "Recording of the cohort's first live class.",
    SEO, "foundation", ("seo", "keywords"),
    Slide("Keyword research", ("Start from the words customers use, not your own jargon.",
                               "Group keywords by intent: learn, compare or buy.")),
    Slide("Worked example", ("For running shoes, compare volume and difficulty.",
                             "Long-tail phrases are easier to rank for.")),
)  # fmt: skip


@dataclass(frozen=True)
class DemoCourse:
    """A course of the demo: its lessons (indexes into ``LESSONS``) and what it requires."""

    slug: str
    title: str
    level: str
    lessons: tuple[int, ...]
    description: str
    requires: tuple[str, ...] = ()


COURSES = (
    DemoCourse(
        "dm-foundations", "Digital Marketing Foundations", "foundation", (0, 1),
        "The channels, measurable goals and search engine optimization.",
    ),
    DemoCourse(
        "dm-growth-channels", "Growth Channels", "intermediate", (2, 3, 4, 5),
        "Paid search, social media, content and email.", ("dm-foundations",),
    ),
    DemoCourse(
        "dm-analytics", "Analytics and Conversion", "advanced", (6,),
        "Measuring the funnel and fixing where visitors leave.", ("dm-growth-channels",),
    ),
)  # fmt: skip

# 8 months ≈ 35 weeks ("35 weeks (about 8 months)" on the program page).
PROGRAM_WEEKS = 35
DEMO_NOTE = "In this demo each module is a short sample lecture."


@dataclass(frozen=True)
class DemoProgram:
    """A program of the demo and its price."""

    slug: str
    title: str
    courses: tuple[str, ...]
    fee: str
    level: str
    description: str


PGP = DemoProgram(
    "pg-digital-marketing",
    "Post Graduate Program in Digital Marketing",
    ("dm-foundations", "dm-growth-channels", "dm-analytics"),
    "3000.00",
    "advanced",
    "Eight months from the foundations to conversion analytics, with weekly live classes, "
    f"masterclasses and an exam. {DEMO_NOTE}",
)
SPECIALIST = DemoProgram(
    "digital-marketing-specialist",
    "Digital Marketing Specialist",
    ("dm-foundations", "dm-growth-channels"),
    "1649.00",
    "foundation",
    "Eight months of self-paced lectures and live classes across search, social, content "
    f"and email. {DEMO_NOTE}",
)
PROGRAMS = (PGP, SPECIALIST)
CURRENCY = "USD"
