"""Audiences: who may watch what. ``rules.py`` is the SQL rule, ``decision.py`` the one
decision every surface asks; the pages and API for editing a module's audience live in
``views.py`` and ``api.py``."""
