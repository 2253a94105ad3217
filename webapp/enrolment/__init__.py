"""Enrolment and fees: cohort choice with seats and waitlists, orders with PDF invoices,
vouchers, and payments behind a provider interface (``payments.py``)."""
