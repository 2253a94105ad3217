"""The quiz API's shapes: what instructors send and read (with the key), and what
learners read (never the key nor the explanation before they answer)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from webapp.api.contract import Input, Output
from webapp.grading import Kind
from webapp.markdown import to_html
from webapp.models import QuizQuestion
from webapp.quizzes import services
from webapp.quizzes.queries import Previous

Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False, description="Seconds from the start.")]
KindName = Literal["single", "multiple", "numeric", "text"]


# ----------------------------------------------------------------------------- authoring


class ChoiceIn(Input):
    """One choice of a choice question."""

    text: str = Field(max_length=services.MAX_CHOICE)
    right: bool = False


class QuestionIn(Input):
    """A question at a moment: what ``kind`` asks for is used, the rest ignored."""

    at: Seconds
    kind: KindName
    prompt: str = Field(max_length=services.MAX_PROMPT, description="Markdown.")
    explanation: str = Field(default="", max_length=services.MAX_EXPLANATION)
    required: bool = Field(default=False, description="Must be answered to play on.")
    choices: list[ChoiceIn] = Field(default_factory=list, max_length=services.MAX_CHOICES)
    number: float | None = Field(default=None, allow_inf_nan=False)
    tolerance: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    texts: list[Annotated[str, Field(max_length=services.MAX_CHOICE)]] = Field(
        default_factory=list, max_length=services.MAX_TEXTS, description="Accepted answers."
    )

    def draft(self) -> services.Draft:
        """The service's draft of this body."""
        return services.Draft(
            at=self.at,
            kind=Kind(self.kind),
            prompt=self.prompt,
            explanation=self.explanation,
            required=self.required,
            choices=[(c.text, c.right) for c in self.choices],
            number=self.number,
            tolerance=self.tolerance,
            texts=list(self.texts),
        )


class ChoiceKeyOut(Output):
    """A choice with whether it is right (instructors only)."""

    id: int
    text: str
    right: bool


class QuestionFull(Output):
    """A question as its instructor sees it: key and explanation included."""

    id: int
    video_id: int
    at: float
    kind: KindName
    prompt: str
    prompt_html: str
    explanation: str
    explanation_html: str
    required: bool
    choices: list[ChoiceKeyOut]
    number: float | None
    tolerance: float
    texts: list[str]

    @classmethod
    def of(cls, q: QuizQuestion) -> QuestionFull:
        """The shape of ``q``."""
        return cls(
            id=q.id,
            video_id=q.video_id,
            at=q.at,
            kind=q.kind.value,
            prompt=q.prompt,
            prompt_html=to_html(q.prompt),
            explanation=q.explanation,
            explanation_html=to_html(q.explanation),
            required=q.required,
            choices=[ChoiceKeyOut(id=c.id, text=c.text, right=c.correct) for c in q.choices],
            number=q.number,
            tolerance=q.tolerance,
            texts=q.accepted_texts,
        )


class QuestionFullList(Output):
    """A video's questions by moment, with their keys."""

    items: list[QuestionFull]


# ----------------------------------------------------------------------------- learners


class ChoiceOut(Output):
    """A choice as offered to the learner."""

    id: int
    text: str


class GivenOut(Output):
    """An answer as given: the field of the question's kind."""

    choice: int | None = None
    choices: list[int] | None = None
    number: float | None = None
    text: str | None = None


class PreviousOut(Output):
    """The caller's attempts so far; the first counts for scores."""

    attempts: int
    first_right: bool
    last_right: bool
    last_given: GivenOut


class QuestionOut(Output):
    """A question as the player shows it: no right answer, no explanation."""

    id: int
    at: float = Field(description="Seconds from the start of the video (of the clip on a clip).")
    kind: KindName
    prompt_html: str = Field(description="Sanitised HTML of the Markdown prompt.")
    required: bool
    choices: list[ChoiceOut]
    answered: PreviousOut | None

    @classmethod
    def of(cls, q: QuizQuestion, previous: Previous | None, offset: float = 0.0) -> QuestionOut:
        """The learner's shape of ``q`` (its moment minus ``offset``, a clip's start)."""
        answered = None
        if previous is not None:
            given = dict(previous.last_given)
            if q.kind is Kind.SINGLE and given.get("choices"):
                given = {"choice": given["choices"][0]}
            answered = PreviousOut(
                attempts=previous.attempts,
                first_right=previous.first_right,
                last_right=previous.last_right,
                last_given=GivenOut(**given),
            )
        return cls(
            id=q.id,
            at=round(q.at - offset, 3),
            kind=q.kind.value,
            prompt_html=to_html(q.prompt),
            required=q.required,
            choices=[ChoiceOut(id=c.id, text=c.text) for c in q.choices],
            answered=answered,
        )


class QuizOut(Output):
    """The questions of a video or clip by moment, with the caller's previous answers."""

    items: list[QuestionOut]


class GivenIn(Input):
    """An answer: the one field the question's kind asks for."""

    choice: int | None = Field(default=None, description="single: a choice id")
    choices: list[int] | None = Field(
        default=None, max_length=services.MAX_CHOICES, description="multiple: choice ids"
    )
    number: float | None = Field(default=None, allow_inf_nan=False, description="numeric")
    text: str | None = Field(default=None, max_length=services.MAX_CHOICE, description="text")


class AnswerIn(Input):
    """The learner's answer: ``{"choice": id}`` (single), ``{"choices": [ids]}``
    (multiple), ``{"number": x}`` (numeric) or ``{"text": "..."}`` (text)."""

    answer: GivenIn


class RightAnswerOut(Output):
    """What was right: the right choices, the number and its tolerance, or the texts."""

    choices: list[int] | None = None
    number: float | None = None
    tolerance: float | None = None
    texts: list[str] | None = None


class AnswerResult(Output):
    """The mark of an answer, with the explanation and the right answer."""

    right: bool
    explanation_html: str
    right_answer: RightAnswerOut
    attempts: int = Field(description="The caller's attempts at this question, this one included.")
    first_right: bool = Field(
        description="Whether the first attempt (the one that counts) was right."
    )

    @classmethod
    def of(cls, q: QuizQuestion, right: bool, previous: Previous) -> AnswerResult:
        """The result of an answer to ``q``."""
        if q.kind in (Kind.SINGLE, Kind.MULTIPLE):
            key = RightAnswerOut(choices=[c.id for c in q.choices if c.correct])
        elif q.kind is Kind.NUMERIC:
            key = RightAnswerOut(number=q.number, tolerance=q.tolerance)
        else:
            key = RightAnswerOut(texts=q.accepted_texts)
        return cls(
            right=right,
            explanation_html=to_html(q.explanation),
            right_answer=key,
            attempts=previous.attempts,
            first_right=previous.first_right,
        )
