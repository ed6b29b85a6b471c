"""Bitcoin transactions for a batch: ord envelopes and their CBOR metadata, tapscript,
taproot commit/reveal building and signing, the strict transaction parser,
networks and addresses, fee arithmetic, reveal groups, decoding."""
