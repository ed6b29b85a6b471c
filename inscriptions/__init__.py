"""Inscription batches: deterministic gzip shards, RFC 9162 Merkle proofs, manifests, ord envelopes, fees and commit/reveal transactions.  Never imports click, never prints, never exits."""
