"""Helpers the tests share: servers, factories, waiting, browser pages, the route matrix.

Test modules import from here (and fixtures come through ``tests/conftest.py``); no test
module imports another test module (``tests/test_suite_rules.py`` keeps it so).
"""
