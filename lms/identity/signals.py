"""Identity events that packages above subscribe to (certificates reissue when a learner's name changes; learning
enrols someone who joins a cohort late on the cohort's assignments)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with sender=the User after their name changed, before the request commits.
name_changed = _signals.signal("name-changed")
# Sent with sender=the CohortMember just added to a cohort (flushed, before the request commits).
cohort_joined = _signals.signal("cohort-joined")
