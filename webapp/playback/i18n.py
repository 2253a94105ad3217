"""The player's words (player_static/*.js) in the request's language.

The player reads them from the JSON the page renders in ``#player-i18n``
(``playback/_modules.html``), keyed by their English text (``player_static/i18n.js``).
Keep this list in step with the ``tr("…")`` calls of the player modules.
"""

from __future__ import annotations

from flask_babel import gettext


def N_(text: str) -> str:  # noqa: N802 - the marker pybabel extract knows
    """Mark ``text`` for the catalogue; it is translated when the page is rendered."""
    return text


PLAYER_STRINGS: tuple[str, ...] = (
    N_("%(count)s line matches."),
    N_("%(count)s lines match."),
    N_("%(current)s of %(total)s"),
    N_("%(percent)s%% watched"),
    N_("Answer deleted."),
    N_("Answer posted."),
    N_("Answer the question at %(time)s"),
    N_("Answer the question at %(time)s to go on."),
    N_("Answers to the question at %(time)s"),
    N_("Auto"),
    N_("Auto (%(height)sp)"),
    N_("Bookmark"),
    N_("Bookmark added at %(time)s."),
    N_("Bookmark at %(time)s"),
    N_("Cancel"),
    N_("Captions off"),
    N_("Captions: %(language)s"),
    N_("Chapter at %(time)s: %(title)s"),
    N_("Check again"),
    N_("Check answer"),
    N_("Confirm delete"),
    N_("Confirm: delete %(what)s"),
    N_("Could not add the bookmark: %(error)s"),
    N_("Could not add the note: %(error)s"),
    N_("Could not delete: %(error)s"),
    N_("Could not load the questions: %(error)s"),
    N_("Could not load your notes: %(error)s"),
    N_("Could not post the answer: %(error)s"),
    N_("Could not post the question: %(error)s"),
    N_("Could not save: %(error)s"),
    N_("Countdown stopped"),
    N_("Countdown stopped; the next lesson will not start by itself."),
    N_("Delete"),
    N_("Delete %(what)s"),
    N_("Delete your answer"),
    N_("Delete your question"),
    N_("Edit"),
    N_("Edit %(what)s"),
    N_("Edit your question"),
    N_("Full screen is not available."),
    N_("Keyboard shortcuts off"),
    N_("Keyboard shortcuts on"),
    N_("Muted"),
    N_("Network problem, retrying…"),
    N_("No lines match."),
    N_("Normal (1×)"),
    N_("Not quite."),
    N_("Note added at %(time)s."),
    N_("Note at %(time)s"),
    N_("Off"),
    N_("Pause"),
    N_("Pick an answer."),
    N_("Pick at least one answer."),
    N_("Pick every right answer"),
    N_("Pick one answer"),
    N_("Picture in picture is not available now."),
    N_("Play"),
    N_("Play from %(time)s"),
    N_("Playing from %(time)s."),
    N_("Post answer"),
    N_("Quality: %(quality)s"),
    N_("Question at %(time)s"),
    N_("Question at %(time)s (answer to go on)"),
    N_("Question at %(time)s: %(text)s"),
    N_("Question deleted."),
    N_("Question markers"),
    N_("Question posted at %(time)s."),
    N_("Question saved."),
    N_("Resumed at %(time)s"),
    N_("Right!"),
    N_("Save"),
    N_("Speed %(speed)s"),
    N_("Speed %(speed)s, the fastest"),
    N_("Speed %(speed)s, the slowest"),
    N_("Starting in %(seconds)s s"),
    N_("Starting…"),
    N_("Text of the %(what)s"),
    N_("The right answer: %(answer)s"),
    N_("This browser cannot play HLS video."),
    N_("This video cannot be played: %(details)s"),
    N_("This video has no captions."),
    N_("Type a number, e.g. 3.5."),
    N_("Type an answer."),
    N_("Unmuted, volume %(percent)s"),
    N_("Volume %(percent)s"),
    N_("Watched %(watched)s s of %(total)s s"),
    N_("Write something first (or add a bookmark)."),
    N_("Write your answer first."),
    N_("Write your question first."),
    N_("Your answer"),
    N_("Your answer (a number)"),
    N_("Your caption choice could not be saved."),
    N_("Your player settings could not be saved."),
    N_("Your question at %(time)s"),
    N_("accepted answer"),
    N_("bookmark at %(time)s"),
    N_("completed"),
    N_("hidden"),
    N_("instructor"),
    N_("locked"),
    N_("note at %(time)s"),
    N_("resolved"),
)


def player_strings() -> dict[str, str]:
    """Each player string, English → the request's language (unformatted: the player
    fills the ``%(name)s`` placeholders)."""
    return {text: gettext(text) for text in PLAYER_STRINGS}
