"""Events other packages subscribe to, so dependencies keep pointing one way (certificates listen to learning)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent once when an enrolment is completed, with sender=the Enrolment and user=the User.
course_completed = _signals.signal("course-completed")
