"""ECVRF nonce generation (RFC 9381 section 5.4.2): RFC 6979 for the P-256
suites, the RFC 8032-style hash for the edwards25519 suites."""

from __future__ import annotations

import hashlib
import hmac

from vrf.suites import Suite


def nonce_rfc6979(q: int, x: int, h_string: bytes, hash_name: str = "sha256") -> int:
    """RFC 9381 section 5.4.2.1: RFC 6979 section 3.2 with m = h_string, x = SK."""
    qlen = q.bit_length()
    rlen = (qlen + 7) // 8

    def bits2int(data: bytes) -> int:
        value = int.from_bytes(data, "big")
        excess = len(data) * 8 - qlen
        return value >> excess if excess > 0 else value

    def mac(key: bytes, data: bytes) -> bytes:
        return hmac.new(key, data, hash_name).digest()

    h1 = hashlib.new(hash_name, h_string).digest()  # step a
    hlen = len(h1)
    x_octets = x.to_bytes(rlen, "big")  # int2octets(x)
    h_octets = (bits2int(h1) % q).to_bytes(rlen, "big")  # bits2octets(h1)
    v = b"\x01" * hlen  # step b
    k = b"\x00" * hlen  # step c
    k = mac(k, v + b"\x00" + x_octets + h_octets)  # step d
    v = mac(k, v)  # step e
    k = mac(k, v + b"\x01" + x_octets + h_octets)  # step f
    v = mac(k, v)  # step g
    while True:  # step h
        t = b""
        while len(t) < rlen:
            v = mac(k, v)
            t += v
        candidate = bits2int(t)
        if 1 <= candidate < q:
            return candidate
        k = mac(k, v + b"\x00")
        v = mac(k, v)


def nonce_rfc8032(suite: Suite, sk: bytes, h_string: bytes) -> tuple[int, bytes]:
    """RFC 9381 section 5.4.2.2: (k, k_string)."""
    hashed_sk_string = suite.hash(sk)  # step 1
    truncated_hashed_sk_string = hashed_sk_string[32:64]  # step 2
    k_string = suite.hash(truncated_hashed_sk_string, h_string)  # step 3
    return suite.string_to_int(k_string) % suite.curve.q, k_string  # steps 4-5
