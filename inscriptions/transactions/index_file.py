"""``PLAN/index.json`` under the names the loader uses; the format itself
(``enoch-index/1``, strict parser and writer) is :mod:`inscriptions.transactions.index`."""

from __future__ import annotations

from inscriptions.transactions.index import INDEX_FORMAT as FORMAT
from inscriptions.transactions.index import INDEX_NAME, MAX_INDEX_FILE, check_inscription_id, load_index
from inscriptions.transactions.index import InscriptionIndex as BatchIndex

__all__ = ["FORMAT", "INDEX_NAME", "MAX_INDEX_FILE", "BatchIndex", "check_inscription_id", "load_index"]
