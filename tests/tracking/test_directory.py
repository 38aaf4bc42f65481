"""The directory tracking asks about people and tenants: registered per app, loud when missing."""

from __future__ import annotations

import pytest
from flask import Flask

from lms.identity.directory import IdentityDirectory
from lms.tracking.directory import Names, directory, use_directory


def test_the_app_answers_with_identitys_directory(app):
    assert isinstance(directory(), IdentityDirectory)


def test_an_app_without_a_directory_says_so():
    bare = Flask("bare")
    with bare.app_context(), pytest.raises(RuntimeError, match="no directory"):
        directory()


def test_the_last_registered_directory_answers():
    bare = Flask("bare")

    class Fake:
        def actors(self, user_ids):
            return {}

        def user_ids(self, emails):
            return []

        def names(self, organization_ids, cohort_ids):
            return Names({}, {})

    fake = Fake()
    use_directory(bare, fake)
    with bare.app_context():
        assert directory() is fake
