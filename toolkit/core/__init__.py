"""The toolkit core: errors, file I/O, canonical JSON, hex and the libsecp256k1 loader.

The only part of ``toolkit`` that ``inscriptions`` and ``vrf`` may import."""
