"""`broadcast`: act as go-livepeer's broadcaster (server/broadcast.go, server/segment_rpc.go, pm/sender.go,
core/accounting.go, verification/verify.go) against one orchestrator."""
from __future__ import annotations

import base64
import math
import os
import secrets
import tempfile
import time
from fractions import Fraction

import lp_core as C
from lp_http import Connection, GrpcError, dial_grpc, grpc_unary, url_hostport, split_hostport
from urllib.parse import urlsplit

PIXEL_ESTIMATE_MULTIPLIER = Fraction(1.02)  # big.Rat.SetFloat64(1.02): the exact binary double, as Go does
PRICE_INCREASE_THRESHOLD = 2
AUTH_TOKEN_VALID_PERIOD = 30 * 60
TAMPERS = ["payment-garbage", "seg-sig", "seg-caps", "auth-token", "ticket-sig", "face-value", "win-prob", "recipient",
           "expected-price", "no-tickets", "body", "replay"]


class BroadcastError(Exception):
    pass


class Broadcaster:
    def __init__(self, args):
        self.args = args
        self.lp, _ = C.pb()
        self.offchain = args.offchain
        self.key = None if self.offchain else C.Key(bytes.fromhex(args.key) if args.key else None)
        self.ca = args.ca_cert
        self.http_alpn = ["h2", "http/1.1"] if args.http2 else ["http/1.1"]
        self.conns: dict[str, Connection] = {}
        self.caps = C.job_net_caps()
        self.profiles = [p for p in args.profiles.split(",") if p]
        self.manifest = (args.manifest or secrets.token_hex(4)).encode()
        # pm sender state: sessions keyed by recipientRandHash, each with its own nonce (pm/sender.go)
        self.pm_sessions: dict[bytes, int] = {}
        self.pm_session: bytes | None = None
        # core.AddressBalances keyed by (recipient, orchestrator session id)
        self.balances: dict[tuple[bytes, str], Fraction] = {}
        self.max_ev = Fraction(args.max_ticket_ev)
        self.max_total_ev = Fraction(args.max_total_ev)
        self.info = None
        self.initial_price = None
        self.refreshes = 0
        self.short_seed_payments = 0
        self.tamper = [t for t in (args.tamper or "").split(",") if t]

    # -------------------------------------------------------------- identity (core/broadcaster.go)
    @property
    def address(self) -> bytes:
        return b"\x00" * 20 if self.key is None else self.key.address

    def sign(self, msg: bytes) -> bytes:
        """broadcaster.Sign: Eth.Sign(keccak256(msg)); empty without an Ethereum account (offchain)."""
        return b"" if self.key is None else self.key.sign(C.keccak(msg))

    # -------------------------------------------------------------- gRPC (server/rpc.go)
    def orchestrator_request(self):
        info_sig = self.sign(C.checksum(self.address).encode())  # starter.go: Sign([]byte(addr.Hex()))
        return self.lp.OrchestratorRequest(address=self.address, sig=info_sig, capabilities=self.caps,
                                           ignoreCapacityCheck=False)

    def get_orchestrator(self, hostport: str, want_short_seed: bool = False):
        conn = dial_grpc(hostport, self.ca)
        try:
            tries = 0
            while True:
                info = grpc_unary(conn, "GetOrchestrator", self.orchestrator_request(), self.lp.OrchestratorInfo)
                tries += 1
                seed = info.ticket_params.seed if info.HasField("ticket_params") else b""
                if not want_short_seed or not info.HasField("ticket_params") or len(C.int_bytes(C.bytes_int(seed))) < 32:
                    break
                if tries >= self.args.short_seed_tries:
                    C.log(f"short seed: none in {tries} GetOrchestrator calls; going on with a 32-byte seed")
                    break
            if want_short_seed:
                C.log(f"short seed: {tries} GetOrchestrator call(s), seed length {len(C.int_bytes(C.bytes_int(seed)))}")
            return info
        finally:
            conn.close()

    # -------------------------------------------------------------- session bookkeeping
    def start_pm_session(self, info) -> None:
        """Sender.StartSession: sessionID = recipientRandHash, nonce 0 (then CleanupSession(old))."""
        if self.offchain or not info.HasField("ticket_params"):
            return
        sid = C.to_hash(info.ticket_params.recipient_rand_hash)
        old = self.pm_session
        self.pm_sessions[sid] = 0
        self.pm_session = sid
        if old is not None and old != sid:
            self.pm_sessions.pop(old, None)
        elif old == sid:  # go-livepeer deletes the session it has just stored when the hash repeats
            self.pm_sessions.pop(old, None)

    def balance_key(self, info) -> tuple[bytes, str]:
        return (C.to_address(info.ticket_params.recipient), info.auth_token.session_id)

    def update_session(self, new_info) -> None:
        """server/broadcast.go updateSession."""
        old = self.info
        self.info = new_info
        if not self.offchain and new_info.HasField("ticket_params"):
            self.start_pm_session(new_info)
            if old.auth_token.session_id != new_info.auth_token.session_id:
                self.balances.setdefault(self.balance_key(new_info), Fraction(0))

    def should_refresh(self) -> bool:
        """shouldRefreshSession: last 10% of the auth token's life, or ticket params expired."""
        if time.time() > self.info.auth_token.expiration - AUTH_TOKEN_VALID_PERIOD * 0.1:
            return True
        if not self.offchain and self.args.l1_block is not None and self.info.HasField("ticket_params"):
            if C.bytes_int(self.info.ticket_params.expiration_block) - self.args.l1_block <= 1:
                return True
        return False

    def refresh(self) -> None:
        """refreshSession: GetOrchestrator dialled at OrchestratorInfo.transcoder's host:port."""
        info = self.get_orchestrator(url_hostport(self.info.transcoder), self.args.short_seed)
        self.update_session(info)
        self.refreshes += 1

    # -------------------------------------------------------------- payment (segment_rpc.go, pm/sender.go, accounting.go)
    def price(self):
        """common.RatPriceInfo of the session's PriceInfo (None when absent)."""
        if not self.info.HasField("price_info"):
            return None
        p = self.info.price_info
        if p.pixelsPerUnit == 0:
            raise BroadcastError("pixels per unit is 0")
        return Fraction(p.pricePerUnit, p.pixelsPerUnit)

    def estimate_fee(self, duration: float, price):
        if price is None:
            return None
        out = 0
        for name in self.profiles:
            w, h, _, fps = C.PROFILES[name]
            out += w * h * math.ceil(fps / 1) * math.ceil(duration)
        return Fraction(out) * PIXEL_ESTIMATE_MULTIPLIER * price

    def ev(self) -> Fraction:
        tp = self.info.ticket_params
        return C.ticket_ev(C.bytes_int(tp.face_value), C.bytes_int(tp.win_prob))

    def stage_update(self, min_credit: Fraction):
        """newBalanceUpdate + Balance.StageUpdate: (numTickets, newCredit, existingCredit)."""
        ev = self.ev()
        safe = ev if ev > min_credit else min_credit
        key = self.balance_key(self.info)
        existing = self.balances.get(key, Fraction(0))
        self.balances[key] = Fraction(0)  # Reserve
        if existing >= safe:
            return 0, Fraction(0), existing
        if ev == 0:
            return 0, Fraction(0), existing
        gap = (safe - existing) / ev
        size = gap.numerator // gap.denominator + (0 if gap.denominator == 1 else 1)
        return size, size * ev, existing

    def validate_ticket_params(self, num: int) -> None:
        tp = self.info.ticket_params
        exp = C.bytes_int(tp.expiration_block)
        if exp == 0:
            raise BroadcastError("ticketParams expiration block is 0")
        if self.args.l1_block is not None and exp - self.args.l1_block <= 1:
            raise BroadcastError("TicketParams expired")
        ev = self.ev()
        if ev <= 0:
            return
        fv = C.bytes_int(tp.face_value)
        if ev >= fv:
            raise BroadcastError(f"ticket faceValue too low faceValue={fv}")
        if ev > self.max_ev:
            raise BroadcastError(f"ticket EV {float(ev)} > max ticket EV {float(self.max_ev)}")
        if ev * num > self.max_total_ev:
            raise BroadcastError(f"total ticket EV {float(ev * num)} for {num} tickets > max total ticket EV")
        if self.args.deposit is not None and fv > self.args.deposit // self.args.deposit_multiplier:
            raise BroadcastError(f"ticket faceValue {fv} > max faceValue")

    def gen_payment(self, num_tickets: int, report: dict) -> str:
        """genPayment: base64(Payment) or "" offchain."""
        if self.offchain:
            return ""
        price = self.price()
        if price is None:
            raise BroadcastError("missing orchestrator price")
        init = (Fraction(self.initial_price.pricePerUnit, self.initial_price.pixelsPerUnit)
                if self.initial_price is not None and self.initial_price.pixelsPerUnit else None)
        if init is not None and price > init * PRICE_INCREASE_THRESHOLD:
            raise BroadcastError("Orchestrator price has more than doubled")
        pay = self.lp.Payment(sender=self.address)
        pay.expected_price.CopyFrom(self.info.price_info)
        if num_tickets > 0:
            if self.pm_session not in self.pm_sessions:
                raise BroadcastError(f"error loading session: {self.pm_session.hex() if self.pm_session else None}")
            self.validate_ticket_params(num_tickets)
            tp = self.info.ticket_params
            recipient = C.to_address(tp.recipient)
            fv, wp = C.bytes_int(tp.face_value), C.bytes_int(tp.win_prob)
            rrh = C.to_hash(tp.recipient_rand_hash)
            seed, exp_block = C.bytes_int(tp.seed), C.bytes_int(tp.expiration_block)
            rnd = tp.expiration_params.creation_round if tp.HasField("expiration_params") else 0
            bh = C.to_hash(tp.expiration_params.creation_round_block_hash) if tp.HasField("expiration_params") else b"\x00" * 32
            if rnd == 0 or bh == b"\x00" * 32:  # sender.expirationParams(): the sender's own view of the round
                rnd, bh = self.args.round, C.to_hash(bytes.fromhex(self.args.round_block_hash))
            pay.ticket_params.recipient = recipient
            pay.ticket_params.face_value = C.int_bytes(fv)
            pay.ticket_params.win_prob = C.int_bytes(wp)
            pay.ticket_params.recipient_rand_hash = rrh
            pay.ticket_params.seed = C.int_bytes(seed)
            pay.ticket_params.expiration_block = C.int_bytes(exp_block)
            pay.expiration_params.creation_round = rnd
            pay.expiration_params.creation_round_block_hash = bh
            nonces = []
            for _ in range(num_tickets):
                self.pm_sessions[self.pm_session] = nonce = (self.pm_sessions[self.pm_session] + 1) & 0xFFFFFFFF
                h = C.ticket_hash(recipient, self.address, fv, wp, nonce, rrh, rnd, bh)
                pay.ticket_sender_params.add(sender_nonce=nonce, sig=self.key.sign(h))
                nonces.append(nonce)
            report["nonces"] = nonces
            report["seed_len"] = len(pay.ticket_params.seed)
            report["face_value"] = str(fv)
            report["win_prob"] = str(wp)
            if len(pay.ticket_params.seed) < 32:
                self.short_seed_payments += 1
        return base64.b64encode(pay.SerializeToString()).decode()

    # -------------------------------------------------------------- negative cases (first segment only)
    def apply_tamper(self, creds: str, payment: str, data: bytes):
        t = set(self.tamper)
        sd = self.lp.SegData.FromString(base64.b64decode(creds))
        pay = self.lp.Payment.FromString(base64.b64decode(payment)) if payment else self.lp.Payment()
        flip = lambda b: (bytes([b[0] ^ 1]) + b[1:]) if b else b"\x01"  # noqa: E731
        if "seg-sig" in t:
            sd.sig = flip(sd.sig)
        if "seg-caps" in t:  # ask for a capability (200) no orchestrator has
            sd.capabilities.bitstring[:] = C.cap_string([C.CAP_H264, C.CAP_MPEGTS, C.CAP_AUTH_TOKEN, 200])
            sd.sig = self.sign(C.seg_flatten(sd.manifestId, sd.seq, sd.hash, self.profiles))
        if "auth-token" in t:
            sd.auth_token.token = flip(sd.auth_token.token)
        if "ticket-sig" in t and pay.ticket_sender_params:
            pay.ticket_sender_params[0].sig = flip(pay.ticket_sender_params[0].sig)
        if "face-value" in t:
            pay.ticket_params.face_value = C.int_bytes(C.bytes_int(pay.ticket_params.face_value) + 1)
        if "win-prob" in t:
            pay.ticket_params.win_prob = C.int_bytes(C.bytes_int(pay.ticket_params.win_prob) - 1)
        if "recipient" in t:
            pay.ticket_params.recipient = b"\x11" * 20
        if "expected-price" in t:
            pay.expected_price.pricePerUnit += 1
        if "no-tickets" in t:
            pay.ClearField("ticket_params")
            pay.ClearField("expiration_params")
            del pay.ticket_sender_params[:]
        if "body" in t:
            data = data + b"\x00"
        creds = base64.b64encode(sd.SerializeToString()).decode()
        if payment or t & {"ticket-sig", "face-value", "win-prob", "recipient", "expected-price", "no-tickets"}:
            payment = base64.b64encode(pay.SerializeToString()).decode()
        if "payment-garbage" in t:
            payment = "!not-base64!"
        return creds, payment, data

    # -------------------------------------------------------------- segments
    def seg_creds(self, seq: int, data: bytes, duration: float) -> str:
        """genSegCreds + core.NetSegData."""
        h = C.keccak(data)
        sig = self.sign(C.seg_flatten(self.manifest, seq, h, self.profiles))
        sd = self.lp.SegData(manifestId=self.manifest, seq=seq, hash=h, profiles=b"invalid", sig=sig,
                             duration=int(int(duration * 1e9) // 1_000_000))
        sd.capabilities.CopyFrom(self.caps)
        sd.auth_token.CopyFrom(self.info.auth_token)
        for name in self.profiles:
            sd.fullProfiles.append(C.net_profile(name))
        return base64.b64encode(sd.SerializeToString()).decode()

    def conn(self, hostport: str) -> Connection:
        c = self.conns.get(hostport)
        if c is None:
            host, port = split_hostport(hostport)
            c = self.conns[hostport] = Connection(host, port, self.ca, self.http_alpn)
        return c

    def http(self, method: str, url: str, headers, body=b""):
        u = urlsplit(url)
        hp = f"{u.hostname}:{u.port or 443}"
        path = u.path + (("?" + u.query) if u.query else "")
        for attempt in (0, 1):
            try:
                return self.conn(hp).request(method, path, headers, body)
            except (ConnectionError, OSError) as e:  # a pooled connection the peer closed: redial once
                self.conns.pop(hp, None)
                if attempt:
                    raise BroadcastError(f"{method} {url}: {e}")

    def verify(self, tdata, info_used) -> tuple[bool, bool, bool, list]:
        """verification/verify.go sigVerification + pixel check. Returns (sig_ok, sig_checked, pixels_ok, details)."""
        renditions, details = [], []
        for s in tdata.segments:
            r = self.http("GET", s.url, [])
            if r.status != 200:
                raise BroadcastError(f"GET {s.url}: HTTP {r.status}")
            renditions.append(r.body)
        sig_checked = info_used.HasField("ticket_params") and len(info_used.address) > 0
        sig_ok = True
        if sig_checked:
            addr = C.to_address(info_used.address)
            if addr == b"\x00" * 20:
                addr = C.to_address(info_used.ticket_params.recipient)
            msg = C.keccak(*[C.keccak(r) for r in renditions])
            sig_ok = len(tdata.segments) == len(renditions) and C.verify_sig(addr, msg, tdata.sig)
        elif len(tdata.sig) == 65 and len(info_used.address) == 20 and info_used.address != b"\x00" * 20:
            # go-livepeer skips the check here; still check it when the orchestrator did sign, and say so
            sig_checked = True
            sig_ok = C.verify_sig(info_used.address, C.keccak(*[C.keccak(r) for r in renditions]), tdata.sig)
        pixels_ok = True
        for s, data in zip(tdata.segments, renditions):
            with tempfile.NamedTemporaryFile(suffix=".ts") as f:
                f.write(data)
                f.flush()
                px, frames, w, h = C.ffprobe_pixels(f.name)
            details.append({"url": s.url, "reported_pixels": s.pixels, "decoded_pixels": px, "frames": frames,
                            "size": f"{w}x{h}", "bytes": len(data)})
            if px != s.pixels:
                pixels_ok = False
        return sig_ok, sig_checked, pixels_ok, details

    def submit(self, seq: int, path: str) -> dict:
        data = open(path, "rb").read()
        duration = C.ffprobe_duration(path)
        rep = {"seq": seq, "status": None, "http_version": None, "error": None, "renditions": 0, "sig_ok": False,
               "sig_checked": False, "pixels_ok": False, "tickets": 0, "seed_len": None, "nonces": [],
               "session_id": self.info.auth_token.session_id}
        creds = self.seg_creds(seq, data, duration)
        price = None if self.offchain else self.price()
        fee = self.estimate_fee(duration, price)
        num, new_credit, existing = 0, Fraction(0), Fraction(0)
        staged = not self.offchain and fee is not None and self.info.HasField("ticket_params")
        if staged:
            num, new_credit, existing = self.stage_update(fee)
        bal_key = self.balance_key(self.info) if staged else None
        status_state = "staged"
        debit = Fraction(0)
        try:
            payment = self.gen_payment(num, rep)
            rep["tickets"] = num
            info_used = self.info
            body = data
            if self.tamper and seq == self.args.first_seq:
                creds, payment, body = self.apply_tamper(creds, payment, data)
                rep["tamper"] = self.tamper
            hdrs = [("livepeer-segment", creds), ("livepeer-payment", payment), ("content-type", "video/MP2T")]
            r = self.http("POST", self.info.transcoder + "/segment", hdrs, body)
            status_state = "spent"
            if "replay" in self.tamper and seq == self.args.first_seq:
                r2 = self.http("POST", self.info.transcoder + "/segment", hdrs, body)
                rep["replay_status"], rep["replay_error"] = r2.status, r2.body.decode(errors="replace").strip()
            rep["status"], rep["http_version"] = r.status, r.version
            if r.status != 200:
                rep["error"] = r.body.decode(errors="replace").strip()
                return rep
            tr = self.lp.TranscodeResult.FromString(r.body)
            if not tr.HasField("info"):
                rep["error"] = "TranscodeResult.info is not set"
            which = tr.WhichOneof("result")
            if which == "error":
                rep["error"] = tr.error
                return rep
            if which != "data":
                rep["error"] = "UnknownResponse"
                return rep
            status_state = "change"
            if price is not None:
                debit = sum((s.pixels for s in tr.data.segments), 0) * price
            rep["renditions"] = len(tr.data.segments)
            rep["seq_echoed"] = tr.seq
            rep["sig_ok"], rep["sig_checked"], rep["pixels_ok"], rep["rendition_details"] = self.verify(tr.data, info_used)
            if tr.HasField("info"):
                self.update_session(tr.info)
            return rep
        except (BroadcastError, GrpcError, OSError) as e:
            rep["error"] = rep["error"] or str(e)
            return rep
        finally:
            if staged:  # completeBalanceUpdate
                if status_state == "staged":
                    self.balances[bal_key] = self.balances.get(bal_key, Fraction(0)) + existing
                elif status_state == "change":
                    self.balances[bal_key] = self.balances.get(bal_key, Fraction(0)) + existing + new_credit - debit
                rep["balance_wei"] = str(float(self.balances.get(bal_key, Fraction(0))))

    def run(self) -> dict:
        out = {"discovery_passed": False, "orchestrator": None, "segments": [], "refreshes": 0, "ended": False,
               "short_seed_payments": 0, "manifest": self.manifest.decode(), "broadcaster": C.checksum(self.address),
               "offchain": self.offchain, "error": None}
        try:
            info = self.get_orchestrator(self.args.orchestrator, self.args.short_seed)
        except (GrpcError, OSError) as e:
            out["error"] = f"GetOrchestrator: {e}"
            return out
        out["orchestrator"] = C.checksum(C.to_address(info.address)) if info.address else None
        # discovery/discovery.go isCompatible
        if not info.HasField("capabilities"):
            passed = C.legacy_only(self.caps.bitstring)
        else:
            passed = C.caps_compatible_with(self.caps, info.capabilities)
        out["discovery_passed"] = passed
        out["orchestrator_caps"] = {"bitstring": list(info.capabilities.bitstring), "version": info.capabilities.version,
                                    "mandatories": list(info.capabilities.mandatories)} if info.HasField("capabilities") else None
        if not passed and not self.args.ignore_discovery:
            out["error"] = "orchestrator dropped by discovery's capability filter"
            return out
        # selectOrchestrator
        if not info.HasField("auth_token"):
            out["error"] = "Missing auth token"
            return out
        if not self.offchain and not info.HasField("ticket_params"):
            out["error"] = "Missing ticket params"
            return out
        self.info = info
        self.initial_price = info.price_info if info.HasField("price_info") else None
        self.start_pm_session(info)
        if not self.offchain:
            self.balances[self.balance_key(info)] = Fraction(0)
        for i, path in enumerate(self.args.segments):
            seq = self.args.first_seq + i
            try:
                forced = self.args.refresh_every and i > 0 and i % self.args.refresh_every == 0
                if forced or self.should_refresh():
                    self.refresh()
            except (GrpcError, OSError, BroadcastError) as e:
                out["segments"].append({"seq": seq, "status": None, "error": f"refresh: {e}"})
                continue
            rep = self.submit(seq, path)
            C.log(f"segment seq={seq} status={rep['status']} {rep.get('http_version')} tickets={rep['tickets']} "
                  f"nonces={rep['nonces']} sig_ok={rep['sig_ok']} pixels_ok={rep['pixels_ok']} error={rep['error']}")
            out["segments"].append(rep)
        if self.args.end_session:
            try:
                conn = dial_grpc(url_hostport(self.info.transcoder), self.ca)
                try:
                    grpc_unary(conn, "EndTranscodingSession",
                               self.lp.EndTranscodingSessionRequest(auth_token=self.info.auth_token),
                               self.lp.EndTranscodingSessionResponse)
                finally:
                    conn.close()
                out["ended"] = True
            except (GrpcError, OSError) as e:
                out["end_error"] = str(e)
        out["refreshes"] = self.refreshes
        out["short_seed_payments"] = self.short_seed_payments
        for c in self.conns.values():
            c.close()
        return out


def add_args(p) -> None:
    p.add_argument("--orchestrator", required=True, help="gRPC HOST:PORT")
    p.add_argument("--ca-cert", help="PEM to verify TLS with (default: no verification, as go-livepeer)")
    p.add_argument("--segments", nargs="+", required=True)
    p.add_argument("--profiles", default="P240p30fps16x9")
    p.add_argument("--manifest")
    p.add_argument("--first-seq", type=int, default=0)
    p.add_argument("--offchain", action="store_true")
    p.add_argument("--short-seed", action="store_true",
                   help="repeat GetOrchestrator (initial and refreshes) until the seed's minimal encoding is < 32 bytes")
    p.add_argument("--short-seed-tries", type=int, default=4096)
    p.add_argument("--refresh-every", type=int, default=0)
    p.add_argument("--end-session", action="store_true")
    p.add_argument("--http2", action="store_true", help="offer ALPN h2,http/1.1 as Go's ForceAttemptHTTP2 client")
    p.add_argument("--ignore-discovery", action="store_true")
    p.add_argument("--tamper", default="", help="comma list applied to the first segment: " + ",".join(TAMPERS))
    p.add_argument("--key", help="broadcaster secp256k1 key (hex); random by default")
    p.add_argument("--max-ticket-ev", type=int, default=3_000_000_000_000)
    p.add_argument("--max-total-ev", type=int, default=20_000_000_000_000)
    p.add_argument("--deposit", type=int, help="sender deposit for the faceValue <= deposit/multiplier check")
    p.add_argument("--deposit-multiplier", type=int, default=1)
    p.add_argument("--l1-block", type=int, help="the broadcaster's last seen L1 block (ticket params expiry check)")
    p.add_argument("--round", type=int, default=1, help="own creation round when the params carry none")
    p.add_argument("--round-block-hash", default="00" * 31 + "01")


def main(args) -> tuple[dict, int]:
    for t in (args.tamper or "").split(","):
        if t and t not in TAMPERS:
            raise SystemExit(f"unknown --tamper {t}; known: {', '.join(TAMPERS)}")
    for f in args.segments:
        if not os.path.isfile(f):
            raise SystemExit(f"no such segment file: {f}")
    for name in args.profiles.split(","):
        if name and name not in C.PROFILES:
            raise SystemExit(f"unknown profile {name}; known: {', '.join(C.PROFILES)}")
    return Broadcaster(args).run(), 0
