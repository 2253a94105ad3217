"""Messages that reach ``_()`` only as values at run time (a filter's label, a status, a
level), marked here so that ``make translations`` extracts them."""

from __future__ import annotations

from webapp.i18n import N_

RUNTIME_MESSAGES = (
    N_("Under 5 min"),
    N_("5–15 min"),
    N_("15–60 min"),
    N_("Over 1 h"),
    N_("Partly watched"),
    N_("Awaiting payment"),
    N_("Paid"),
    N_("Cancelled"),
    N_("All"),
    N_("Foundation"),
    N_("Intermediate"),
    N_("Advanced"),
    N_("learner"),
    N_("instructor"),
)
