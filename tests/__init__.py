"""The test suite. Its shared helpers live in ``tests.support``."""

import pytest

# Helpers assert too (a missing CSRF token, a wrong status): pytest explains those failures
# only in modules it rewrites, and some of them are plugins that conftest also imports.
pytest.register_assert_rewrite("tests.support")
