"""Identity events that packages above subscribe to (certificates reissue when a learner's name changes)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with sender=the User after their name changed, before the request commits.
name_changed = _signals.signal("name-changed")
