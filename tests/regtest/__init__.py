"""A test-only regtest chain on libbitcoinkernel (``py-bitcoinkernel``).

Blocks are assembled and mined here, validated by Bitcoin Core's own
consensus code, and a JSON-RPC server answers the bitcoind calls enoch makes.
Drive it with the ``regtest_node`` fixture (:mod:`tests.regtest.fixtures`)
or :class:`tests.regtest.harness.Regtest` directly."""
