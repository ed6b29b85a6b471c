"""Content batches: deterministic gzip shards, RFC 9162 Merkle proofs, manifests, verify and unpack."""
