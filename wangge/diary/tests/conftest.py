"""The diary tests use the key-person fixtures (the world with a grid chief, tags, a person)."""

from wangge.keypersons.tests.conftest import local, register, tags, world  # noqa: F401
