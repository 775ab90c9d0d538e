#!/usr/bin/env python3
"""Self-check of devchain.py over HTTP JSON-RPC only, the way the Swift client talks to a chain.

Starts devchain.py (or uses --rpc URL), then: an orchestrator gets LPT, bonds to itself, registers as transcoder
and sets its service URI; next round; the pool lists it. A broadcaster funds deposit and reserve; tickets built
as go-livepeer's pm/ticket.go (hash checked against TicketBroker.getTicketHash) are redeemed in a batch, a replay
is skipped in a batch and reverts "ticket is used" alone; fees are withdrawn. Then gas per call (cold/warm),
batch redemption rate, RPC failure injection, the gas-spike hook (stuck, replaced and released transactions),
auto-mining off, snapshots and JSON-RPC batches. Transactions are EIP-1559 type 2, signed with eth-account;
calldata is encoded with eth-abi from hand-written signatures, which are checked against the fixture ABIs.

    .venv/bin/python Tests/Support/devchain/scenario_check.py [--rpc URL] [--round-length 50] [--quick]

Prints "scenario_check: N passed, M failed" last; exits 1 if any check failed.
"""

import argparse
import http.client
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.parse

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak, to_checksum_address

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "..", "Fixtures", "livepeer-contracts"))
GWEI = 10**9
ETHER = 10**18
MAX_WIN_PROB = 2**256 - 1
TICKET = "(address,address,uint256,uint256,uint256,bytes32,bytes)"

# Hand-written signatures, as a client hard-codes them: (contract artifact, signature, output types).
SIGS = {
    "approve": ("LivepeerToken", "approve(address,uint256)", ["bool"]),
    "balanceOf": ("LivepeerToken", "balanceOf(address)", ["uint256"]),
    "bond": ("BondingManagerTarget", "bond(uint256,address)", []),
    "transcoder": ("BondingManagerTarget", "transcoder(uint256,uint256)", []),
    "getFirstTranscoderInPool": ("BondingManagerTarget", "getFirstTranscoderInPool()", ["address"]),
    "getNextTranscoderInPool": ("BondingManagerTarget", "getNextTranscoderInPool(address)", ["address"]),
    "transcoderTotalStake": ("BondingManagerTarget", "transcoderTotalStake(address)", ["uint256"]),
    "isActiveTranscoder": ("BondingManagerTarget", "isActiveTranscoder(address)", ["bool"]),
    "getTranscoder": ("BondingManagerTarget", "getTranscoder(address)", ["uint256"] * 10),
    "getDelegator": ("BondingManagerTarget", "getDelegator(address)",
                     ["uint256", "uint256", "address", "uint256", "uint256", "uint256", "uint256"]),
    "pendingFees": ("BondingManagerTarget", "pendingFees(address,uint256)", ["uint256"]),
    "withdrawFees": ("BondingManagerTarget", "withdrawFees(address,uint256)", []),
    "setServiceURI": ("ServiceRegistryTarget", "setServiceURI(string)", []),
    "getServiceURI": ("ServiceRegistryTarget", "getServiceURI(address)", ["string"]),
    "currentRound": ("RoundsManagerTarget", "currentRound()", ["uint256"]),
    "currentRoundInitialized": ("RoundsManagerTarget", "currentRoundInitialized()", ["bool"]),
    "blockHashForRound": ("RoundsManagerTarget", "blockHashForRound(uint256)", ["bytes32"]),
    "fundDepositAndReserve": ("TicketBrokerTarget", "fundDepositAndReserve(uint256,uint256)", []),
    "getSenderInfo": ("TicketBrokerTarget", "getSenderInfo(address)", ["(uint256,uint256)", "(uint256,uint256)"]),
    "getTicketHash": ("TicketBrokerTarget", f"getTicketHash({TICKET})", ["bytes32"]),
    "redeemWinningTicket": ("TicketBrokerTarget", f"redeemWinningTicket({TICKET},bytes,uint256)", []),
    "batchRedeemWinningTickets": ("TicketBrokerTarget",
                                  f"batchRedeemWinningTickets({TICKET}[],bytes[],uint256[])", []),
    "usedTickets": ("TicketBrokerTarget", "usedTickets(bytes32)", ["bool"]),
}
EVENTS = {
    "WinningTicketRedeemed": ("TicketBrokerTarget",
                              "WinningTicketRedeemed(address,address,uint256,uint256,uint256,uint256,bytes)",
                              [True, True, False, False, False, False, False]),
    "WinningTicketTransfer": ("TicketBrokerTarget", "WinningTicketTransfer(address,address,uint256)",
                              [True, True, False]),
}


# ------------------------------------------------------------------------------------------------ checks
class Checks:
    def __init__(self):
        self.passed, self.failed = 0, 0

    def ok(self, cond, what):
        if cond:
            self.passed += 1
            print(f"  ok   {what}")
        else:
            self.failed += 1
            print(f"  FAIL {what}")
        return cond

    def eq(self, got, want, what):
        return self.ok(got == want, f"{what}: {got!r}" + ("" if got == want else f" (want {want!r})"))


C = Checks()


def section(title):
    print(f"\n== {title}")


# ------------------------------------------------------------------------------------------------ JSON-RPC client
class RpcFailure(Exception):
    def __init__(self, err):
        super().__init__(f"{err.get('code')}: {err.get('message')}")
        self.code, self.message, self.data = err.get("code"), err.get("message"), err.get("data")


class Rpc:
    def __init__(self, url, timeout=60):
        u = urllib.parse.urlparse(url)
        self.host, self.port, self.timeout = u.hostname, u.port, timeout
        self.conn = None
        self.next_id = 0

    def raw(self, payload, timeout=None):
        """POST payload (bytes) -> (status, body bytes). Reconnects once on a stale keep-alive connection."""
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout or self.timeout)
            elif timeout is not None:
                self.conn.sock and self.conn.sock.settimeout(timeout)
            try:
                self.conn.request("POST", "/", body=payload, headers={"Content-Type": "application/json"})
                r = self.conn.getresponse()
                body = r.read()
                if timeout is not None and self.conn.sock:
                    self.conn.sock.settimeout(self.timeout)
                return r.status, body
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                self.conn.close()
                self.conn = None
                if attempt == 1 or not isinstance(e, BrokenPipeError):
                    raise
            except Exception:
                self.conn.close()
                self.conn = None
                raise

    def __call__(self, method, *params):
        self.next_id += 1
        _, body = self.raw(json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method,
                                       "params": list(params)}).encode())
        resp = json.loads(body)
        if "error" in resp:
            raise RpcFailure(resp["error"])
        return resp["result"]


def hx(v):
    return int(v, 16)


def hb(v):
    return bytes.fromhex(v[2:])


# ------------------------------------------------------------------------------------------------ contracts
def selector(sig):
    return keccak(text=sig)[:4]


def encode(name, *args):
    sig = SIGS[name][1]
    types = split_types(sig[sig.index("(") + 1:-1])
    return selector(sig) + abi_encode(types, list(args))


def split_types(s):
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    if cur:
        out.append(cur)
    return out


def abi_signatures(artifact):
    """Canonical signatures of an artifact's functions and events, from its JSON ABI."""
    def typ(i):
        t = i["type"]
        if t.startswith("tuple"):
            return "(" + ",".join(typ(c) for c in i["components"]) + ")" + t[5:]
        return t
    with open(os.path.join(FIXTURES, artifact + ".json")) as f:
        abi = json.load(f)["abi"]
    out = {}
    for e in abi:
        if e["type"] in ("function", "event"):
            sig = f"{e['name']}({','.join(typ(i) for i in e['inputs'])})"
            out[sig] = e
    return out


class Chain:
    def __init__(self, rpc, info):
        self.rpc, self.info = rpc, info
        self.chain_id = hx(rpc("eth_chainId"))
        self.addr = {k: v for k, v in info["contracts"].items()}
        self.gas_log = []

    def target(self, name):
        return self.addr[{"LivepeerToken": "LivepeerToken", "BondingManagerTarget": "BondingManager",
                          "ServiceRegistryTarget": "ServiceRegistry", "RoundsManagerTarget": "RoundsManager",
                          "TicketBrokerTarget": "TicketBroker"}[SIGS[name][0]]]

    def call(self, name, *args, sender=None, block="latest"):
        c = {"to": self.target(name), "data": "0x" + encode(name, *args).hex()}
        if sender:
            c["from"] = sender
        out = hb(self.rpc("eth_call", c, block))
        res = abi_decode(SIGS[name][2], out)
        return res[0] if len(res) == 1 else res

    def fees(self):
        tip = hx(self.rpc("eth_maxPriorityFeePerGas"))
        hist = self.rpc("eth_feeHistory", "0x1", "latest", [])
        base = hx(hist["baseFeePerGas"][-1])
        return 2 * base + tip, tip

    def sign(self, key, to, data=b"", value=0, gas=None, nonce=None, max_fee=None, tip=None):
        acct = Account.from_key(key)
        if nonce is None:
            nonce = hx(self.rpc("eth_getTransactionCount", acct.address, "pending"))
        if max_fee is None or tip is None:
            mf, tp = self.fees()
            max_fee = mf if max_fee is None else max_fee
            tip = tp if tip is None else tip
        if gas is None:
            est = hx(self.rpc("eth_estimateGas", {"from": acct.address, "to": to, "data": "0x" + data.hex(),
                                                  "value": hex(value)}))
            gas = est * 12 // 10
        tx = {"type": 2, "chainId": self.chain_id, "nonce": nonce, "maxFeePerGas": max_fee,
              "maxPriorityFeePerGas": tip, "gas": gas, "to": to, "value": value, "data": data}
        return Account.sign_transaction(tx, key).raw_transaction

    def send(self, key, to, data=b"", value=0, gas=None, label=None, **kw):
        raw = self.sign(key, to, data, value, gas, **kw)
        h = self.rpc("eth_sendRawTransaction", "0x" + raw.hex())
        r = self.wait(h)
        if label:
            self.gas_log.append((label, hx(r["gasUsed"])))
        return r

    def tx(self, key, name, *args, value=0, gas=None, label=None):
        return self.send(key, self.target(name), encode(name, *args), value=value, gas=gas, label=label or name)

    def wait(self, h, tries=200):
        for _ in range(tries):
            r = self.rpc("eth_getTransactionReceipt", h)
            if r is not None:
                return r
            time.sleep(0.01)
        raise RuntimeError(f"no receipt for {h}")


# ------------------------------------------------------------------------------------------------ tickets
def ticket_hash(t):
    """go-livepeer pm/ticket.go flatten(): recipient ‖ sender ‖ faceValue ‖ winProb ‖ senderNonce (32 bytes each)
    ‖ recipientRandHash ‖ auxData (creationRound (32 bytes) ‖ creationRoundBlockHash)."""
    recipient, sender, face, prob, nonce, rhash, aux = t
    return keccak(hb(recipient) + hb(sender) + face.to_bytes(32, "big") + prob.to_bytes(32, "big")
                  + nonce.to_bytes(32, "big") + rhash + aux)


class TicketMaker:
    def __init__(self, chain, sender_key, recipient):
        self.chain, self.key, self.recipient = chain, sender_key, recipient
        self.sender = Account.from_key(sender_key).address
        self.nonce = 0

    def make(self, n, face_value, win_prob=MAX_WIN_PROB):
        rnd = self.chain.call("currentRound")
        block_hash = self.chain.call("blockHashForRound", rnd)
        aux = rnd.to_bytes(32, "big") + block_hash
        recipient_rand = secrets.randbits(256)
        rhash = keccak(recipient_rand.to_bytes(32, "big"))
        out = []
        for _ in range(n):
            self.nonce += 1
            t = (self.recipient, self.sender, face_value, win_prob, self.nonce, rhash, aux)
            h = ticket_hash(t)
            sig = Account.sign_message(encode_defunct(primitive=h), self.key).signature
            out.append((t, sig, recipient_rand, h))
        return out


def winning(sig, rand, prob):
    return int.from_bytes(keccak(sig + rand.to_bytes(32, "big")), "big") < prob


def redeem_logs(receipt, tb):
    topic = "0x" + keccak(text=EVENTS["WinningTicketRedeemed"][1]).hex()
    return [lg for lg in receipt["logs"] if lg["topics"][0] == topic and lg["address"].lower() == tb.lower()]


# ------------------------------------------------------------------------------------------------ the scenario
def start_devchain(args):
    cmd = [sys.executable, os.path.join(HERE, "devchain.py"), "--port", "0", "--round-length", str(args.round_length)]
    t0 = time.time()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, text=True)
    line = proc.stdout.readline()
    if not line:
        raise SystemExit("devchain exited before printing its JSON line")
    info = json.loads(line)
    print(f"devchain up in {time.time() - t0:.2f} s (process start + deploy): {info['rpc']}")
    return proc, info


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rpc", help="use a running devchain instead of starting one")
    ap.add_argument("--round-length", type=int, default=50)
    ap.add_argument("--quick", action="store_true", help="skip the gas table and the rate measurement")
    args = ap.parse_args()
    proc = None
    if args.rpc:
        info = Rpc(args.rpc)("devchain_info")
    else:
        proc, info = start_devchain(args)
    try:
        run(info, args)
    except Exception as e:
        import traceback
        traceback.print_exc()
        C.ok(False, f"scenario aborted: {e!r}")
    finally:
        if proc:
            proc.stdin.close()  # devchain exits when its stdin closes
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
            C.eq(proc.returncode, 0, "devchain exited cleanly when its stdin closed")
    print(f"\nscenario_check: {C.passed} passed, {C.failed} failed")
    sys.exit(1 if C.failed else 0)


def run(info, args):
    rpc = Rpc(info["rpc"])
    ch = Chain(rpc, info)
    accts = info["accounts"]
    orch_key, orch = accts[1]["privateKey"], accts[1]["address"]
    bc_key, bc = accts[2]["privateKey"], accts[2]["address"]
    other_key, other = accts[3]["privateKey"], accts[3]["address"]
    tb = info["contracts"]["TicketBroker"]
    bm = info["contracts"]["BondingManager"]

    section("start-up")
    C.eq(sorted(k for k in ("rpc", "chainId", "controller", "contracts", "roundLength", "deployer", "accounts")
                if k in info), sorted(["rpc", "chainId", "controller", "contracts", "roundLength", "deployer",
                                       "accounts"]), "JSON line keys")
    C.eq(info["deployer"]["address"], accts[0]["address"], "deployer is accounts[0]")
    C.eq(ch.chain_id, info["chainId"], "eth_chainId matches the JSON line")
    C.eq(rpc("net_version"), str(info["chainId"]), "net_version")
    C.ok(ch.call("currentRoundInitialized"), "chain starts in an initialised round")
    C.eq(ch.call("currentRound"), 1, "current round")
    for name in ("TicketBroker", "BondingManager", "RoundsManager", "ServiceRegistry", "LivepeerToken", "Minter"):
        C.ok(len(rpc("eth_getCode", info["contracts"][name], "latest")) > 2, f"code at {name}")
    C.ok(hx(rpc("eth_getBalance", orch, "latest")) >= 1000 * ETHER, "orchestrator funded with ETH")
    C.eq(hx(rpc("eth_estimateGas", {"from": orch, "to": bc, "value": "0x1"})), 21000, "eth_estimateGas(transfer)")

    section("ABI facts (hand-written signatures vs the fixture ABIs)")
    for name, (art, sig, outs) in SIGS.items():
        abi = abi_signatures(art)
        entry = abi.get(sig)
        if C.ok(entry is not None, f"{art}: {sig}") and outs:
            def otyp(o):
                if o["type"].startswith("tuple"):
                    return "(" + ",".join(c["type"] for c in o["components"]) + ")" + o["type"][5:]
                return o["type"]
            got = [otyp(o) for o in entry["outputs"]]
            if got != outs:
                C.eq(got, outs, f"{sig} outputs")
    for name, (art, sig, indexed) in EVENTS.items():
        entry = abi_signatures(art).get(sig)
        C.ok(entry is not None and [i.get("indexed", False) for i in entry["inputs"]] == indexed,
             f"event {sig} indexed={indexed}")

    section("orchestrator: LPT, bond, transcoder, service URI")
    stake = 10_000 * ETHER
    h = rpc("devchain_mintLPT", orch, hex(stake))
    C.eq(hx(ch.wait(h)["status"]), 1, "devchain_mintLPT mined")
    C.eq(ch.call("balanceOf", orch), stake, "orchestrator LPT balance")
    C.eq(hx(ch.tx(orch_key, "approve", bm, stake)["status"]), 1, "approve(BondingManager, stake)")
    C.eq(hx(ch.tx(orch_key, "bond", stake, orch)["status"]), 1, "bond(stake, self)")
    reward_cut, fee_share = 100_000, 500_000  # of PERC_DIVISOR 1,000,000: 10%, 50%
    C.eq(hx(ch.tx(orch_key, "transcoder", reward_cut, fee_share)["status"]), 1, "transcoder(10%, 50%)")
    uri = "https://127.0.0.1:8935"
    C.eq(hx(ch.tx(orch_key, "setServiceURI", uri)["status"]), 1, "setServiceURI")
    C.ok(not ch.call("isActiveTranscoder", orch), "not active before the next round")
    r = rpc("devchain_mineRounds", 1)
    C.eq(hx(r["round"]), 2, "devchain_mineRounds(1) -> round 2")
    C.eq(hx(r["blockNumber"]), 2 * info["roundLength"], "initializeRound mined in the round's first block")
    C.ok(ch.call("currentRoundInitialized"), "round 2 initialised")
    C.eq(to_checksum_address(ch.call("getFirstTranscoderInPool")), orch, "getFirstTranscoderInPool = orchestrator")
    C.eq(int(ch.call("getNextTranscoderInPool", orch), 16), 0, "getNextTranscoderInPool = 0 (one in pool)")
    C.eq(ch.call("getServiceURI", orch), uri, "getServiceURI")
    C.eq(ch.call("transcoderTotalStake", orch), stake, "transcoderTotalStake")
    C.ok(ch.call("isActiveTranscoder", orch), "isActiveTranscoder")
    t = ch.call("getTranscoder", orch)
    C.eq((t[1], t[2], t[4]), (reward_cut, fee_share, 2), "getTranscoder: rewardCut, feeShare, activationRound")

    section("broadcaster deposit and reserve")
    deposit, reserve = 5 * ETHER, 1 * ETHER
    C.eq(hx(ch.tx(bc_key, "fundDepositAndReserve", deposit, reserve, value=deposit + reserve)["status"]), 1,
         "fundDepositAndReserve(5 ETH, 1 ETH)")
    (dep, withdraw_round), (funds, claimed) = ch.call("getSenderInfo", bc)
    C.eq((dep, withdraw_round, funds, claimed), (deposit, 0, reserve, 0), "getSenderInfo ((deposit, withdrawRound), "
                                                                          "(fundsRemaining, claimedInCurrentRound))")

    section("winning tickets, batch redemption")
    maker = TicketMaker(ch, bc_key, orch)
    face = 10**16
    tickets = maker.make(3, face)
    for t, sig, rand, h in tickets:
        on_chain = ch.call("getTicketHash", t)
        C.eq("0x" + on_chain.hex(), "0x" + h.hex(), f"off-chain ticket hash = getTicketHash (nonce {t[4]})")
        C.ok(winning(sig, rand, t[3]) and sig[-1] in (27, 28), "ticket wins; sig v in 27/28")
    rnd = ch.call("currentRound")
    fees0 = ch.call("pendingFees", orch, rnd)
    dep0 = ch.call("getSenderInfo", bc)[0][0]
    rec = ch.tx(orch_key, "batchRedeemWinningTickets", [x[0] for x in tickets], [x[1] for x in tickets],
                [x[2] for x in tickets], gas=3_000_000, label="batch3 (first)")
    C.eq(hx(rec["status"]), 1, "batchRedeemWinningTickets(3) status")
    logs = redeem_logs(rec, tb)
    C.eq(len(logs), 3, "WinningTicketRedeemed logs")
    if logs:
        lg = logs[0]
        C.eq(lg["topics"][1], "0x" + hb(bc).rjust(32, b"\0").hex(), "topic1 = sender (indexed)")
        C.eq(lg["topics"][2], "0x" + hb(orch).rjust(32, b"\0").hex(), "topic2 = recipient (indexed)")
        fv, wp, sn, rr, aux = abi_decode(["uint256", "uint256", "uint256", "uint256", "bytes"], hb(lg["data"]))
        C.eq((fv, wp, sn, rr, aux), (face, MAX_WIN_PROB, tickets[0][0][4], tickets[0][2], tickets[0][0][6]),
             "log data = (faceValue, winProb, senderNonce, recipientRand, auxData)")
    transfer_topic = "0x" + keccak(text=EVENTS["WinningTicketTransfer"][1]).hex()
    C.eq(sum(1 for x in rec["logs"] if x["topics"][0] == transfer_topic), 3, "WinningTicketTransfer logs")
    gl = rpc("eth_getLogs", {"fromBlock": rec["blockNumber"], "toBlock": rec["blockNumber"], "address": tb,
                             "topics": ["0x" + keccak(text=EVENTS["WinningTicketRedeemed"][1]).hex(),
                                        None, "0x" + hb(orch).rjust(32, b"\0").hex()]})
    C.eq(len(gl), 3, "eth_getLogs(address, topics [event, null, recipient])")
    for t, sig, rand, h in tickets:
        C.ok(ch.call("usedTickets", h), f"usedTickets(nonce {t[4]})")
    dep1 = ch.call("getSenderInfo", bc)[0][0]
    C.eq(dep0 - dep1, 3 * face, "sender deposit dropped by 3 x faceValue")
    fees1 = ch.call("pendingFees", orch, rnd)
    C.ok(3 * face - 10 <= fees1 - fees0 <= 3 * face,
         f"pendingFees(orchestrator, {rnd}) rose by {fees1 - fees0} (~3 x faceValue: sole delegator)")

    section("replays")
    fresh = maker.make(1, face)
    replay = [tickets[0], fresh[0]]
    rec = ch.tx(orch_key, "batchRedeemWinningTickets", [x[0] for x in replay], [x[1] for x in replay],
                [x[2] for x in replay], gas=2_000_000, label="batch2 (1 replayed)")
    C.eq(hx(rec["status"]), 1, "batch with a replayed ticket: status 1")
    C.eq(len(redeem_logs(rec, tb)), 1, "batch with a replayed ticket: 1 WinningTicketRedeemed (replay skipped)")
    t, sig, rand, _ = tickets[1]
    data = encode("redeemWinningTicket", t, sig, rand)
    for method in ("eth_estimateGas", "eth_call"):
        try:
            params = [{"from": orch, "to": tb, "data": "0x" + data.hex()}]
            params += ["latest"] if method == "eth_call" else []
            rpc(method, *params)
            C.ok(False, f"{method}: single redeem of a used ticket should revert")
        except RpcFailure as e:
            C.eq((e.code, e.message), (3, "execution reverted: ticket is used"), f"{method}: revert error")
            C.ok(e.data and hb(e.data)[:4] == bytes.fromhex("08c379a0")
                 and abi_decode(["string"], hb(e.data)[4:])[0] == "ticket is used", f"{method}: data = Error(string)")
    rec = ch.send(orch_key, tb, data, gas=500_000)
    C.eq(hx(rec["status"]), 0, "single redeem of a used ticket sent anyway: mined with status 0")

    section("withdrawFees")
    rnd = ch.call("currentRound")
    owed = ch.call("pendingFees", orch, rnd)
    bal0 = hx(rpc("eth_getBalance", orch, "latest"))
    rec = ch.tx(orch_key, "withdrawFees", orch, owed)
    C.eq(hx(rec["status"]), 1, f"withdrawFees(orchestrator, {owed})")
    bal1 = hx(rpc("eth_getBalance", orch, "latest"))
    cost = hx(rec["gasUsed"]) * hx(rec["effectiveGasPrice"])
    C.eq(bal1 - bal0, owed - cost, "ETH balance rose by the fees less the gas")
    C.eq(ch.call("getDelegator", orch)[1], 0, "getDelegator(orchestrator).fees = 0 after withdrawal")

    if not args.quick:
        gas_table(ch, rpc, maker, orch_key, orch, tb)
        rates(ch, rpc, maker, orch_key, tb)
    fail_injection(ch, rpc, other_key, other, info)
    gas_spike(ch, rpc, other_key, other)
    auto_mine_snapshots_batches(ch, rpc, other_key, other, info)


def gas_table(ch, rpc, maker, orch_key, orch, tb):
    section("gas per redemption (cold = the orchestrator's first fee of the round)")
    face = 10**15
    rows = []
    t0 = maker.make(1, face)[0]
    single_est = hx(rpc("eth_estimateGas", {"from": orch, "to": tb, "data": "0x" + encode(
        "redeemWinningTicket", t0[0], t0[1], t0[2]).hex()}))
    print(f"  eth_estimateGas(redeemWinningTicket) = {single_est} (batches get n x this + 100,000 gas)")
    for kind, n in (("redeemWinningTicket", 1), ("batch of 1", 1), ("batch of 3", 3), ("batch of 10", 10),
                    ("batch of 30", 30)):
        rpc("devchain_mineRounds", 1)
        got = []
        for temp in ("cold", "warm"):
            ts = maker.make(n, face)
            if kind == "redeemWinningTicket":
                t, sig, rand, _ = ts[0]
                est = hx(rpc("eth_estimateGas", {"from": orch, "to": tb, "data": "0x" + encode(
                    "redeemWinningTicket", t, sig, rand).hex()}))
                rec = ch.tx(orch_key, "redeemWinningTicket", t, sig, rand, gas=est, label=f"single {temp}")
            else:
                rec = ch.tx(orch_key, "batchRedeemWinningTickets", [x[0] for x in ts], [x[1] for x in ts],
                            [x[2] for x in ts], gas=n * single_est + 100_000, label=f"{kind} {temp}")
            paid = len(redeem_logs(rec, tb))
            C.ok(hx(rec["status"]) == 1 and paid == n, f"{kind} {temp}: status 1, {paid}/{n} paid")
            got.append(hx(rec["gasUsed"]))
        rows.append((kind, n, got[0], got[1]))
    print(f"\n  {'call':<22}{'cold gas':>11}{'cold/ticket':>13}{'warm gas':>11}{'warm/ticket':>13}")
    for kind, n, cold, warm in rows:
        print(f"  {kind:<22}{cold:>11,}{cold // n:>13,}{warm:>11,}{warm // n:>13,}")

    section("the batch-estimate trap (informational)")
    rpc("devchain_mineRounds", 1)
    ts = maker.make(3, face)
    data = encode("batchRedeemWinningTickets", [x[0] for x in ts], [x[1] for x in ts], [x[2] for x in ts])
    est = hx(rpc("eth_estimateGas", {"from": orch, "to": tb, "data": "0x" + data.hex()}))
    rec = ch.send(orch_key, tb, data, gas=est)
    paid = len(redeem_logs(rec, tb))
    print(f"  batch of 3 (cold) sent with its own eth_estimateGas {est:,}: status {hx(rec['status'])}, "
          f"{paid}/3 paid, gasUsed {hx(rec['gasUsed']):,}")
    C.ok(hx(rec["status"]) == 1, "a batch sent at its estimate never reverts (count the logs to know what paid)")


def rates(ch, rpc, maker, orch_key, tb):
    section("redemption rate over HTTP")
    rpc("devchain_mineRounds", 1)
    face = 10**15
    for n, batches in ((30, 4), (1, 10)):
        total, paid = 0.0, 0
        for _ in range(batches):
            ts = maker.make(n, face)
            data = encode("batchRedeemWinningTickets", [x[0] for x in ts], [x[1] for x in ts], [x[2] for x in ts])
            raw = ch.sign(orch_key, tb, data, gas=n * 300_000 + 100_000)
            t0 = time.time()
            h = rpc("eth_sendRawTransaction", "0x" + raw.hex())
            rec = ch.wait(h)
            total += time.time() - t0
            paid += len(redeem_logs(rec, tb))
        C.eq(paid, n * batches, f"batches of {n}: all paid")
        print(f"  batches of {n}: {batches} transactions, {paid} tickets in {total:.2f} s: "
              f"{paid / total:.1f} redemptions/s, {total / batches * 1000:.0f} ms per transaction "
              f"(send + mine + receipt)")


def fail_injection(ch, rpc, key, addr, info):
    section("devchain_failNext")
    rpc("devchain_failNext", 1, "error")
    try:
        rpc("eth_blockNumber")
        C.ok(False, "error mode: expected an error")
    except RpcFailure as e:
        C.eq(e.code, -32603, "error mode: JSON-RPC internal error")
    C.ok(hx(rpc("eth_blockNumber")) > 0, "next request succeeds")

    rpc("devchain_failNext", 1, "garbage")
    status, body = rpc.raw(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode())
    try:
        json.loads(body)
        C.ok(False, "garbage mode: body should not be JSON")
    except ValueError:
        C.ok(True, f"garbage mode: HTTP {status}, non-JSON body {body[:30]!r}")

    rpc("devchain_failNext", 1, "timeout", 1)
    t0 = time.time()
    try:
        rpc.raw(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode(), timeout=5)
        C.ok(False, "timeout mode: expected the connection to drop")
    except Exception as e:
        C.ok(time.time() - t0 >= 0.9, f"timeout mode: held {time.time() - t0:.2f} s then dropped ({type(e).__name__})")
    C.eq(hx(rpc("eth_chainId")), info["chainId"], "next request succeeds")

    rpc("devchain_failNext", 1, "drop", {"methods": ["eth_sendRawTransaction"]})
    C.eq(hx(rpc("eth_chainId")), info["chainId"], "methods filter: other methods unaffected")
    raw = ch.sign(key, addr, b"", value=1, gas=21000)
    txh = "0x" + keccak(raw).hex()
    try:
        rpc("eth_sendRawTransaction", "0x" + raw.hex())
        C.ok(False, "drop mode: expected no answer")
    except Exception as e:
        C.ok(True, f"drop mode: no answer ({type(e).__name__})")
    rec = rpc("eth_getTransactionReceipt", txh)
    C.ok(rec is not None and hx(rec["status"]) == 1, "drop mode: the transaction went in anyway")
    try:
        rpc("eth_sendRawTransaction", "0x" + raw.hex())
        C.ok(False, "re-sending a mined transaction should fail")
    except RpcFailure as e:
        C.ok(e.message.startswith("nonce too low"), f"re-sending it once mined: {e.message} (as geth)")
    C.eq(rpc("devchain_failNext", 0, "error"), {"pending": 0}, "count 0 cancels")


def gas_spike(ch, rpc, key, addr):
    section("gas spike (devchain_setBaseFee), stuck and replaced transactions")
    tip = hx(rpc("eth_maxPriorityFeePerGas"))
    base0 = hx(rpc("eth_getBlockByNumber", "pending", False)["baseFeePerGas"])
    spike = 200 * GWEI
    r = rpc("devchain_setBaseFee", hex(spike))
    C.eq((hx(r["baseFeePerGas"]), r["pinned"]), (spike, True), "devchain_setBaseFee(200 gwei)")
    C.eq(hx(rpc("eth_gasPrice")), spike + tip, "eth_gasPrice = base fee + tip")
    C.eq(hx(rpc("eth_feeHistory", "0x4", "latest", [50])["baseFeePerGas"][-1]), spike,
         "eth_feeHistory: next block's base fee")
    rpc("evm_mine")
    C.eq(hx(rpc("eth_getBlockByNumber", "latest", False)["baseFeePerGas"]), spike, "mined block's baseFeePerGas")
    nonce = hx(rpc("eth_getTransactionCount", addr, "latest"))
    raw = ch.sign(key, addr, b"", value=1, gas=21000, nonce=nonce, max_fee=50 * GWEI, tip=1 * GWEI)
    h1 = rpc("eth_sendRawTransaction", "0x" + raw.hex())
    rpc("evm_mine", 2)
    C.eq(rpc("eth_getTransactionReceipt", h1), None, "tx with maxFee 50 gwei is stuck (no receipt)")
    C.eq(rpc("eth_getTransactionByHash", h1)["blockHash"], None, "eth_getTransactionByHash: pending (blockHash null)")
    C.eq(hx(rpc("eth_getTransactionCount", addr, "pending")), nonce + 1, "pending nonce counts it")
    try:
        rpc("eth_sendRawTransaction", "0x" + raw.hex())
        C.ok(False, "re-sending a pooled transaction should fail")
    except RpcFailure as e:
        C.eq(e.message, "already known", "re-sending a pooled transaction")
    pool = rpc("devchain_txPool")
    C.ok(len(pool) == 1 and not pool[0]["executable"] and "base fee" in pool[0]["reason"],
         f"devchain_txPool: {pool[0]['reason'] if pool else None}")
    try:
        rpc("eth_sendRawTransaction", "0x" + ch.sign(key, addr, b"", value=1, gas=21000, nonce=nonce,
                                                      max_fee=54 * GWEI, tip=1 * GWEI).hex())
        C.ok(False, "replacement without a 10% tip bump should fail")
    except RpcFailure as e:
        C.eq(e.message, "replacement transaction underpriced", "replacement +8% fee, same tip")
    h2 = rpc("eth_sendRawTransaction", "0x" + ch.sign(key, addr, b"", value=1, gas=21000, nonce=nonce,
                                                       max_fee=300 * GWEI, tip=2 * GWEI).hex())
    rec = rpc("eth_getTransactionReceipt", h2)
    C.ok(rec is not None and hx(rec["effectiveGasPrice"]) == spike + 2 * GWEI,
         "replacement at 300 gwei mined at once (auto-mine), paying base fee + tip")
    C.eq((rpc("eth_getTransactionReceipt", h1), rpc("eth_getTransactionByHash", h1)), (None, None),
         "the replaced transaction is gone")
    # a release: the pin goes, EIP-1559 brings the base fee down 12.5% per (near-empty) block
    rpc("devchain_setBaseFee", hex(20 * GWEI))
    rpc("evm_mine")  # the decay starts from the last mined block's base fee
    raw = ch.sign(key, addr, b"", value=1, gas=21000, max_fee=15 * GWEI, tip=1 * GWEI)
    h3 = rpc("eth_sendRawTransaction", "0x" + raw.hex())
    C.eq(rpc("eth_getTransactionReceipt", h3), None, "tx with maxFee 15 gwei under a 20 gwei base fee waits")
    rpc("devchain_setBaseFee", None)
    mined_after = None
    for i in range(1, 11):
        rpc("evm_mine")
        rec = rpc("eth_getTransactionReceipt", h3)
        if rec:
            mined_after = i
            break
    price = hx(rec["effectiveGasPrice"]) if rec else None
    C.ok(mined_after is not None and price <= 15 * GWEI,
         f"released: mined after {mined_after} blocks of decay, effectiveGasPrice {price} wei")
    r = rpc("devchain_setBaseFee", hex(100 * GWEI), 2)
    rpc("evm_mine", 2)
    C.ok(hx(rpc("eth_getBlockByNumber", "pending", False)["baseFeePerGas"]) < 100 * GWEI,
         "a pin for 2 blocks releases itself")
    rpc("devchain_setBaseFee", hex(base0), 1)  # back to the pre-spike level
    rpc("evm_mine")
    C.ok(hx(rpc("eth_gasPrice")) <= base0 + tip, f"base fee back to ~{base0} wei")


def auto_mine_snapshots_batches(ch, rpc, key, addr, info):
    section("auto-mining off, evm_mine, snapshots, JSON-RPC batches, feeHistory rewards")
    C.eq(rpc("devchain_autoMine", False), False, "devchain_autoMine(false)")
    n0 = hx(rpc("eth_getTransactionCount", addr, "latest"))
    tip = 3 * GWEI
    hs = [rpc("eth_sendRawTransaction", "0x" + ch.sign(key, addr, b"", value=1, gas=21000, nonce=n0 + i,
                                                        max_fee=10 * GWEI, tip=tip).hex()) for i in range(2)]
    C.eq([rpc("eth_getTransactionReceipt", h) for h in hs], [None, None], "sent transactions wait in the pool")
    C.eq((hx(rpc("eth_getTransactionCount", addr, "latest")), hx(rpc("eth_getTransactionCount", addr, "pending"))),
         (n0, n0 + 2), "latest vs pending nonce")
    rpc("evm_mine")
    recs = [rpc("eth_getTransactionReceipt", h) for h in hs]
    C.ok(all(recs) and recs[0]["blockNumber"] == recs[1]["blockNumber"], "evm_mine: both in one block")
    C.eq(rpc("devchain_autoMine", True), True, "devchain_autoMine(true)")
    fh = rpc("eth_feeHistory", "0x2", recs[0]["blockNumber"], [25, 75])
    C.eq([hx(x) for x in fh["reward"][-1]], [tip, tip], "eth_feeHistory reward = the block's priority fees")
    C.eq(len(fh["baseFeePerGas"]), 3, "eth_feeHistory: blockCount + 1 base fees")
    blk = rpc("eth_getBlockByNumber", recs[0]["blockNumber"], True)
    C.eq([t["hash"] for t in blk["transactions"]], hs, "eth_getBlockByNumber(full) lists them")

    sid = rpc("evm_snapshot")
    bn = hx(rpc("eth_blockNumber"))
    h = ch.send(key, addr, b"", value=1, gas=21000)["transactionHash"]
    C.eq(hx(rpc("eth_blockNumber")), bn + 1, "a transaction mines one block")
    C.eq(rpc("evm_revert", sid), True, "evm_revert")
    C.eq((hx(rpc("eth_blockNumber")), rpc("eth_getTransactionReceipt", h)), (bn, None), "reverted: block and receipt")
    C.eq(rpc("evm_revert", sid), False, "a snapshot reverts once")
    C.eq(hx(ch.send(key, addr, b"", value=1, gas=21000)["status"]), 1, "transactions after a revert")

    batch = [{"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
             {"jsonrpc": "2.0", "id": "b", "method": "eth_blockNumber"},
             {"jsonrpc": "2.0", "id": 3, "method": "no_such_method", "params": []},
             {"jsonrpc": "2.0", "method": "eth_chainId", "params": []}]
    _, body = rpc.raw(json.dumps(batch).encode())
    resp = json.loads(body)
    C.ok(isinstance(resp, list) and len(resp) == 3 and resp[0]["result"] == hex(info["chainId"])
         and resp[1]["id"] == "b" and resp[2]["error"]["code"] == -32601, "JSON-RPC batch (notification omitted)")
    _, body = rpc.raw(b"{not json")
    C.eq(json.loads(body)["error"]["code"], -32700, "parse error")
    try:
        rpc("eth_sendRawTransaction", "0x" + ch.sign(key, addr, b"", value=2, gas=21000, nonce=0).hex())
        C.ok(False, "nonce 0 again should fail")
    except RpcFailure as e:
        C.ok(e.message.startswith("nonce too low"), f"stale nonce: {e.message}")


if __name__ == "__main__":
    main()
