import pytest

from wangge.residents import retention


@pytest.fixture
def open_business_check():
    """Register ``check(resident) -> reason | None`` for one test."""
    added = []

    def register(check):
        retention.register_open_business_check(check)
        added.append(check)
        return check

    yield register
    for check in added:
        retention.unregister_open_business_check(check)


@pytest.fixture
def staff(db):
    try:
        from wangge.testing import make_user
    except ImportError:  # before the factories moved
        from wangge.core.testing import make_user
    return make_user(username="officer")
