"""Bitcoin transactions for a batch: ord envelopes, taproot commit/reveal, plans, fees, decoding."""
