"""Events of the content layer; packages above it subscribe, so content never imports them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent by sync_content with banks={competency slug: [rendered question dicts]} and now=the sync time.
question_banks_synced = _signals.signal("question-banks-synced")
