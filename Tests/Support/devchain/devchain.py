#!/usr/bin/env python3
"""devchain: a local Ethereum dev chain running Livepeer's real contracts, served over HTTP JSON-RPC.

What it is
    A JSON-RPC 2.0 server (standard library http.server, ThreadingHTTPServer, one lock around the chain) over
    eth-tester's PyEVMBackend (py-evm, Prague rules). On start it deploys Livepeer's Arbitrum-mainnet contracts
    from Tests/Fixtures/livepeer-contracts (hardhat-deploy artifacts, MIT) in livepeer/protocol's deploy order,
    mines to the start of the next round and calls RoundsManager.initializeRound(), so the chain starts in an
    initialised round. Every transaction mines its own block while auto-mining is on (the default), so a round
    of --round-length blocks is that many transactions or evm_mine blocks; with --block-time S a block is also
    mined every S seconds (the chain moves on its own, and rounds start without a test mining them; nobody
    initialises them but a node: `--eth-initialize-round`). --lpt N mints N LPT to every account but the deployer. For tests (Swift and Python) and for
    operators (scripts/dev-chain).

    python devchain.py [--port 8545] [--host 127.0.0.1] [--round-length 50] [--accounts 10]
                       [--priority-fee WEI] [--chain-id N] [--artifacts DIR] [--stdin-watch auto|on|off]
                       [--block-time SECONDS] [--lpt WHOLE_LPT] [-v]

Output
    Once deployed and listening, exactly ONE line of JSON on stdout (flushed); logs go to stderr:
    {"rpc": "http://127.0.0.1:PORT", "chainId": 131277322940537, "controller": "0x..",
     "contracts": {"TicketBroker": "0x..(proxy)", "BondingManager": "0x..(proxy)", "RoundsManager": "0x..(proxy)",
                   "ServiceRegistry": "0x..(proxy)", "LivepeerToken": "0x..", "Minter": "0x..", "BondingVotes": ..,
                   "L2LPTDataCache": .., "SortedDoublyLL": .., "Treasury": .., "TicketBrokerTarget": .., ...},
     "roundLength": 50, "round": 1, "blockNumber": 50,
     "deployer": {"address": "0x..", "privateKey": "0x.."},
     "accounts": [{"address": "0x..", "privateKey": "0x.."}, ...]}
    Addresses are EIP-55 checksummed. accounts[0] is the deployer (eth-tester's key 0x..01, Controller owner,
    holder of LivepeerToken's MINTER_ROLE and DEFAULT_ADMIN_ROLE); keys are eth-tester's deterministic 0x..01,
    0x..02, ...; each account holds 1,000,000 ETH. Tests should send their own transactions from accounts[1:],
    since the hooks below send from the deployer.
    It exits cleanly on SIGTERM/SIGINT, and when stdin reaches EOF if stdin is a pipe or socket (so a test
    process that dies takes the chain with it; --stdin-watch on|off forces it).

Standard methods (params and results as geth's; quantities hex; blocks "latest"|"pending"|"earliest"|
"safe"|"finalized"|hex|{"blockNumber"}|{"blockHash"})
    web3_clientVersion, net_version, net_listening, eth_chainId, eth_syncing, eth_accounts, eth_blockNumber,
    eth_getBalance, eth_getTransactionCount ("pending" counts this node's pool), eth_getCode, eth_getStorageAt,
    eth_gasPrice (pending base fee + eth_maxPriorityFeePerGas), eth_maxPriorityFeePerGas (--priority-fee, 1 gwei
    by default), eth_feeHistory (computed here from the blocks' baseFeePerGas and gasUsed/gasLimit; reward
    percentiles from the effective priority fees of the block's transactions weighted by gas used, or the
    priority fee constant for a block without transactions), eth_estimateGas (geth's search: fails with the
    revert or "gas required exceeds allowance"; like geth it finds the least gas at which the call does not fail,
    so a batchRedeemWinningTickets estimate can be a limit at which tickets are silently dropped), eth_call
    (without fee fields, or with all of them zero, it runs at zero gas price and base fee 0, as geth does),
    eth_sendRawTransaction (legacy EIP-155, type 1 and type 2; blob transactions refused), eth_getTransactionByHash
    (pool transactions with blockHash null), eth_getTransactionReceipt (null while unknown or pending; a
    transaction re-sent while pooled is "already known", once mined "nonce too low", as geth),
    eth_getLogs (fromBlock/toBlock/blockHash/address/topics), eth_getBlockByNumber, eth_getBlockByHash.
    evm_mine([count] | [{"blocks": n}]) mines count blocks (1 by default), each taking the executable pool
    transactions (highest tip first, nonce order per sender) that fit its gas limit. evm_snapshot() -> "0xN";
    evm_revert(id) -> true/false (the snapshot and any later ones are consumed; the pool is emptied).
    Errors: a revert is code 3, message "execution reverted" or "execution reverted: <reason>" (Error(string)
    reasons and Panic codes decoded as geth does), data = the revert data hex; other execution and pool errors
    are code -32000 with geth's messages ("nonce too low: ...", "insufficient funds for gas * price + value: ...",
    "replacement transaction underpriced", "already known", "intrinsic gas too low", "exceeds block gas limit",
    "max fee per gas less than block base fee", "out of gas", ...); -32700/-32600/-32601/-32602 per JSON-RPC.

Transaction pool
    Transactions first enter a pool. With auto-mining on, every pool transaction that is executable (its nonce is
    the sender's next and its maxFeePerGas >= the pending block's base fee) is mined at once, one block each.
    One that is not stays in the pool: a nonce gap, or a fee below the base fee (a gas spike), exactly where a
    real node keeps it, until it becomes executable or is replaced. A replacement (same sender and nonce) must
    raise both maxFeePerGas and maxPriorityFeePerGas by >= 10% ("replacement transaction underpriced"
    otherwise); the replaced transaction never mines. With auto-mining off, everything waits for evm_mine.

Test hooks
    devchain_setBaseFee(wei | null, [blocks])  Gas spike. Pins the base fee of the pending block and of every
        next block at wei (really: the blocks' baseFeePerGas, eth_gasPrice, eth_feeHistory and the fee checks
        all see it); null releases the pin: the pending block's base fee is then EIP-1559's from the last MINED
        block (so mine one block under a pin before releasing it if the decay should start from the pin), falling
        <= 12.5% per near-empty block (200 gwei -> 15 gwei takes ~20 blocks). With blocks, the pin releases
        itself after that many blocks are mined. A release back to normal at once: setBaseFee(previous, 1).
        Transactions whose maxFeePerGas is below it stay in the pool (stuck) until the base fee falls below
        their fee cap or they are replaced.
        -> {"baseFeePerGas": hex, "pinned": bool}
    devchain_setPriorityFee(wei | null)  Sets the tip suggested by eth_maxPriorityFeePerGas/eth_gasPrice and the
        feeHistory reward of empty blocks (null: back to --priority-fee).
    devchain_failNext(count, mode, [seconds | {"seconds": s, "methods": [..]}])  The next count HTTP requests
        (a batch counts once) fail before they are executed: "timeout" holds the request seconds (10 by default)
        then closes the connection without an answer; "garbage" answers HTTP 200 with a non-JSON body; "error"
        answers a JSON-RPC internal error (-32603) to every call in it; "drop" executes the request, holds it
        seconds (0 by default), then closes the connection without an answer (a sent transaction did go in).
        Requests made only of devchain_*/evm_* calls are never failed; with "methods", only requests containing
        one of those methods count. count 0 cancels. -> {"pending": count}
    devchain_mineRounds([n=1])  Mines (as evm_mine does) to the first block of the round n rounds ahead and calls
        RoundsManager.initializeRound() from the deployer in that block; n=0 only initialises the current round
        if it is not yet. -> {"round", "roundStartBlock", "blockNumber", "transactionHash"}
    devchain_mintLPT(to, amount)  LivepeerToken.mint(to, amount) from the deployer, mined at once in its own
        block whether or not auto-mining is on. -> transaction hash
    devchain_pause(bool)  Controller.pause() (true) or unpause() (false) from the deployer (the owner), mined at once
        in its own block: while paused every whenSystemNotPaused function (redeemWinningTicket, batchRedeemWinningTickets,
        bond, ...) reverts "system is paused". -> transaction hash
    devchain_autoMine(bool)  Turns auto-mining on or off (on: the executable pool is mined at once). -> bool
    devchain_txPool()  The pool: [{"hash", "from", "nonce", "maxFeePerGas", "maxPriorityFeePerGas", "gas",
        "executable", "reason"}].
    devchain_info()  The start-up JSON object again, with the current round and block.
"""

import argparse
import inspect
import json
import os
import signal
import socket
import stat
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import rlp
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_bloom import BloomFilter
from eth_tester.backends.pyevm import PyEVMBackend
from eth_utils import keccak, to_checksum_address
from eth_utils.abi import collapse_if_tuple

from eth.exceptions import Revert
from eth.validation import validate_gas_limit
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas
from eth.vm.forks.prague import PragueVM
from eth.vm.spoof import SpoofTransaction
from eth_utils import ValidationError

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ARTIFACTS = os.path.normpath(os.path.join(HERE, "..", "..", "Fixtures", "livepeer-contracts"))
# livepeer/protocol commit the artifacts come from; registered as each contract's gitCommitHash (bytes20).
PROTOCOL_COMMIT = bytes.fromhex("f225b10c62ce4baed0db14b2b9af1e19efee3b45")
GWEI = 10**9
ETHER = 10**18
ZERO_ADDRESS = b"\x00" * 20
ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)
PANIC_REASONS = {  # go-ethereum accounts/abi panicReasons
    0x00: "generic panic", 0x01: "assert(false)", 0x11: "arithmetic underflow or overflow",
    0x12: "division or modulo by zero", 0x21: "enum overflow",
    0x22: "invalid encoded storage byte array accessed",
    0x31: "out-of-bounds array access; popping on an empty array",
    0x32: "out-of-bounds access of an array or bytesN", 0x41: "out of memory",
    0x51: "uninitialized function",
}
MIN_BLOB_BASE_FEE = 1
BLOB_BASE_FEE_UPDATE_FRACTION = 5007716  # Prague
INTERNAL_CREATE_GAS = 15_000_000
INTERNAL_CALL_GAS = 5_000_000

VERBOSE = False


def log(*args):
    try:
        print(time.strftime("%H:%M:%S"), "devchain:", *args, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def debug(*args):
    if VERBOSE:
        log(*args)


# ------------------------------------------------------------------------------------------------ JSON-RPC helpers
class RpcError(Exception):
    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data

    def to_json(self):
        err = {"code": self.code, "message": self.message}
        if self.data is not None:
            err["data"] = self.data
        return err


def invalid(msg):
    return RpcError(-32602, msg)


def q(n):
    """Quantity: minimal hex."""
    return hex(int(n))


def d(b):
    """Data: 0x + hex."""
    return "0x" + bytes(b).hex()


def addr_out(b):
    return d(b) if b else None


def parse_qty(v, name="quantity"):
    if isinstance(v, bool):
        raise invalid(f"invalid {name}: {v!r}")
    if isinstance(v, int):
        if v < 0:
            raise invalid(f"invalid {name}: {v}")
        return v
    if isinstance(v, str) and v[:2] in ("0x", "0X") and len(v) > 2:
        try:
            return int(v, 16)
        except ValueError:
            pass
    raise invalid(f"invalid {name}: {v!r} (want a 0x-prefixed hex quantity)")


def parse_data(v, name="data"):
    if isinstance(v, str) and v[:2] in ("0x", "0X"):
        h = v[2:]
        if len(h) % 2 == 0:
            try:
                return bytes.fromhex(h)
            except ValueError:
                pass
    raise invalid(f"invalid {name}: {v!r} (want 0x-prefixed hex bytes)")


def parse_addr(v, name="address"):
    b = parse_data(v, name)
    if len(b) != 20:
        raise invalid(f"invalid {name}: {v!r} (want 20 bytes)")
    return b


def parse_hash(v, name="hash"):
    b = parse_data(v, name)
    if len(b) != 32:
        raise invalid(f"invalid {name}: {v!r} (want 32 bytes)")
    return b


def revert_error(output):
    """geth's revertError: code 3, "execution reverted[: reason]", data = revert data."""
    output = bytes(output or b"")
    reason = None
    if output[:4] == ERROR_SELECTOR:
        try:
            reason = abi_decode(["string"], output[4:])[0]
        except Exception:
            reason = None
    elif output[:4] == PANIC_SELECTOR and len(output) >= 36:
        code = int.from_bytes(output[4:36], "big")
        reason = PANIC_REASONS.get(code, f"unknown panic code: {code:#x}")
    msg = "execution reverted" + (f": {reason}" if reason is not None else "")
    return RpcError(3, msg, d(output))


def vm_error_message(err):
    name = type(err).__name__
    return {
        "OutOfGas": "out of gas",
        "InsufficientStack": "stack underflow",
        "FullStack": "stack limit reached",
        "InvalidInstruction": "invalid opcode",
        "InvalidJumpDestination": "invalid jump destination",
        "WriteProtection": "write protection",
        "StackDepthLimit": "max call depth exceeded",
        "ContractCreationCollision": "contract address collision",
        "OutOfBoundsRead": "return data out of bounds",
    }.get(name, f"{name}: {err}" if str(err) else name)


def fake_exponential(factor, numerator, denominator):
    i, output, acc = 1, 0, factor * denominator
    while acc > 0:
        output += acc
        acc = (acc * numerator) // (denominator * i)
        i += 1
    return output // denominator


# ------------------------------------------------------------------------------------------------ ABI helper
class Contract:
    def __init__(self, name, artifact, address=None):
        self.name, self.artifact, self.address = name, artifact, address
        self.functions = {}
        for entry in artifact["abi"]:
            if entry.get("type") == "function":
                self.functions.setdefault(entry["name"], []).append(entry)
            elif entry.get("type") == "constructor":
                self.constructor = entry

    def _fn(self, fn, nargs):
        entries = [e for e in self.functions.get(fn, []) if len(e["inputs"]) == nargs]
        if len(entries) != 1:
            raise KeyError(f"{self.name}.{fn} with {nargs} args: {len(entries)} matches")
        return entries[0]

    def encode(self, fn, *args):
        entry = self._fn(fn, len(args))
        types = [collapse_if_tuple(i) for i in entry["inputs"]]
        sig = f"{fn}({','.join(types)})"
        return keccak(text=sig)[:4] + abi_encode(types, list(args))

    def decode(self, fn, nargs, output):
        entry = self._fn(fn, nargs)
        types = [collapse_if_tuple(o) for o in entry["outputs"]]
        return abi_decode(types, output)

    def creation_code(self, *args, bytecode=None):
        code = bytes.fromhex((bytecode or self.artifact["bytecode"])[2:])
        types = [collapse_if_tuple(i) for i in getattr(self, "constructor", {"inputs": []})["inputs"]]
        return code + (abi_encode(types, list(args)) if types else b"")


def load_artifacts(directory):
    arts = {}
    for fn in sorted(os.listdir(directory)):
        if fn.endswith(".json"):
            with open(os.path.join(directory, fn)) as f:
                arts[fn[:-5]] = json.load(f)
    return arts


# ------------------------------------------------------------------------------------------------ the chain
class DevVM(PragueVM):
    """Prague, except that a block's base fee is not checked against its parent's: devchain_setBaseFee pins it."""

    @classmethod
    def validate_gas(cls, header, parent_header):
        validate_gas_limit(header.gas_limit, parent_header.gas_limit)


class PoolTx:
    __slots__ = ("tx", "raw", "hash", "sender", "nonce", "seq", "max_fee", "tip")

    def __init__(self, tx, raw, seq):
        self.tx, self.raw, self.seq = tx, raw, seq
        self.hash, self.sender, self.nonce = tx.hash, tx.sender, tx.nonce
        if getattr(tx, "type_id", None) == 2:
            self.max_fee, self.tip = tx.max_fee_per_gas, tx.max_priority_fee_per_gas
        else:
            self.max_fee = self.tip = tx.gas_price


class DevChain:
    def __init__(self, accounts=10, round_length=50, priority_fee=GWEI, chain_id=None,
                 artifacts_dir=DEFAULT_ARTIFACTS):
        self.lock = threading.RLock()
        genesis = PyEVMBackend.generate_genesis_state(num_accounts=accounts)
        self.backend = PyEVMBackend(genesis_state=genesis, vm_configuration=((0, DevVM),))
        if chain_id is not None:
            type(self.backend.chain).chain_id = chain_id
        self.keys = list(self.backend.account_keys)
        self.deployer_key = self.keys[0]
        self.deployer = self.deployer_key.public_key.to_canonical_address()
        self.round_length = round_length
        self.default_priority_fee = priority_fee
        self.priority_fee = priority_fee
        self.base_fee_pin = None
        self.base_fee_pin_blocks = None
        self.auto_mine = True
        self.pool = {}  # hash -> PoolTx
        self.pool_seq = 0
        self.snapshots = []  # [(id, block hash)]
        self.snapshot_counter = 0
        self.log_cache = {}
        self.artifacts = load_artifacts(artifacts_dir)
        self.contracts = {}  # name -> Contract (with address)
        self.faults = []  # [{"mode", "seconds", "methods"}]
        self.fault_lock = threading.Lock()

    @property
    def chain(self):
        return self.backend.chain

    @property
    def chain_id(self):
        return self.chain.chain_id

    # ---------------------------------------------------------------- blocks and headers
    def latest_number(self):
        return self.chain.header.block_number - 1

    def pending_base_fee(self):
        return self.chain.header.base_fee_per_gas

    def block_by_number(self, n):
        return self.chain.get_canonical_block_by_number(n)

    def resolve_block(self, tag, allow_pending=True):
        """-> ("pending", None) | ("block", n); raises RpcError; None -> unknown block."""
        if tag is None:
            tag = "latest"
        if isinstance(tag, dict):
            if "blockHash" in tag:
                h = parse_hash(tag["blockHash"], "blockHash")
                blk = self.block_by_hash(h)
                if blk is None:
                    raise RpcError(-32000, f"header for hash not found")
                return ("block", blk.number)
            if "blockNumber" in tag:
                tag = tag["blockNumber"]
            else:
                raise invalid("invalid block: want blockNumber or blockHash")
        if tag in ("latest", "safe", "finalized"):
            return ("block", self.latest_number())
        if tag == "earliest":
            return ("block", 0)
        if tag == "pending":
            return ("pending", None) if allow_pending else ("block", self.latest_number())
        n = parse_qty(tag, "block number")
        if n > self.latest_number():
            return ("block", None)
        return ("block", n)

    def header_for(self, tag):
        kind, n = self.resolve_block(tag)
        if kind == "pending":
            return self.chain.header
        if n is None:
            raise RpcError(-32000, "header not found")
        return self.block_by_number(n).header

    def state_at(self, tag):
        return self.chain.get_vm(at_header=self.header_for(tag)).state

    def block_by_hash(self, h):
        try:
            blk = self.chain.get_block_by_hash(h)
        except Exception:
            return None
        if blk.number > self.latest_number():
            return None
        if self.chain.chaindb.get_canonical_block_hash(blk.number) != h:
            return None
        return blk

    def fix_pending_base_fee(self):
        """The pending header's base fee: the pin, or EIP-1559's from its parent."""
        hdr = self.chain.header
        if self.base_fee_pin is not None:
            fee = self.base_fee_pin
        else:
            parent = self.chain.get_canonical_block_header_by_number(hdr.block_number - 1)
            fee = calculate_expected_base_fee_per_gas(parent)
        if hdr.base_fee_per_gas != fee:
            if hdr.gas_used:
                raise RuntimeError("pending block already has transactions")
            self.chain.header = hdr.copy(base_fee_per_gas=fee)

    # ---------------------------------------------------------------- mining
    def _after_block(self):
        if self.base_fee_pin_blocks is not None:
            self.base_fee_pin_blocks -= 1
            if self.base_fee_pin_blocks <= 0:
                self.base_fee_pin = self.base_fee_pin_blocks = None
                log("base fee pin released")
        self.fix_pending_base_fee()

    def _mine_one(self):
        self.backend.mine_blocks(1)
        self._after_block()

    def _apply(self, tx):
        """Applies tx to the pending block; -> (receipt, computation) or raises ValidationError."""
        _, receipt, computation = self.chain.apply_transaction(tx)
        status = "ok" if receipt.state_root == b"\x01" else "FAILED"
        extra = ""
        if computation.is_error:
            err = computation.error
            why = revert_error(computation.output).message if isinstance(err, Revert) else vm_error_message(err)
            extra = f" ({why})"
        debug(f"tx {d(tx.hash)} in block {self.chain.header.block_number}: {status}{extra}")
        return receipt, computation

    def _executable(self, ptx, nonces, base_fee):
        return ptx.nonce == nonces(ptx.sender) and ptx.max_fee >= base_fee

    def _nonce_reader(self):
        state = self.chain.get_vm().state
        cache = {}

        def nonce(sender):
            if sender not in cache:
                cache[sender] = state.get_nonce(sender)
            return cache[sender]
        return nonce

    def _drop_stale(self):
        nonce = self._nonce_reader()
        for h, ptx in list(self.pool.items()):
            if ptx.nonce < nonce(ptx.sender):
                debug(f"pool: dropping {d(h)} (nonce {ptx.nonce} already used)")
                del self.pool[h]

    def _next_executable(self, gas_left):
        nonce = self._nonce_reader()
        base_fee = self.pending_base_fee()
        best = None
        for ptx in self.pool.values():
            if ptx.tx.gas > gas_left or not self._executable(ptx, nonce, base_fee):
                continue
            eff_tip = min(ptx.tip, ptx.max_fee - base_fee)
            key = (-eff_tip, ptx.seq)
            if best is None or key < best[0]:
                best = (key, ptx)
        return best[1] if best else None

    def mine_auto(self):
        """Auto-mining: every executable pool transaction in a block of its own."""
        while True:
            self._drop_stale()
            ptx = self._next_executable(self.chain.header.gas_limit)
            if ptx is None:
                return
            del self.pool[ptx.hash]
            try:
                self._apply(ptx.tx)
            except ValidationError as e:
                log(f"pool: dropping {d(ptx.hash)}: {e}")
                continue
            self._mine_one()

    def mine_blocks(self, count, auto=True):
        for _ in range(count):
            self._drop_stale()
            while True:
                hdr = self.chain.header
                ptx = self._next_executable(hdr.gas_limit - hdr.gas_used)
                if ptx is None:
                    break
                del self.pool[ptx.hash]
                try:
                    self._apply(ptx.tx)
                except ValidationError as e:
                    log(f"pool: dropping {d(ptx.hash)}: {e}")
            self._mine_one()
        if auto and self.auto_mine:
            self.mine_auto()

    # ---------------------------------------------------------------- transactions
    def submit_raw(self, raw):
        vm = self.chain.get_vm()
        if raw[:1] == b"\x03":
            raise RpcError(-32000, "transaction type not supported: blob transactions")
        try:
            tx = vm.get_transaction_builder().decode(raw)
        except Exception as e:
            raise RpcError(-32000, f"rlp: invalid transaction: {e}")
        try:
            sender = tx.sender
        except Exception:
            raise RpcError(-32000, "invalid sender")
        type_id = getattr(tx, "type_id", None)
        tx_chain_id = tx.chain_id if type_id is not None else getattr(tx, "chain_id", None)
        if tx_chain_id is None:
            raise RpcError(-32000, "only replay-protected (EIP-155) transactions allowed over RPC")
        if tx_chain_id != self.chain_id:
            raise RpcError(-32000, f"invalid chain id for signer: have {tx_chain_id} want {self.chain_id}")
        if tx.hash in self.pool:
            raise RpcError(-32000, "already known")
        if tx.gas > self.chain.header.gas_limit:
            raise RpcError(-32000, "exceeds block gas limit")
        if tx.gas < tx.intrinsic_gas:
            raise RpcError(-32000, f"intrinsic gas too low: gas {tx.gas}, minimum needed {tx.intrinsic_gas}")
        ptx = PoolTx(tx, raw, self.pool_seq)
        if ptx.tip > ptx.max_fee:
            raise RpcError(-32000, "max priority fee per gas higher than max fee per gas")
        state = vm.state
        state_nonce = state.get_nonce(sender)
        if tx.nonce < state_nonce:
            raise RpcError(-32000, f"nonce too low: address {to_checksum_address(sender)}, "
                                   f"tx: {tx.nonce} state: {state_nonce}")
        cost = tx.value + tx.gas * ptx.max_fee
        balance = state.get_balance(sender)
        if balance < cost:
            raise RpcError(-32000, f"insufficient funds for gas * price + value: address "
                                   f"{to_checksum_address(sender)} have {balance} want {cost}")
        for h, old in list(self.pool.items()):
            if old.sender == sender and old.nonce == tx.nonce:
                if ptx.max_fee * 100 < old.max_fee * 110 or ptx.tip * 100 < old.tip * 110:
                    raise RpcError(-32000, "replacement transaction underpriced")
                log(f"pool: {d(h)} replaced by {d(tx.hash)}")
                del self.pool[h]
        self.pool_seq += 1
        self.pool[tx.hash] = ptx
        if self.auto_mine:
            self.mine_auto()
            if tx.hash in self.pool:
                debug(f"pool: {d(tx.hash)} waits ({self.pool_reason(ptx)})")
        return tx.hash

    def pool_reason(self, ptx, nonce=None):
        nonce = nonce or self._nonce_reader()
        if ptx.nonce > nonce(ptx.sender):
            return f"nonce gap (next nonce {nonce(ptx.sender)})"
        if ptx.max_fee < self.pending_base_fee():
            return f"maxFeePerGas below base fee {self.pending_base_fee()}"
        return "executable"

    def pending_nonce(self, sender):
        n = self.chain.get_vm().state.get_nonce(sender)
        nonces = {p.nonce for p in self.pool.values() if p.sender == sender}
        while n in nonces:
            n += 1
        return n

    def internal_tx(self, to, data, value=0, gas=None, mine=True):
        """Deployer transaction, applied alone in a block of its own; -> (hash, receipt, computation, address)."""
        vm = self.chain.get_vm()
        nonce = vm.state.get_nonce(self.deployer)
        base = self.pending_base_fee()
        tip = self.priority_fee
        utx = vm.get_transaction_builder().new_unsigned_dynamic_fee_transaction(
            chain_id=self.chain_id, nonce=nonce, max_priority_fee_per_gas=tip, max_fee_per_gas=2 * base + tip,
            gas=gas or (INTERNAL_CREATE_GAS if to is None else INTERNAL_CALL_GAS), to=to or b"", value=value,
            data=data, access_list=())
        tx = utx.as_signed_transaction(self.deployer_key)
        receipt, computation = self._apply(tx)
        self._mine_one()
        created = None
        if to is None:
            created = keccak(rlp_encode_create(self.deployer, nonce))[12:]
        if computation.is_error:
            err = computation.error
            msg = revert_error(computation.output).message if isinstance(err, Revert) else vm_error_message(err)
            raise RuntimeError(f"internal transaction failed: {msg}")
        if self.auto_mine:
            self.mine_auto()
        return tx.hash, receipt, computation, created

    # ---------------------------------------------------------------- calls and estimates
    def build_call(self, call, header):
        if not isinstance(call, dict):
            raise invalid("invalid call object")
        sender = parse_addr(call["from"], "from") if call.get("from") else ZERO_ADDRESS
        to = parse_addr(call["to"], "to") if call.get("to") else b""
        data = call.get("input", call.get("data"))
        data = parse_data(data, "input") if data is not None else b""
        value = parse_qty(call["value"], "value") if call.get("value") is not None else 0
        gas = parse_qty(call["gas"], "gas") if call.get("gas") is not None else None
        gas_price = parse_qty(call["gasPrice"], "gasPrice") if call.get("gasPrice") is not None else None
        max_fee = parse_qty(call["maxFeePerGas"], "maxFeePerGas") if call.get("maxFeePerGas") is not None else None
        tip = (parse_qty(call["maxPriorityFeePerGas"], "maxPriorityFeePerGas")
               if call.get("maxPriorityFeePerGas") is not None else None)
        if gas_price is not None and (max_fee is not None or tip is not None):
            raise RpcError(-32000, "both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified")
        if gas_price is not None:
            max_fee = tip = gas_price
        free = not (max_fee or tip)
        max_fee, tip = max_fee or 0, tip or 0
        if free:
            header = header.copy(base_fee_per_gas=0)
        elif max_fee < tip:
            raise RpcError(-32000, "max priority fee per gas higher than max fee per gas")
        elif max_fee < header.base_fee_per_gas:
            raise RpcError(-32000, f"max fee per gas less than block base fee: address "
                                   f"{to_checksum_address(sender)}, maxFeePerGas: {max_fee}, "
                                   f"baseFee: {header.base_fee_per_gas}")
        return dict(sender=sender, to=to, data=data, value=value, gas=gas, max_fee=max_fee, tip=tip,
                    header=header)

    def run_call(self, c, gas):
        vm = self.chain.get_vm(at_header=c["header"])
        state = vm.state
        utx = vm.get_transaction_builder().new_unsigned_dynamic_fee_transaction(
            chain_id=self.chain_id, nonce=state.get_nonce(c["sender"]), max_priority_fee_per_gas=c["tip"],
            max_fee_per_gas=c["max_fee"], gas=gas, to=c["to"], value=c["value"], data=c["data"], access_list=())
        stx = SpoofTransaction(utx, from_=c["sender"])
        snapshot = state.snapshot()
        try:
            return state.apply_transaction(stx), stx
        except ValidationError as e:
            msg = str(e)
            if "balance" in msg.lower() or "afford" in msg.lower():
                raise RpcError(-32000, f"insufficient funds for gas * price + value: address "
                                       f"{to_checksum_address(c['sender'])}")
            if "intrinsic" in msg.lower():
                raise RpcError(-32000, f"intrinsic gas too low: {msg}")
            raise RpcError(-32000, msg)
        finally:
            state.revert(snapshot)

    def call(self, call, tag):
        c = self.build_call(call, self.header_for(tag))
        gas = c["gas"] if c["gas"] is not None else c["header"].gas_limit
        comp, _ = self.run_call(c, gas)
        if comp.is_error:
            if isinstance(comp.error, Revert):
                raise revert_error(comp.output)
            raise RpcError(-32000, vm_error_message(comp.error))
        return comp.output

    def estimate_gas(self, call, tag):
        """go-ethereum's eth/gasestimator: fail at the cap with the call's error, else binary search to 1.5%."""
        c = self.build_call(call, self.header_for(tag))
        hi = c["gas"] if c["gas"] is not None and c["gas"] >= 21000 else c["header"].gas_limit
        hi = min(hi, c["header"].gas_limit)
        if c["max_fee"]:
            balance = self.chain.get_vm(at_header=c["header"]).state.get_balance(c["sender"])
            if c["value"] > balance:
                raise RpcError(-32000, "insufficient funds for transfer")
            hi = min(hi, (balance - c["value"]) // c["max_fee"])

        def ok(gas):
            comp, _ = self.run_call(c, gas)
            return comp
        intrinsic = self._intrinsic(c)
        if not c["data"] and c["to"] and hi >= intrinsic:
            code = self.chain.get_vm(at_header=c["header"]).state.get_code(c["to"])
            if not code:
                return intrinsic  # a plain transfer, as geth's shortcut
        comp = ok(hi)
        if comp.is_error:
            if isinstance(comp.error, Revert):
                raise revert_error(comp.output)
            if type(comp.error).__name__ == "OutOfGas":
                raise RpcError(-32000, f"gas required exceeds allowance ({hi})")
            raise RpcError(-32000, vm_error_message(comp.error))
        used = intrinsic + comp.get_gas_used()
        lo = intrinsic - 1
        optimistic = (used + comp.get_gas_refund() + 2300) * 64 // 63
        if lo < optimistic < hi:
            if ok(optimistic).is_error:
                lo = optimistic
            else:
                hi = optimistic
        while lo + 1 < hi:
            if (hi - lo) / hi < 0.015:
                break
            mid = (hi + lo) // 2
            if mid > lo * 2:
                mid = lo * 2
            if ok(mid).is_error:
                lo = mid
            else:
                hi = mid
        return hi

    def _intrinsic(self, c):
        vm = self.chain.get_vm(at_header=c["header"])
        utx = vm.get_transaction_builder().new_unsigned_dynamic_fee_transaction(
            chain_id=self.chain_id, nonce=0, max_priority_fee_per_gas=0, max_fee_per_gas=0, gas=0,
            to=c["to"], value=c["value"], data=c["data"], access_list=())
        return utx.intrinsic_gas

    def view(self, name, fn, *args, tag="pending"):
        con = self.contracts[name]
        hdr = self.header_for(tag)
        c = dict(sender=self.deployer, to=con.address, data=con.encode(fn, *args), value=0, gas=None, max_fee=0,
                 tip=0, header=hdr.copy(base_fee_per_gas=0))
        comp, _ = self.run_call(c, hdr.gas_limit)
        if comp.is_error:
            raise RuntimeError(f"{name}.{fn} failed: {comp.error!r}")
        out = con.decode(fn, len(args), comp.output)
        return out[0] if len(out) == 1 else out

    # ---------------------------------------------------------------- lookups and serialisation
    def find_tx(self, h):
        """-> (block, index) for a mined canonical transaction, else None."""
        try:
            num, idx = self.chain.chaindb.get_transaction_index(h)
        except Exception:
            return None
        if num > self.latest_number():
            return None
        blk = self.block_by_number(num)
        if idx >= len(blk.transactions) or blk.transactions[idx].hash != h:
            return None
        return blk, idx

    def tx_json(self, tx, blk=None, idx=None):
        type_id = getattr(tx, "type_id", None) or 0
        out = {
            "type": q(type_id), "hash": d(tx.hash), "nonce": q(tx.nonce), "from": d(tx.sender),
            "to": addr_out(tx.to), "value": q(tx.value), "gas": q(tx.gas), "input": d(tx.data),
            "blockHash": None, "blockNumber": None, "transactionIndex": None, "r": q(tx.r), "s": q(tx.s),
        }
        if type_id == 0:
            out["gasPrice"] = q(tx.gas_price)
            out["v"] = q(tx.v)
            if tx.chain_id is not None:
                out["chainId"] = q(tx.chain_id)
        else:
            out["chainId"] = q(tx.chain_id)
            out["accessList"] = [{"address": d(a), "storageKeys": [d(k.to_bytes(32, "big")) for k in keys]}
                                 for a, keys in tx.access_list]
            out["v"] = out["yParity"] = q(tx.y_parity)
            if type_id == 1:
                out["gasPrice"] = q(tx.gas_price)
            else:
                out["maxFeePerGas"] = q(tx.max_fee_per_gas)
                out["maxPriorityFeePerGas"] = q(tx.max_priority_fee_per_gas)
                out["gasPrice"] = q(tx.max_fee_per_gas)
        if blk is not None:
            out["blockHash"] = d(blk.hash)
            out["blockNumber"] = q(blk.number)
            out["transactionIndex"] = q(idx)
            out["gasPrice"] = q(self.effective_price(tx, blk.header.base_fee_per_gas))
        return out

    @staticmethod
    def effective_price(tx, base_fee):
        if getattr(tx, "type_id", None) == 2:
            return min(tx.max_fee_per_gas, base_fee + tx.max_priority_fee_per_gas)
        return tx.gas_price

    def block_receipts(self, blk):
        """-> [(tx, receipt, gas_used, first_log_index)]"""
        receipts = blk.get_receipts(self.chain.chaindb)
        out, prev, logi = [], 0, 0
        for tx, r in zip(blk.transactions, receipts):
            out.append((tx, r, r.gas_used - prev, logi))
            prev = r.gas_used
            logi += len(r.logs)
        return out

    def logs_of_block(self, blk):
        key = blk.hash
        if key in self.log_cache:
            return self.log_cache[key]
        logs = []
        for idx, (tx, r, _, first) in enumerate(self.block_receipts(blk)):
            for j, lg in enumerate(r.logs):
                logs.append({
                    "address": d(lg.address), "topics": [d(t.to_bytes(32, "big")) for t in lg.topics],
                    "data": d(lg.data), "blockNumber": q(blk.number), "blockHash": d(blk.hash),
                    "transactionHash": d(tx.hash), "transactionIndex": q(idx), "logIndex": q(first + j),
                    "removed": False,
                })
        self.log_cache[key] = logs
        return logs

    def receipt_json(self, blk, idx):
        rows = self.block_receipts(blk)
        tx, r, gas_used, first = rows[idx]
        logs = [lg for lg in self.logs_of_block(blk) if lg["transactionIndex"] == q(idx)]
        contract = None
        if not tx.to:
            contract = d(keccak(rlp_encode_create(tx.sender, tx.nonce))[12:])
        return {
            "transactionHash": d(tx.hash), "transactionIndex": q(idx), "blockHash": d(blk.hash),
            "blockNumber": q(blk.number), "from": d(tx.sender), "to": addr_out(tx.to),
            "cumulativeGasUsed": q(r.gas_used), "gasUsed": q(gas_used),
            "effectiveGasPrice": q(self.effective_price(tx, blk.header.base_fee_per_gas)),
            "contractAddress": contract, "logs": logs, "logsBloom": d(r.bloom.to_bytes(256, "big")),
            "status": q(1 if r.state_root == b"\x01" else 0), "type": q(getattr(tx, "type_id", None) or 0),
        }

    def block_json(self, blk, full, pending=False):
        h = blk.header
        if full:
            txs = [self.tx_json(tx, None if pending else blk, i) for i, tx in enumerate(blk.transactions)]
        else:
            txs = [d(tx.hash) for tx in blk.transactions]
        out = {
            "number": q(h.block_number), "hash": None if pending else d(h.hash), "parentHash": d(h.parent_hash),
            "nonce": None if pending else d(h.nonce), "sha3Uncles": d(h.uncles_hash),
            "logsBloom": d(h.bloom.to_bytes(256, "big")), "transactionsRoot": d(h.transaction_root),
            "stateRoot": d(h.state_root), "receiptsRoot": d(h.receipt_root),
            "miner": d(h.coinbase), "difficulty": q(h.difficulty), "totalDifficulty": q(h.difficulty),
            "extraData": d(h.extra_data), "size": q(len(rlp.encode(blk))),
            "gasLimit": q(h.gas_limit), "gasUsed": q(h.gas_used), "timestamp": q(h.timestamp),
            "transactions": txs, "uncles": [], "baseFeePerGas": q(h.base_fee_per_gas), "mixHash": d(h.mix_hash),
            "withdrawals": [], "withdrawalsRoot": d(h.withdrawals_root),
            "blobGasUsed": q(h.blob_gas_used), "excessBlobGas": q(h.excess_blob_gas),
            "parentBeaconBlockRoot": d(h.parent_beacon_block_root), "requestsHash": d(h.requests_hash),
        }
        return out

    # ---------------------------------------------------------------- fee history
    def block_rewards(self, blk, percentiles):
        base = blk.header.base_fee_per_gas
        rows = self.block_receipts(blk)
        if not rows:
            return [self.priority_fee for _ in percentiles]
        tips = sorted((self.effective_price(tx, base) - base, gas) for tx, _, gas, _ in rows)
        total = sum(g for _, g in tips)
        out = []
        for p in percentiles:
            threshold = total * p / 100
            acc, chosen = 0, tips[-1][0]
            for tip, gas in tips:
                acc += gas
                if acc >= threshold:
                    chosen = tip
                    break
            out.append(chosen)
        return out

    def fee_history(self, count, newest, percentiles):
        count = parse_qty(count, "blockCount") if not isinstance(count, int) else count
        if count < 1:
            return {"oldestBlock": q(0), "baseFeePerGas": [], "gasUsedRatio": []}
        count = min(count, 1024)
        kind, n = self.resolve_block(newest)
        if kind == "pending":
            n = self.latest_number()
        if n is None:
            raise RpcError(-32000, "request beyond head block")
        if percentiles is not None:
            if not isinstance(percentiles, list) or any(not isinstance(p, (int, float)) or p < 0 or p > 100
                                                        for p in percentiles) or percentiles != sorted(percentiles):
                raise invalid("invalid reward percentiles")
        oldest = max(0, n - count + 1)
        base_fees, ratios, rewards, blob_fees, blob_ratios = [], [], [], [], []
        for num in range(oldest, n + 1):
            blk = self.block_by_number(num)
            h = blk.header
            base_fees.append(q(h.base_fee_per_gas))
            ratios.append(h.gas_used / h.gas_limit)
            blob_fees.append(q(fake_exponential(MIN_BLOB_BASE_FEE, h.excess_blob_gas, BLOB_BASE_FEE_UPDATE_FRACTION)))
            blob_ratios.append(0.0)
            if percentiles:
                rewards.append([q(r) for r in self.block_rewards(blk, percentiles)])
        nxt = self.chain.header if n == self.latest_number() else self.block_by_number(n + 1).header
        base_fees.append(q(nxt.base_fee_per_gas))
        blob_fees.append(q(fake_exponential(MIN_BLOB_BASE_FEE, nxt.excess_blob_gas, BLOB_BASE_FEE_UPDATE_FRACTION)))
        out = {"oldestBlock": q(oldest), "baseFeePerGas": base_fees, "gasUsedRatio": ratios,
               "baseFeePerBlobGas": blob_fees, "blobGasUsedRatio": blob_ratios}
        if percentiles:
            out["reward"] = rewards
        return out

    # ---------------------------------------------------------------- logs
    def get_logs(self, flt):
        if not isinstance(flt, dict):
            raise invalid("invalid filter")
        addresses = flt.get("address")
        if addresses is None:
            addresses = []
        elif isinstance(addresses, str):
            addresses = [addresses]
        addresses = [parse_addr(a) for a in addresses]
        topics = flt.get("topics") or []
        if len(topics) > 4:
            raise invalid("too many topics")
        want = []
        for t in topics:
            if t is None:
                want.append(None)
            elif isinstance(t, list):
                want.append([parse_hash(x, "topic") for x in t] if t else None)
            else:
                want.append([parse_hash(t, "topic")])
        if flt.get("blockHash"):
            if flt.get("fromBlock") is not None or flt.get("toBlock") is not None:
                raise invalid("cannot specify both BlockHash and FromBlock/ToBlock")
            blk = self.block_by_hash(parse_hash(flt["blockHash"], "blockHash"))
            if blk is None:
                raise RpcError(-32000, "unknown block")
            blocks = [blk.number]
        else:
            frm = self.resolve_block(flt.get("fromBlock", "latest"), allow_pending=False)[1]
            to = self.resolve_block(flt.get("toBlock", "latest"), allow_pending=False)[1]
            if frm is None:
                return []
            if to is None:
                to = self.latest_number()
            if frm > to:
                raise RpcError(-32000, "invalid block range params")
            blocks = range(frm, to + 1)
        out = []
        addr_set = {bytes(a) for a in addresses}
        for num in blocks:
            h = self.chain.get_canonical_block_header_by_number(num)
            if not h.bloom:
                continue
            bloom = BloomFilter(h.bloom)
            if addr_set and not any(a in bloom for a in addr_set):
                continue
            if any(w is not None and not any(x in bloom for x in w) for w in want):
                continue
            for lg in self.logs_of_block(self.block_by_number(num)):
                if addr_set and bytes.fromhex(lg["address"][2:]) not in addr_set:
                    continue
                tps = lg["topics"]
                match = True
                for i, w in enumerate(want):
                    if w is None:
                        continue
                    if i >= len(tps) or bytes.fromhex(tps[i][2:]) not in w:
                        match = False
                        break
                if match:
                    out.append(lg)
        return out

    # ---------------------------------------------------------------- snapshots
    def snapshot(self):
        self.snapshot_counter += 1
        self.snapshots.append((self.snapshot_counter, self.block_by_number(self.latest_number()).hash))
        return self.snapshot_counter

    def revert(self, sid):
        for i, (s, h) in enumerate(self.snapshots):
            if s == sid:
                break
        else:
            return False
        del self.snapshots[i:]
        chaindb = self.chain.chaindb
        header = chaindb.get_block_header_by_hash(h)
        from eth.constants import GENESIS_PARENT_HASH
        chaindb._set_as_canonical_chain_head(chaindb.db, header, GENESIS_PARENT_HASH)
        self.chain.header = self.chain.create_header_from_parent(header)
        self.fix_pending_base_fee()
        self.pool.clear()
        return True

    # ---------------------------------------------------------------- Livepeer deployment
    def _contract(self, name, address=None, artifact=None):
        return Contract(name, self.artifacts[artifact or name], address)

    def _deploy(self, name, *args, artifact=None, bytecode=None):
        con = self._contract(name, artifact=artifact)
        _, _, _, addr = self.internal_tx(None, con.creation_code(*args, bytecode=bytecode))
        if not self.chain.get_vm().state.get_code(addr):
            raise RuntimeError(f"{name}: no code at {d(addr)}")
        con.address = addr
        self.contracts[name] = con
        debug(f"deployed {name} at {to_checksum_address(addr)}")
        return con

    def _tx(self, name, fn, *args):
        con = self.contracts[name]
        return self.internal_tx(con.address, con.encode(fn, *args))

    def _register(self, name, addr):
        self._tx("Controller", "setContractInfo", keccak(text=name), addr, PROTOCOL_COMMIT)

    def _proxied(self, name, aliases=(), bytecode=None):
        target = self._deploy(name + "Target", self.controller, bytecode=bytecode)
        self._register(name + "Target", target.address)
        proxy_art = self.artifacts[name + "Proxy"]
        target_id = keccak(text=name + "Target")
        if bytes.fromhex(proxy_art["args"][1][2:]) != target_id:
            raise RuntimeError(f"{name}Proxy artifact's target id is not keccak256('{name}Target')")
        proxy = self._deploy(name + "Proxy", self.controller, target_id)
        self._register(name, proxy.address)
        for alias in aliases:
            self._register(alias, proxy.address)
        # Callers use the target's ABI at the proxy's address.
        self.contracts[name] = Contract(name, self.artifacts[name + "Target"], proxy.address)
        return self.contracts[name]

    def deploy_livepeer(self):
        """livepeer/protocol deploy/deploy_contracts.ts order (arbitrumMainnet), see docs in the module header."""
        t0 = time.time()
        arts = self.artifacts
        ctrl = self._deploy("Controller")
        self.controller = ctrl.address
        minter_args = [int(x) for x in arts["Minter"]["args"][1:]]
        minter = self._deploy("Minter", self.controller, *minter_args)
        self._register("Minter", minter.address)
        lpt = self._deploy("LivepeerToken")
        self._register("LivepeerToken", lpt.address)
        cache = self._deploy("L2LPTDataCache")
        self._register("L2LPTDataCache", cache.address)
        self._proxied("TicketBroker", aliases=("JobsManager",))
        lib = self._deploy("SortedDoublyLL")
        bm_art = arts["BondingManagerTarget"]
        mainnet_lib = bm_art["libraries"]["SortedDoublyLL"][2:].lower()
        code = bm_art["bytecode"].lower()
        occurrences = code.count(mainnet_lib)
        if occurrences != 17:
            raise RuntimeError(f"BondingManagerTarget: {occurrences} SortedDoublyLL references, expected 17")
        self._proxied("BondingManager", bytecode=code.replace(mainnet_lib, lib.address.hex()))
        self._proxied("BondingVotes")
        self._proxied("RoundsManager")
        self._proxied("ServiceRegistry")
        treasury = self._deploy("Treasury")
        self._register("Treasury", treasury.address)
        self._tx("Treasury", "initialize", 0, [], [], self.deployer)
        self._tx("BondingManager", "setUnbondingPeriod", 7)
        self._tx("BondingManager", "setNumActiveTranscoders", 100)
        self._tx("BondingManager", "setTreasuryRewardCutRate", 10**26)
        self._tx("BondingManager", "setTreasuryBalanceCeiling", 750000 * ETHER)
        self._tx("RoundsManager", "setRoundLength", self.round_length)
        self._tx("RoundsManager", "setRoundLockAmount", 100000)
        self._tx("TicketBroker", "setUnlockPeriod", 2)
        self._tx("TicketBroker", "setTicketValidityPeriod", 2)
        minter_role = keccak(text="MINTER_ROLE")
        self._tx("LivepeerToken", "grantRole", minter_role, minter.address)
        self._tx("LivepeerToken", "grantRole", minter_role, self.deployer)
        self._tx("Controller", "unpause")
        n_tx = self.latest_number()
        round_info = self.mine_rounds(1)
        log(f"deployed Livepeer ({n_tx} transactions) and initialised round {int(round_info['round'], 16)} at "
            f"block {int(round_info['blockNumber'], 16)} in {time.time() - t0:.2f} s")

    def mine_rounds(self, n):
        if n < 0:
            raise invalid("rounds must be >= 0")
        rm = self.contracts["RoundsManager"]
        if n == 0:
            cur = self.view("RoundsManager", "currentRound")
            if self.view("RoundsManager", "lastInitializedRound") >= cur:
                return {"round": q(cur), "roundStartBlock": q(self.view("RoundsManager", "currentRoundStartBlock")),
                        "blockNumber": q(self.latest_number()), "transactionHash": None}
            target, start = cur, None
        else:
            cur = self.view("RoundsManager", "currentRound")
            length = self.view("RoundsManager", "roundLength")
            start = self.view("RoundsManager", "currentRoundStartBlock") + n * length
            target = cur + n
            gap = start - self.chain.header.block_number
            if gap > 0:
                self.mine_blocks(gap, auto=False)
            if self.chain.header.block_number != start:
                # evm_mine-style blocks never overshoot, but auto-mined pool transactions might.
                raise RuntimeError(f"pending block {self.chain.header.block_number} != round start {start}")
        h, receipt, _, _ = self.internal_tx(rm.address, rm.encode("initializeRound"))
        blk = self.latest_number()
        got = self.view("RoundsManager", "currentRound", tag="latest")
        if got != target:
            raise RuntimeError(f"round {got} after initializeRound, expected {target}")
        return {"round": q(target), "roundStartBlock": q(self.view("RoundsManager", "currentRoundStartBlock",
                                                                   tag="latest")),
                "blockNumber": q(blk), "transactionHash": d(h)}

    # ---------------------------------------------------------------- info
    def info(self, rpc_url=None):
        def cs(a):
            return to_checksum_address(a)
        names = ["TicketBroker", "BondingManager", "RoundsManager", "ServiceRegistry", "LivepeerToken", "Minter",
                 "BondingVotes", "L2LPTDataCache", "SortedDoublyLL", "Treasury", "TicketBrokerTarget",
                 "BondingManagerTarget", "RoundsManagerTarget", "ServiceRegistryTarget", "BondingVotesTarget"]
        accounts = [{"address": k.public_key.to_checksum_address(), "privateKey": d(k.to_bytes())}
                    for k in self.keys]
        out = {"rpc": rpc_url, "chainId": self.chain_id, "controller": cs(self.controller),
               "contracts": {n: cs(self.contracts[n].address) for n in names},
               "roundLength": self.round_length,
               "round": self.view("RoundsManager", "currentRound", tag="latest"),
               "blockNumber": self.latest_number(),
               "deployer": accounts[0], "accounts": accounts}
        return out


def rlp_encode_create(sender, nonce):
    return rlp.encode([sender, nonce])


# ------------------------------------------------------------------------------------------------ RPC methods
class Api:
    def __init__(self, dev, rpc_url=None):
        self.dev = dev
        self.rpc_url = rpc_url
        self.methods = {}
        for name in dir(self):
            if name.startswith("m_"):
                self.methods[name[2:]] = getattr(self, name)

    def call(self, method, params):
        fn = self.methods.get(method)
        if fn is None:
            raise RpcError(-32601, f"the method {method} does not exist/is not available")
        if params is None:
            params = []
        if not isinstance(params, list):
            raise invalid("params must be an array")
        try:
            inspect.signature(fn).bind(*params)
        except TypeError as e:
            raise invalid(f"invalid params for {method}: {e}")
        if method.startswith("devchain_") and method not in ("devchain_txPool", "devchain_info"):
            log(f"{method}{json.dumps(params)}")
        elif method.startswith("evm_"):
            debug(f"{method}{json.dumps(params)}")
        with self.dev.lock:
            return fn(*params)

    # -- net/web3
    def m_web3_clientVersion(self):
        return "devchain/eth-tester-py-evm (Livepeer contracts)"

    def m_net_version(self):
        return str(self.dev.chain_id)

    def m_net_listening(self):
        return True

    def m_eth_chainId(self):
        return q(self.dev.chain_id)

    def m_eth_syncing(self):
        return False

    def m_eth_accounts(self):
        return [k.public_key.to_checksum_address() for k in self.dev.keys]

    # -- state
    def m_eth_blockNumber(self):
        return q(self.dev.latest_number())

    def m_eth_getBalance(self, address, block="latest"):
        return q(self.dev.state_at(block).get_balance(parse_addr(address)))

    def m_eth_getTransactionCount(self, address, block="latest"):
        a = parse_addr(address)
        if block == "pending":
            return q(self.dev.pending_nonce(a))
        return q(self.dev.state_at(block).get_nonce(a))

    def m_eth_getCode(self, address, block="latest"):
        return d(self.dev.state_at(block).get_code(parse_addr(address)))

    def m_eth_getStorageAt(self, address, slot, block="latest"):
        v = self.dev.state_at(block).get_storage(parse_addr(address), parse_qty(slot, "slot"))
        return d(v.to_bytes(32, "big"))

    # -- fees
    def m_eth_gasPrice(self):
        return q(self.dev.pending_base_fee() + self.dev.priority_fee)

    def m_eth_maxPriorityFeePerGas(self):
        return q(self.dev.priority_fee)

    def m_eth_feeHistory(self, block_count, newest_block, reward_percentiles=None):
        return self.dev.fee_history(block_count, newest_block, reward_percentiles)

    # -- execution
    def m_eth_call(self, call, block="latest", state_overrides=None):
        if state_overrides:
            raise invalid("state overrides are not supported")
        return d(self.dev.call(call, block))

    def m_eth_estimateGas(self, call, block="latest", state_overrides=None):
        if state_overrides:
            raise invalid("state overrides are not supported")
        return q(self.dev.estimate_gas(call, block))

    def m_eth_sendRawTransaction(self, raw):
        return d(self.dev.submit_raw(parse_data(raw, "raw transaction")))

    # -- lookups
    def m_eth_getTransactionByHash(self, h):
        h = parse_hash(h)
        found = self.dev.find_tx(h)
        if found:
            blk, idx = found
            return self.dev.tx_json(blk.transactions[idx], blk, idx)
        if h in self.dev.pool:
            return self.dev.tx_json(self.dev.pool[h].tx)
        return None

    def m_eth_getTransactionReceipt(self, h):
        found = self.dev.find_tx(parse_hash(h))
        if not found:
            return None
        return self.dev.receipt_json(*found)

    def m_eth_getBlockByNumber(self, block, full=False):
        kind, n = self.dev.resolve_block(block)
        if kind == "pending":
            return self.dev.block_json(self.dev.chain.get_block(), bool(full), pending=True)
        if n is None:
            return None
        return self.dev.block_json(self.dev.block_by_number(n), bool(full))

    def m_eth_getBlockByHash(self, h, full=False):
        blk = self.dev.block_by_hash(parse_hash(h))
        return None if blk is None else self.dev.block_json(blk, bool(full))

    def m_eth_getLogs(self, flt):
        return self.dev.get_logs(flt)

    # -- evm_*
    def m_evm_mine(self, arg=None):
        count = 1
        if isinstance(arg, dict):
            count = parse_qty(arg.get("blocks", 1), "blocks") if not isinstance(arg.get("blocks", 1), int) \
                else arg.get("blocks", 1)
        elif arg is not None:
            count = arg if isinstance(arg, int) else parse_qty(arg, "count")
        if count < 0 or count > 1_000_000:
            raise invalid("invalid block count")
        self.dev.mine_blocks(count)
        return "0x0"

    def m_evm_snapshot(self):
        return q(self.dev.snapshot())

    def m_evm_revert(self, sid):
        return self.dev.revert(sid if isinstance(sid, int) else parse_qty(sid, "snapshot id"))

    # -- devchain_* hooks
    def m_devchain_setBaseFee(self, fee, blocks=None):
        dev = self.dev
        if fee is None:
            dev.base_fee_pin = dev.base_fee_pin_blocks = None
        else:
            dev.base_fee_pin = fee if isinstance(fee, int) else parse_qty(fee, "base fee")
            dev.base_fee_pin_blocks = None
            if blocks is not None:
                dev.base_fee_pin_blocks = blocks if isinstance(blocks, int) else parse_qty(blocks, "blocks")
                if dev.base_fee_pin_blocks < 1:
                    raise invalid("blocks must be >= 1")
        dev.fix_pending_base_fee()
        if dev.auto_mine:
            dev.mine_auto()
        return {"baseFeePerGas": q(dev.pending_base_fee()), "pinned": dev.base_fee_pin is not None}

    def m_devchain_setPriorityFee(self, fee):
        self.dev.priority_fee = self.dev.default_priority_fee if fee is None else (
            fee if isinstance(fee, int) else parse_qty(fee, "priority fee"))
        return q(self.dev.priority_fee)

    def m_devchain_failNext(self, count, mode="error", opts=None):
        count = count if isinstance(count, int) else parse_qty(count, "count")
        if mode not in ("timeout", "garbage", "error", "drop"):
            raise invalid("mode must be timeout, garbage, error or drop")
        seconds, methods = (10.0 if mode == "timeout" else 0.0), None
        if isinstance(opts, (int, float)) and not isinstance(opts, bool):
            seconds = float(opts)
        elif isinstance(opts, dict):
            seconds = float(opts.get("seconds", seconds))
            methods = opts.get("methods")
            if methods is not None and (not isinstance(methods, list) or
                                        not all(isinstance(m, str) for m in methods)):
                raise invalid("methods must be an array of method names")
        elif opts is not None:
            raise invalid("third param: seconds or {seconds, methods}")
        with self.dev.fault_lock:
            if count == 0:
                self.dev.faults.clear()
            else:
                self.dev.faults.extend({"mode": mode, "seconds": seconds, "methods": methods}
                                       for _ in range(count))
            return {"pending": len(self.dev.faults)}

    def m_devchain_mineRounds(self, n=1):
        return self.dev.mine_rounds(n if isinstance(n, int) else parse_qty(n, "rounds"))

    def m_devchain_mintLPT(self, to, amount):
        lpt = self.dev.contracts["LivepeerToken"]
        amount = amount if isinstance(amount, int) else parse_qty(amount, "amount")
        h, _, _, _ = self.dev.internal_tx(lpt.address, lpt.encode("mint", parse_addr(to, "to"), amount))
        return d(h)

    def m_devchain_pause(self, on):
        if not isinstance(on, bool):
            raise invalid("want true or false")
        h, _, _, _ = self.dev.internal_tx(self.dev.contracts["Controller"].address,
                                          self.dev.contracts["Controller"].encode("pause" if on else "unpause"))
        return d(h)

    def m_devchain_autoMine(self, on):
        if not isinstance(on, bool):
            raise invalid("want true or false")
        self.dev.auto_mine = on
        if on:
            self.dev.mine_auto()
        return on

    def m_devchain_txPool(self):
        dev = self.dev
        nonce = dev._nonce_reader()
        return [{"hash": d(p.hash), "from": d(p.sender), "nonce": q(p.nonce), "maxFeePerGas": q(p.max_fee),
                 "maxPriorityFeePerGas": q(p.tip), "gas": q(p.tx.gas),
                 "executable": dev._executable(p, nonce, dev.pending_base_fee()),
                 "reason": dev.pool_reason(p, nonce)}
                for p in sorted(dev.pool.values(), key=lambda p: p.seq)]

    def m_devchain_info(self):
        return self.dev.info(self.rpc_url)


# ------------------------------------------------------------------------------------------------ HTTP
def handle_rpc(api, req):
    """-> response object/list, or None (notifications only)."""
    def one(obj):
        if not isinstance(obj, dict):
            return {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "invalid request"}}
        rid = obj.get("id")
        notification = "id" not in obj
        if obj.get("jsonrpc", "2.0") != "2.0" or not isinstance(obj.get("method"), str):
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32600, "message": "invalid request"}}
        try:
            result = api.call(obj["method"], obj.get("params"))
            resp = {"jsonrpc": "2.0", "id": rid, "result": result}
        except RpcError as e:
            resp = {"jsonrpc": "2.0", "id": rid, "error": e.to_json()}
        except Exception as e:
            log(f"internal error in {obj.get('method')}: {e!r}\n{traceback.format_exc()}")
            resp = {"jsonrpc": "2.0", "id": rid, "error": {"code": -32603, "message": f"internal error: {e}"}}
        return None if notification else resp

    if isinstance(req, list):
        if not req:
            return {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "empty batch"}}
        out = [r for r in (one(x) for x in req) if r is not None]
        return out or None
    return one(req)


def request_methods(req):
    items = req if isinstance(req, list) else [req]
    return [x.get("method") for x in items if isinstance(x, dict) and isinstance(x.get("method"), str)]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "devchain/1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stalls

    def log_message(self, fmt, *args):
        debug("http", fmt % args)

    def _send(self, code, body, ctype="application/json"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        api = self.server.api
        with api.dev.lock:
            body = json.dumps(api.dev.info(api.rpc_url)).encode()
        self._send(200, body)

    def do_POST(self):
        api = self.server.api
        length = self.headers.get("Content-Length")
        if length is None:
            self._send(411, b'{"error":"Content-Length required"}')
            self.close_connection = True
            return
        body = self.rfile.read(int(length))
        try:
            req = json.loads(body)
        except Exception:
            self._send(200, json.dumps({"jsonrpc": "2.0", "id": None,
                                        "error": {"code": -32700, "message": "parse error"}}).encode())
            return
        methods = request_methods(req)
        fault = self._take_fault(api.dev, methods)
        if fault:
            log(f"failNext: {fault['mode']} for {methods}")
            mode = fault["mode"]
            if mode == "timeout":
                time.sleep(fault["seconds"])
                self.close_connection = True
                return
            if mode == "garbage":
                self._send(200, b"<html><body>502 Bad Gateway (devchain_failNext)</body></html>", "text/html")
                return
            if mode == "error":
                err = {"code": -32603, "message": "internal error (devchain_failNext)"}
                items = req if isinstance(req, list) else [req]
                resp = [{"jsonrpc": "2.0", "id": x.get("id") if isinstance(x, dict) else None, "error": err}
                        for x in items]
                self._send(200, json.dumps(resp if isinstance(req, list) else resp[0]).encode())
                return
            if mode == "drop":
                handle_rpc(api, req)
                time.sleep(fault["seconds"])
                self.close_connection = True
                return
        resp = handle_rpc(api, req)
        if resp is None:
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send(200, json.dumps(resp).encode())

    @staticmethod
    def _take_fault(dev, methods):
        if not methods or all(m.startswith("devchain_") or m.startswith("evm_") for m in methods):
            return None
        with dev.fault_lock:
            for i, f in enumerate(dev.faults):
                if f["methods"] is None or any(m in f["methods"] for m in methods):
                    return dev.faults.pop(i)
        return None


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64
    block_on_close = False
    allow_reuse_address = True


# ------------------------------------------------------------------------------------------------ main
def stdin_is_watchable():
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def main(argv=None):
    global VERBOSE
    p = argparse.ArgumentParser(description="Local Ethereum dev chain with Livepeer's contracts (JSON-RPC).")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8545, help="0 picks a free port (printed in the JSON line)")
    p.add_argument("--round-length", type=int, default=50, help="blocks per Livepeer round (default 50)")
    p.add_argument("--accounts", type=int, default=10, help="funded accounts; accounts[0] is the deployer")
    p.add_argument("--priority-fee", type=int, default=GWEI, help="suggested tip in wei (default 1 gwei)")
    p.add_argument("--chain-id", type=int, default=None, help="default: eth-tester's 131277322940537")
    p.add_argument("--artifacts", default=DEFAULT_ARTIFACTS)
    p.add_argument("--block-time", type=float, default=0,
                   help="also mine a block every this many seconds, as a real chain does (0: only transactions and evm_mine)")
    p.add_argument("--lpt", type=int, default=0,
                   help="whole LPT minted to each account but the deployer at start (orchestrators bond it; default 0)")
    p.add_argument("--stdin-watch", choices=("auto", "on", "off"), default="auto",
                   help="exit when stdin closes (auto: when stdin is a pipe or socket)")
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args(argv)
    VERBOSE = a.verbose
    if a.round_length < 1 or a.accounts < 1:
        p.error("--round-length and --accounts must be >= 1")
    if a.block_time < 0 or a.lpt < 0:
        p.error("--block-time and --lpt must be >= 0")

    t0 = time.time()
    dev = DevChain(accounts=a.accounts, round_length=a.round_length, priority_fee=a.priority_fee,
                   chain_id=a.chain_id, artifacts_dir=a.artifacts)
    with dev.lock:
        dev.deploy_livepeer()
        if a.lpt:
            lpt = dev.contracts["LivepeerToken"]
            for key in dev.keys[1:]:
                dev.internal_tx(lpt.address, lpt.encode("mint", key.public_key.to_canonical_address(), a.lpt * ETHER))
    if ":" in a.host:
        Server.address_family = socket.AF_INET6
    server = Server((a.host, a.port), Handler)
    host, port = server.server_address[:2]
    url_host = f"[{host}]" if ":" in host else host
    rpc_url = f"http://{url_host}:{port}"
    server.api = Api(dev, rpc_url)
    with dev.lock:
        line = json.dumps(dev.info(rpc_url))
    stop = threading.Event()

    def on_signal(signum, _frame):
        log(f"signal {signum}: stopping")
        stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if a.stdin_watch == "on" or (a.stdin_watch == "auto" and stdin_is_watchable()):
        def watch():
            try:
                while os.read(sys.stdin.fileno(), 4096):
                    pass
            except OSError:
                pass
            log("stdin closed: stopping")
            stop.set()
        threading.Thread(target=watch, daemon=True, name="stdin-watch").start()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True,
                     name="http").start()
    if a.block_time > 0:
        def produce_blocks():
            while not stop.wait(a.block_time):
                with dev.lock:
                    dev.mine_blocks(1)
        threading.Thread(target=produce_blocks, daemon=True, name="blocks").start()
    log(f"listening on {rpc_url} (chain id {dev.chain_id}, round length {a.round_length}, "
        f"start-up {time.time() - t0:.2f} s)")
    try:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
