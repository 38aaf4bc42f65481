"""What the learning record asks of the package that owns people and tenants: a directory that package registers on
the app (identity does, in its blueprint), so tracking imports no domain package."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app

EXTENSION_KEY = "lms.tracking.directory"


@dataclass(frozen=True)
class Actor:
    """A person as a statement records them: the platform's user id, the email that becomes the xAPI mbox, the
    display name. Any of them may be None (an invitation by the platform, or a person since forgotten)."""

    id: int | None
    email: str | None
    name: str | None = None


@dataclass(frozen=True)
class Names:
    """The current names of some organisations and cohorts, by id (ids the directory doesn't know are left out)."""

    organizations: Mapping[int, str]
    cohorts: Mapping[int, str]


class Directory(Protocol):
    """The questions tracking asks about people and tenants; answered by the package that owns them."""

    def actors(self, user_ids: Collection[int]) -> Mapping[int, Actor]:
        """Return {user id: Actor} for the users among `user_ids` that exist."""
        ...

    def user_ids(self, emails: Collection[str]) -> Collection[int]:
        """Return the ids of the users whose email is now one of `emails` (lower-case)."""
        ...

    def names(self, organization_ids: Collection[int], cohort_ids: Collection[int]) -> Names:
        """Return the current names of these organisations and cohorts."""
        ...


def use_directory(app: Flask, directory: Directory) -> None:
    """Make `directory` the one this app's learning record asks (the last registration wins)."""
    app.extensions[EXTENSION_KEY] = directory


def directory() -> Directory:
    """Return the current app's directory. Raises RuntimeError when no package registered one."""
    found = current_app.extensions.get(EXTENSION_KEY)
    if found is None:
        raise RuntimeError("no directory is registered for the learning record: identity's blueprint registers "
                           "one (lms.tracking.directory.use_directory)")
    return found
