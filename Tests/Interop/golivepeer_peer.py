#!/usr/bin/env python3
"""An independent go-livepeer peer emulation (Python), for wire interop tests of Streamflow.

Subcommands (each prints one JSON object on stdout; diagnostics on stderr):
  vectors      check this peer's encodings against go-livepeer's own test vectors
  broadcast    act as go-livepeer's broadcaster against an orchestrator
  orchestrate  act as a go-livepeer orchestrator until SIGTERM

Reference: go-livepeer 176aa415c (MIT); its net/lp_rpc.proto is vendored in golivepeer/ and compiled at run time.
"""
from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path

sys.dont_write_bytecode = True  # leave no __pycache__ in the work tree
sys.path.insert(0, str(Path(__file__).resolve().parent))

import lp_core as C  # noqa: E402


class VectorFailure(AssertionError):
    pass


def check(cond, what):
    if not cond:
        raise VectorFailure(what)


def vectors(_args) -> tuple[dict, int]:
    checked = []
    z20, z32 = b"\x00" * 20, b"\x00" * 32

    # pm/ticket_test.go TestHash (every vector)
    hx = bytes.fromhex
    cases = [
        ("nonce MaxUint32", dict(sender_nonce=0xFFFFFFFF), "e1393fc7f6de093780674022f96cb8e3872235167d037c04d554e58c0e63d280"),
        ("nonce 1", dict(sender_nonce=1), "ce0918ba94518293e9712effbe5fca4f1f431089833a5b8c257cb1e024595f68"),
        ("faceValue 1 winProb 500", dict(face_value=1, win_prob=500), "87ef13f2d37e4d5352a01d3c77b8179d80e0887f1953bfabfd0bfd7b0f689ddd"),
        ("faceValue 500 winProb 1", dict(face_value=500, win_prob=1), "aa4b35071043587992ac8b9dd1b2cf1d8311130e6458cf0b2342484e21af5f5b"),
        ("recipient", dict(recipient=hx("73AEd7b5dEb30222fa896f399d46cC99c7BEe57F")), "81e353ae39046e2b77b9f996abbaeed527fda559b61ef90f299c4499dd508ccc"),
        ("recipientRandHash", dict(recipient_rand_hash=hx("41b1a0649752af1b28b3dc29a1556eee781e4a4c3a1f7f53f90fa834de098c4d")), "be5eaf9a49a39540b9bb02f1a21904f61324a29819e2c032824bfaa10c100b17"),
        ("creationRound + block hash (auxData)", dict(creation_round=10, block_hash=hx("41b1a0649752af1b28b3dc29a1556eee781e4a4c3a1f7f53f90fa834de098c4d")), "e502907c16036ab3d11b78c5a2e93c20f3d6415c67f91de4ed01348182b3b2e2"),
    ]
    for name, kw, exp in cases:
        t = dict(recipient=z20, sender=z20, face_value=0, win_prob=0, sender_nonce=0, recipient_rand_hash=z32)
        t.update(kw)
        got = C.ticket_hash(**t)
        check(got.hex() == exp, f"ticket hash {name}: {got.hex()} != {exp}")
        checked.append(f"pm/ticket_test.go TestHash: {name}")

    # core/stream_test.go TestSegmentFlatten
    flat = C.seg_flatten(b"abcdef", 1234, b"browns".ljust(32, b"\x00"), ["P144p30fps16x9", "P240p30fps16x9"])
    check(C.keccak(flat).hex() == "08a398e7e7a5a545b0b07d9e7e1eab52b4131e0df1621bd53ee6e7550a15465b",
          f"segment flatten: {C.keccak(flat).hex()}")
    checked.append("core/stream_test.go TestSegmentFlatten")

    # crypto/verify_test.go TestEcrecover, TestVerifySig
    addr = hx("3BadDb1eeE2105893136A3F96c8a963E9C6309d6")
    msg = hx("b7da355477356fc4c47fcabcf232dc77a6db9b07b7e48b76261cc55cc8fbabb3")
    sig = hx("206443228e8f784bc3a122de0d85eb3ebff82d6a79cca26c7eeb907099a6404f6dff57bc6828f28bd6cd073c89d94cf3364204679ed8365fa45b5ee6af19a9841c")
    high_s = hx("e742ff452d41413616a5bf43fe15dd88294e983d3d36206c2712f39083d638bde0a0fc89be718fbc1033e1d30d78be1c68081562ed2e97af876f286f3453231d1b")

    def err_of(m, s):
        try:
            C.ecrecover(m, s)
            return None
        except ValueError as e:
            return str(e)

    check(err_of(msg, sig[:64]) == "invalid signature length", "ecrecover short sig")
    check(err_of(msg, high_s) == "signature s value too high", "ecrecover high S")
    check(err_of(msg, b"\x00" * 64 + bytes([(0 - 27) % 256])) == "signature v value must be 27 or 28", "ecrecover bad V")
    check(C.ecrecover(msg, sig) == addr, "ecrecover recovers 0x3BadDb1e...")
    check(C.ecrecover(b"\x0f", sig) != addr, "ecrecover other message")
    check(C.verify_sig(addr, msg, sig) and not C.verify_sig(addr, b"\x0f", sig), "VerifySig")
    k = C.Key()
    s2 = k.sign(msg)
    check(C.verify_sig(k.address, msg, s2) and s2[64] in (27, 28)
          and int.from_bytes(s2[32:64], "big") <= C.SECP256K1_HALF_N, "own signatures: low S, V 27/28, recoverable")
    checked += ["crypto/verify_test.go TestEcrecover (length, high S, V, recovery, other message)",
                "crypto/verify_test.go TestVerifySig", "own personal_sign round trip (low S, V in 27/28)"]

    # core/orch_test.go TestAuthToken (relations; the test has no fixed token value)
    import hashlib
    import hmac

    def tok(secret, sid, exp):
        return hmac.new(secret, sid.encode() + C.int_bytes(exp), hashlib.sha256).digest()

    t0 = tok(b"foo", "bar", 100)
    check(tok(b"foo", "notbar", 100) != t0 and tok(b"foo", "bar", 200) != t0 and tok(b"foo", "notbar", 200) != t0
          and tok(b"foo", "bar", 100) == t0 and tok(b"notfoo", "bar", 100) != t0, "auth token relations")
    check(t0 == hmac.new(b"foo", b"bar" + b"\x64", hashlib.sha256).digest(), "auth token = HMAC(secret, id | minimal exp)")
    checked.append("core/orch_test.go TestAuthToken (relations; HMAC-SHA256(secret, sessionID | big.Int(exp).Bytes()))")

    # core/capabilities_test.go
    check(C.cap_string([-10, -1, 0, 1, 2, 3, 4, 5]) == [63], "NewCapabilityString simple")
    check(C.cap_string([193, 192]) == [0, 0, 0, 3], "NewCapabilityString skipping")
    check(C.cap_string([193, 54, 192, 79]) == [1 << 54, 1 << 15, 0, 3], "NewCapabilityString out of order")
    checked.append("core/capabilities_test.go TestCapability_NewString (3 cases)")
    check(C.cap_compatible(C.cap_string([0, 1, 2, 3]), [15]), "CompatibleWith sanity")
    import random
    rng = random.Random(176)
    for _ in range(200):
        caps = [i for i in range(rng.randint(0, 512)) if rng.random() < 0.5]
        sub = rng.sample(caps, rng.randint(0, len(caps)))
        c1, c2 = C.cap_string(sub), C.cap_string(caps)
        check(C.cap_compatible(c1, c2), "subset compatible with set")
        if len(sub) < len(caps):
            check(not C.cap_compatible(c2, c1), "set not compatible with strict subset")
    checked.append("core/capabilities_test.go TestCapability_CompatibleBitstring (sanity + 200 random subsets)")

    lp, _ = C.pb()

    def netcaps(caps, mand=None, version="", min_version=""):
        n = lp.Capabilities(bitstring=C.cap_string(caps or []), mandatories=C.cap_string(mand or []), version=version)
        n.constraints.minVersion = min_version
        return n

    B, O = netcaps, netcaps
    check(C.caps_compatible_with(B([]), O([])) and C.caps_compatible_with(O([]), B([])), "empty/empty")
    check(not C.caps_compatible_with(B([1]), O([])) and C.caps_compatible_with(O([]), B([1])), "B{1} vs O{}")
    check(not C.caps_compatible_with(B([1]), O([2])), "B{1} vs O{2}")
    check(C.caps_compatible_with(B([1]), O([1])) and C.caps_compatible_with(O([1]), B([1])), "equal sets")
    check(C.caps_compatible_with(B([1]), O([1, 2])), "O superset")
    check(not C.caps_compatible_with(B([1]), O([1, 2, 3], [3])), "mandatory unmatched")
    check(not C.caps_compatible_with(O([1, 2, 3], [3]), B([1])), "mandatory unmatched, reversed")
    check(C.caps_compatible_with(B([3]), O([1, 2, 3], [3])), "mandatory only")
    check(C.caps_compatible_with(B([1, 3]), O([1, 2, 3], [3])), "mandatory among several")
    check(C.caps_compatible_with(B([], [1]), O([])), "B's mandatories ignored")
    check(not C.caps_compatible_with(B([], min_version="0.4.1"), O([], version="0.4.0")), "old O version")
    check(C.caps_compatible_with(B([], min_version="0.4.1"), O([], version="0.4.1")), "same version")
    checked.append("core/capabilities_test.go TestCapability_CompatibleWithNetCap (12 cases)")
    for mn, v, exp in [("0.4.1", "0.4.1", True), ("0.4.0", "0.4.1", True), ("0.4.2", "0.4.1", False),
                       ("0.4.1", "0.4.1-b3278dce-dirty", True), ("0.4.0", "0.4.1-b3278dce-dirty", True),
                       ("0.4.2", "0.4.1-b3278dce-dirty", False), ("", "0.4.1", True), ("", "", True),
                       ("0.4.0", "", False), ("0.4.0", "undefined", False), ("nonparsablesemversion", "0.4.1", True),
                       ("0.4.1", "nonparsablesemversion", False)]:
        check(C.version_compatible(mn, v) == exp, f"version {mn!r} vs {v!r}")
    checked.append("core/capabilities_test.go TestLiveeerVersionCompatibleWith (12 cases)")
    legacy = C.LEGACY_CAPS
    check(C.legacy_only(C.cap_string(legacy)) and not C.legacy_only(C.cap_string(legacy + [50]))
          and C.legacy_only(C.cap_string(legacy[:-2])), "LegacyOnly")
    checked.append("core/capabilities_test.go TestCapabilities_LegacyCheck")
    check(list(C.job_net_caps().bitstring) == C.cap_string([C.CAP_H264, C.CAP_MPEGTS, C.CAP_AUTH_TOKEN]) == [4099],
          "JobCapabilities(H264 yuv420p, MPEGTS outputs)")
    check(C.cap_string([C.CAP_AUTH_TOKEN, C.CAP_H264]) == [4097], "JobCapabilities(empty params) = {H264, AuthToken}")
    check(not C.legacy_only(C.job_net_caps().bitstring), "an H.264/MPEG-TS job is not legacy-only (AuthToken)")
    check(C.caps_compatible_with(C.job_net_caps(), C.orch_net_caps("0.9.1")), "job caps fit a software O")
    checked.append("core/capabilities_test.go TestCapability_JobCapabilities (pixel format yuv420p, empty params) + job vs O")

    # pm/recipient_test.go TestTicketParams (EV 5, redeemGas 10000, txCostMultiplier 100, maxFloat 1e10)
    fv = C.face_value(5, 10000, 100, 100, 10_000_000_000)
    check(fv == 100000000 and C.win_prob(5, fv) == 5789604461865809771178549250434395392663499233282028201972879200395660,
          "faceValue/winProb gasPrice 100")
    fv = C.face_value(5, 10000, 777, 100, 10_000_000_000)
    check(fv == 777000000 and C.win_prob(5, fv) == 745122839364969082519761808292714979750772102095499125093034646125570,
          "faceValue/winProb gasPrice 777")
    fv = C.face_value(5, 10000, 1, 100, 10001)
    check(fv == 10001 and C.win_prob(5, fv) == 57890255593098787833002192285115442382396752657554526567072084795477017120,
          "faceValue capped by maxFloat")
    try:
        C.face_value(5, 10000, 1, 100, 4)
        check(False, "maxFloat < EV must fail")
    except ValueError:
        pass
    check(C.win_prob(5, 0) == 0 and C.win_prob(5, 5) == C.MAX_WIN_PROB, "winProb edge cases")
    checked.append("pm/recipient_test.go TestTicketParams (faceValue/winProb: 3 vectors, maxFloat<EV, edges)")

    # minimal big-endian encodings (big.Int.Bytes)
    check(C.int_bytes(0) == b"" and C.int_bytes(255) == b"\xff" and C.int_bytes(256) == b"\x01\x00"
          and len(C.int_bytes(1 << 247)) == 31, "big.Int.Bytes minimal encoding")
    checked.append("big.Int.Bytes() minimal big-endian (0 -> empty)")
    return {"ok": True, "checked": checked}, 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("vectors", help="check encodings against go-livepeer's test vectors")
    import lp_broadcast
    import lp_orchestrate
    lp_broadcast.add_args(sub.add_parser("broadcast", help="act as go-livepeer's broadcaster"))
    lp_orchestrate.add_args(sub.add_parser("orchestrate", help="act as a go-livepeer orchestrator"))
    args = ap.parse_args(argv)
    try:
        if args.cmd == "vectors":
            out, rc = vectors(args)
        elif args.cmd == "broadcast":
            out, rc = lp_broadcast.main(args)
        else:
            out, rc = lp_orchestrate.main(args)
    except VectorFailure as e:
        out, rc = {"ok": False, "error": f"vector failed: {e}"}, 1
    except SystemExit as e:
        if isinstance(e.code, str):
            out, rc = {"ok": False, "error": e.code}, 2
        else:
            raise
    except Exception as e:  # noqa: BLE001 - our own bug or a setup error: say so, exit non-zero
        traceback.print_exc()
        out, rc = {"ok": False, "error": f"{type(e).__name__}: {e}"}, 2
    print(json.dumps(out), flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
