"""A test-only regtest chain on Bitcoin Core's consensus engine.

Blocks are assembled and mined here (regtest genesis, nBits 0x207fffff,
BIP 34 height, witness commitment, merkle root, nonce ground in Python) and
validated by libbitcoinkernel through ``py-bitcoinkernel`` (``pbk``).  A
block counts only once the kernel's ``block_checked`` event called it valid
*and* the active tip is that block at the next height; otherwise
:class:`~tests.regtest.kernel.BlockRejected` carries the kernel's reason
(``bad-cb-amount, ...``, ``block-script-verify-flag-failed (...)``).

Driving it from a test::

    from tests.regtest.fixtures import regtest_node  # noqa: F401 - the fixture
    from tests.regtest.harness import Regtest

    def test_x(regtest_node: Regtest) -> None:   # 101 blocks already mined
        txid, vout = regtest_node.fund("bcrt1p...", 50_000)   # mined at once
        regtest_node.rpc("sendrawtransaction", raw_hex)       # Core's checks
        (block,) = regtest_node.mine(1)                       # takes the mempool
        regtest_node.mine_txs([raw])   # exactly these txs, no mempool policy
        regtest_node.url, regtest_node.auth, regtest_node.cookie_path
        regtest_node.fee_rate = 2      # what estimatesmartfee answers, sat/vB

``Regtest(datadir, premine=0, idle_timeout=60, lifetime=600)`` builds one by
hand; ``.node`` is the :class:`~tests.regtest.node.RegtestNode` (kernel,
ledger, wallet), ``.server`` the JSON-RPC server; ``.stop()`` ends both.

Modules: ``codec`` (hashes, addresses, tx measurements), ``keys`` (the P2TR
key-path wallet, python-bitcointx), ``blocks`` (assembly and grinding),
``kernel`` (pbk chainstate, acceptance proof, script checks), ``ledger``
(UTXO set, txindex, mempool), ``policy`` (mempool rules), ``replacement``
(replace-by-fee: full RBF, Core's rules 2-6), ``rejection`` (reject
reasons), ``node`` (mine/fund/accept), ``views`` (Core's JSON shapes), ``rpc``
(methods and error codes), ``wallet_rpc`` (``getnewaddress``, ``send``,
``sendmany`` from the node's wallet), ``server`` (HTTP, auth, self-stop),
``client`` (a tiny test client), ``harness`` and ``fixtures``.

For a person (docs/inscribe.md, "Try the whole path on a local regtest
chain"): ``python -m tests.regtest [--port P] [--datadir D]`` runs one in the
foreground (``__main__``), and ``python -m tests.regtest.cli METHOD ARGS``
is a bitcoin-cli for it (``cli``).

Not modelled: packages (and package RBF), TRUC (v3) rules, sigop limits,
ancestor and descendant limits, ``desc`` fields, policy-only script flags (pbk exposes the consensus flags,
all of which, taproot included, are checked for every mempool input)."""
