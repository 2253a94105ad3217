"""Payments behind one interface, so a real provider can be plugged in later.

Learnstream ships one provider, :class:`ManualPayment`: the learner pays by bank transfer
(the details come from ``SELLER_BANK_DETAILS``) and an admin records the payment
(``services.record_payment``, from the orders page or ``POST /api/v1/orders/<n>/payment``).
No card provider is reachable from here, and none is faked.

Plugging in a real provider (Stripe, Mollie, Adyen …):

1. Write a class with the :class:`PaymentProvider` methods: ``start`` creates the payment
   at the provider for an order (idempotently, keyed by ``order.number``) and returns
   where to send the learner (``PaymentStart.redirect_url``); ``handle_callback``
   verifies the provider's signed notification (its signature header, its secret from
   the config) and returns the order number and whether it is paid.
2. Register it in :data:`PROVIDERS` under a name and set ``PAYMENT_PROVIDER`` to it.
3. Add a callback route that calls :func:`apply_callback` with the raw body and headers
   (exempt from CSRF, reachable by the provider, answering 200 once stored) and commits.
   ``apply_callback`` records the payment through the same service an admin uses, so the
   enrolment becomes active the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from flask import current_app

from webapp.models import Order, OrderStatus


@dataclass(frozen=True)
class PaymentStart:
    """How the learner pays an order: instructions to follow (a bank transfer), or a
    page of the provider to go to."""

    instructions: str = ""
    redirect_url: str | None = None


@dataclass(frozen=True)
class CallbackResult:
    """A provider's verified word about an order."""

    order_number: str
    paid: bool
    reference: str = ""


class CallbackNotSupported(Exception):
    """The configured provider receives no callbacks (manual payments)."""


class PaymentProvider(Protocol):
    """What a payment provider does for Learnstream."""

    name: str

    def start(self, order: Order) -> PaymentStart:
        """Create (or find) the payment for ``order`` and say how the learner pays."""
        ...

    def handle_callback(self, body: bytes, headers: Mapping[str, str]) -> CallbackResult:
        """Verify a provider notification and say which order it is about."""
        ...


class ManualPayment:
    """Bank transfer, recorded by an admin: nothing is created anywhere else."""

    name = "manual"

    def start(self, order: Order) -> PaymentStart:
        """Transfer instructions with the order number as the reference."""
        if order.status != OrderStatus.AWAITING_PAYMENT:
            return PaymentStart()
        details = current_app.config.get("SELLER_BANK_DETAILS", "")
        amount = f"{order.total_cents / 100:.2f} {order.currency}"
        text = f"Transfer {amount} with the reference {order.number}"
        text += f" to: {details}." if details else "; the payment details are on the invoice."
        return PaymentStart(instructions=text + " An administrator confirms it on receipt.")

    def handle_callback(self, body: bytes, headers: Mapping[str, str]) -> CallbackResult:
        """Manual payments have no callback: an admin records them."""
        raise CallbackNotSupported("manual payments are recorded by an administrator")


PROVIDERS: dict[str, type] = {"manual": ManualPayment}


def provider() -> PaymentProvider:
    """The provider ``PAYMENT_PROVIDER`` names (``manual`` by default)."""
    name = current_app.config.get("PAYMENT_PROVIDER", "manual")
    try:
        return PROVIDERS[name]()
    except KeyError:
        raise RuntimeError(f"PAYMENT_PROVIDER {name!r} is not one of {sorted(PROVIDERS)}") from None


def apply_callback(body: bytes, headers: Mapping[str, str]) -> Order | None:
    """Verify a callback with the configured provider and record a payment it confirms
    (the caller commits). Returns the order, or None when it is unknown."""
    from webapp.enrolment import services

    chosen = provider()
    result = chosen.handle_callback(body, headers)
    order = services.order_by_number(result.order_number)
    if order is None:
        return None
    if result.paid and order.status == OrderStatus.AWAITING_PAYMENT:
        services.record_payment(order, None, reference=result.reference, provider=chosen.name)
    return order
