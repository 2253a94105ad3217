"""The back office's confirm-then-delete flow: a GET shows what goes and what blocks
(``templates/manage/confirm_delete.html``), the confirming POST deletes and commits."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue

from webapp.extensions import db


def confirm_delete(
    *,
    thing: str,
    delete: Callable[[], object],
    refused: type[Exception],
    done: str,
    action: str,
    back: str,
    after: str,
    goes: Callable[[], list[str]] = list,
    blockers: Callable[[], list[str]] = list,
    force_label: str | None = None,
) -> ResponseReturnValue:
    """Confirm, then delete ``thing``.

    POST: ``delete()``; on ``refused`` roll back, flash why and return to the confirmation
    (``action``), else commit, flash ``done`` and go to ``after``. GET: the confirmation,
    listing ``goes()`` and ``blockers()``, posting to ``action``; Cancel leads to ``back``.
    """
    if request.method == "POST":
        try:
            delete()
        except refused as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(action)
        db.session.commit()
        flash(done, "success")
        return redirect(after)
    return render_template(
        "manage/confirm_delete.html",
        thing=thing,
        goes=goes(),
        blockers=blockers(),
        force_label=force_label,
        action=action,
        back=back,
    )
