"""Signals between services (blinker, which Flask ships): a lower layer announces what happened,
a higher one reacts, so imports go one way (documents below plans, plans below consolidation).

``document_released`` — sender: the released ``Document``; keyword ``actor`` (User or None).
``plans`` issues the plan whose document was released, and consolidates the round whose
consolidated report was released. Receivers run inside the releasing transaction.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

document_released = _signals.signal("document-released")
