"""iCalendar (RFC 5545) files from calendar entries, written by the ``icalendar`` library.

Times are written as UTC instants (``DTSTART:20270120T180000Z``): every calendar app
shows them in its own zone, and no VTIMEZONE has to be right. The cohort's zone travels
as ``X-LEARNSTREAM-TZ`` for people who read the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from icalendar import Calendar
from icalendar import Event as IcsEvent

from webapp.calendar.queries import Event

PRODID = "-//Learnstream//Calendar//EN"


def calendar(events: Iterable[Event], name: str, now: datetime) -> bytes:
    """The ``.ics`` bytes of ``events`` in one calendar called ``name``."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = now.astimezone(UTC)
    for item in events:
        event = IcsEvent()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.starts_at.astimezone(UTC))
        event.add("dtend", item.ends_at.astimezone(UTC))
        event.add("summary", item.title)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        if item.location:
            event.add("location", item.location)
        event.add("x-learnstream-tz", item.zone)
        cal.add_component(event)
    return cal.to_ical()
