"""`orchestrate`: act as a go-livepeer orchestrator (server/rpc.go, server/segment_rpc.go, core/orchestrator.go,
pm/recipient.go, pm/validator.go) that a broadcaster streams through.

One TLS port for everything, as go-livepeer has (OrchestratorInfo.transcoder names it, and go-livepeer's broadcaster
re-dials gRPC there). The connection's protocol is chosen by ALPN, in the server's order:
  default   "http/1.1" whenever the client offers it (POST /segment, GET /stream/...); clients offering only "h2"
            (gRPC clients) are handed to an in-process grpcio server (GetOrchestrator, Ping, EndTranscodingSession).
  --http2   "h2" first: an HTTP/2 server (lp_h2server) routes application/grpc to the Orchestrator service and the
            rest to /segment and /stream, as go-livepeer's ServeHTTP does; HTTP/1.1 clients still get HTTP/1.1."""
from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import hmac
import http.server
import ipaddress
import json
import os
import secrets
import select
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from concurrent import futures
from fractions import Fraction
from pathlib import Path

import grpc
from google.protobuf.message import DecodeError

import lp_core as C
import lp_h2server

AUTH_TOKEN_VALID_PERIOD = 30 * 60
PARAMS_EXPIRATION_BLOCKS = 40
MAX_SENDER_NONCES = 600
MAX_DURATION_MS = 5 * 60 * 1000


class SegCredsError(Exception):
    def __init__(self, msg, sd=None, sig_ok=None):
        super().__init__(msg)
        self.msg, self.sd, self.sig_ok = msg, sd, sig_ok


class PaymentError(Exception):
    def __init__(self, msg, fatal=False):
        super().__init__(msg)
        self.fatal = fatal


def make_cert(out: Path) -> tuple[Path, Path, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    cp, kp = out / "cert.pem", out / "key.pem"
    cp.write_text(pem)
    kp.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()))
    return cp, kp, pem


class Orchestrator:
    def __init__(self, args):
        self.args = args
        self.lp, self.lp_grpc = C.pb()
        self.offchain = args.offchain
        self.key = C.Key(bytes.fromhex(args.key) if args.key else None)
        self.secret = secrets.token_bytes(32)  # orchestrator.secret (auth tokens)
        self.recipient_secret = secrets.token_bytes(32)  # recipient.secret (recipientRand)
        self.price = Fraction(args.price_per_pixel, args.pixels_per_unit)
        self.ev = args.ticket_ev
        self.round = args.round
        self.round_block_hash = C.to_hash(bytes.fromhex(args.round_block_hash))
        self.caps = C.orch_net_caps(args.version)
        self.lock = threading.RLock()
        self.balances: dict[tuple[bytes, str], Fraction] = {}
        self.fixed_prices: dict[tuple[bytes, str], Fraction] = {}
        self.sender_nonces: dict[int, set] = {}
        self.sessions: set[str] = set()
        self.out = Path(args.out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.store = self.out / "renditions"
        self.log_path = self.out / "requests.jsonl"
        self.service_uri = ""

    # -------------------------------------------------------------- identity
    @property
    def address(self) -> bytes:
        """orch.Address(): the zero address without an Ethereum account (offchain)."""
        return b"\x00" * 20 if self.offchain and not self.args.sign_offchain else self.key.address

    def eth_sign(self, h: bytes) -> bytes:
        """n.Eth.Sign(h) (personal_sign); go-livepeer offchain has no account and sends no signature."""
        if self.offchain and not self.args.sign_offchain:
            return b""
        return self.key.sign(h)

    def verify_sig(self, addr: bytes, msg: bytes, sig: bytes) -> bool:
        """orch.VerifySig: always true without an Ethereum account."""
        return True if self.offchain else C.verify_sig(addr, C.keccak(msg), sig)

    def auth_token(self, session_id: str, expiration: int):
        # HMAC-SHA256(secret, sessionID | big.Int(expiration).Bytes()); Bytes() drops the sign
        tok = hmac.new(self.secret, session_id.encode() + C.int_bytes(abs(expiration)), hashlib.sha256).digest()
        return self.lp.AuthToken(token=tok, session_id=session_id, expiration=expiration)

    def check_capacity(self, session_id: str) -> None:
        with self.lock:
            if session_id in self.sessions:
                return
            if len(self.sessions) >= self.args.max_sessions:
                raise ValueError("OrchestratorCapped")

    # -------------------------------------------------------------- prices and ticket params
    def price_for(self, sender: bytes, manifest: str) -> Fraction | None:
        if self.offchain:
            return None
        if manifest:
            fp = self.fixed_prices.get((sender, manifest))
            if fp is not None:
                return fp
        return self.price

    def ticket_params(self, sender: bytes, price: Fraction):
        """recipient.TicketParams -> net.TicketParams (minimal big-endian integers)."""
        seed = int.from_bytes(secrets.token_bytes(31 if self.args.short_seed else 32), "big")
        fv = 0
        if price.numerator > 0:
            fv = C.face_value(self.ev, self.args.redeem_gas, self.args.gas_price, self.args.tx_cost_multiplier,
                              self.args.max_float)
        exp_block = self.args.l1_block + PARAMS_EXPIRATION_BLOCKS
        wp = C.win_prob(self.ev, fv)
        rnd = C.recipient_rand(self.recipient_secret, seed, sender, fv, wp, exp_block, price, self.round,
                               self.round_block_hash)
        tp = self.lp.TicketParams(recipient=self.key.address, face_value=C.int_bytes(fv), win_prob=C.int_bytes(wp),
                                  recipient_rand_hash=C.keccak(C.pad32(C.int_bytes(rnd))), seed=C.int_bytes(seed),
                                  expiration_block=C.int_bytes(exp_block))
        tp.expiration_params.creation_round = self.round
        tp.expiration_params.creation_round_block_hash = self.round_block_hash
        return tp

    def orchestrator_info(self, sender: bytes, manifest: str):
        """server/rpc.go orchestratorInfoWithCaps."""
        info = self.lp.OrchestratorInfo(transcoder=self.service_uri, address=self.address)
        price = self.price_for(sender, manifest)
        if price is not None:
            info.price_info.pricePerUnit = price.numerator
            info.price_info.pixelsPerUnit = price.denominator
            info.ticket_params.CopyFrom(self.ticket_params(sender, price))
        session_id = secrets.token_hex(4)  # core.RandomManifestID()
        info.auth_token.CopyFrom(self.auth_token(session_id, int(time.time()) + AUTH_TOKEN_VALID_PERIOD))
        info.capabilities.CopyFrom(self.caps)
        return info

    # -------------------------------------------------------------- payments (core/orchestrator.go, pm/recipient.go)
    def process_payment(self, payment, manifest: str, rec: dict) -> None:
        if self.offchain:
            return
        if not payment.sender and payment.HasField("ticket_params"):
            raise PaymentError(f"Could not find Sender for payment: {payment}")
        sender = C.to_address(payment.sender)
        if not payment.HasField("ticket_params"):
            self.fixed_prices.setdefault((sender, manifest), Fraction(0))
            return
        tp = payment.ticket_params
        recipient = C.to_address(tp.recipient)
        if recipient != self.key.address:  # orch.isActive: only this orchestrator is in the (emulated) active set
            raise PaymentError(f"orchestrator {C.checksum(recipient)} is inactive in round {self.round}, cannot process payments")
        if not payment.HasField("expected_price"):
            raise PaymentError('invalid expected price sent with payment err="expected price is nil"')
        if payment.expected_price.pixelsPerUnit == 0:
            raise PaymentError('invalid expected price sent with payment err="pixels per unit is 0"')
        price = Fraction(payment.expected_price.pricePerUnit, payment.expected_price.pixelsPerUnit)
        self.fixed_prices.setdefault((sender, manifest), price)
        seed = C.bytes_int(tp.seed)
        fv, wp = C.bytes_int(tp.face_value), C.bytes_int(tp.win_prob)
        rrh = C.to_hash(tp.recipient_rand_hash)
        exp_block = C.bytes_int(tp.expiration_block)
        rnd = payment.expiration_params.creation_round
        bh = C.to_hash(payment.expiration_params.creation_round_block_hash)
        rec["seed_len"] = len(tp.seed)
        receive_err = None
        for tsp in payment.ticket_sender_params:
            rec["nonces"].append(tsp.sender_nonce)
            rec["tickets"] += 1
            won = False
            try:
                rand = C.recipient_rand(self.recipient_secret, seed, sender, fv, wp, exp_block, price, rnd, bh)
                # recipient.ReceiveTicket -> validator.ValidateTicket
                if recipient != self.key.address:
                    raise PaymentError("invalid ticket recipient", fatal=True)
                if sender == b"\x00" * 20:
                    raise PaymentError("invalid ticket sender", fatal=True)
                if C.keccak(C.pad32(C.int_bytes(rand))) != rrh:
                    raise PaymentError("invalid recipientRand for ticket recipientRandHash", fatal=True)
                h = C.ticket_hash(recipient, sender, fv, wp, tsp.sender_nonce, rrh, rnd, bh)
                if not C.verify_sig(sender, h, tsp.sig):
                    raise PaymentError("invalid ticket signature")
                won = C.is_winning(tsp.sig, rand, wp)
                seen = self.sender_nonces.setdefault(rand, set())
                if tsp.sender_nonce in seen:
                    raise PaymentError(f"invalid ticket senderNonce: already seen sender={C.checksum(sender)} nonce={tsp.sender_nonce}")
                if len(seen) >= MAX_SENDER_NONCES:
                    raise PaymentError(f"invalid ticket senderNonce: too many values sender={C.checksum(sender)} nonce={tsp.sender_nonce}")
                seen.add(tsp.sender_nonce)
                if exp_block <= self.args.l1_block:
                    raise PaymentError("TicketParams expired")
            except PaymentError as e:
                if e.fatal:
                    raise
                receive_err = receive_err or e
            if receive_err is None:
                key = (sender, manifest)
                self.balances[key] = self.balances.get(key, Fraction(0)) + C.ticket_ev(fv, wp)
                rec["credited_tickets"] += 1
            if won:
                rec["winning"] += 1
        if receive_err is not None:
            raise receive_err

    # -------------------------------------------------------------- segment credentials (segment_rpc.go verifySegCreds)
    def seg_metadata(self, sd):
        profiles = sd.fullProfiles3 or sd.fullProfiles2 or sd.fullProfiles
        names = []
        for p in profiles:
            if p.format not in (0, 1):
                raise ValueError("unrecognized profile output format")
            if p.profile not in (0, 1, 2, 3, 4):
                raise ValueError("unrecognized encoder profile")
            if p.encoder not in (0, 1, 2, 3):
                raise ValueError("unrecognized video codec")
            names.append(p.name or f"net_{p.width}x{p.height}_{p.bitrate}")
        if sd.duration < 0 or sd.duration > MAX_DURATION_MS:
            raise ValueError("invalid duration")
        return list(profiles), names

    def verify_seg_creds(self, header: str, sender: bytes):
        try:
            buf = base64.b64decode(header, validate=True)
        except (binascii.Error, ValueError):
            raise SegCredsError("ErrorSegEncoding")
        try:
            sd = self.lp.SegData.FromString(buf)
        except DecodeError as e:
            raise SegCredsError(f"proto: {e}")
        try:
            profiles, names = self.seg_metadata(sd)
        except ValueError as e:
            raise SegCredsError(str(e), sd)
        flat = C.seg_flatten(sd.manifestId, sd.seq, C.to_hash(sd.hash), names)
        sig_ok = None if self.offchain else C.verify_sig(sender, C.keccak(flat), sd.sig)
        if not self.verify_sig(sender, flat, sd.sig):
            raise SegCredsError("ErrSegSig", sd, sig_ok)
        caps = sd.capabilities if sd.HasField("capabilities") else self.lp.Capabilities()
        if not C.caps_compatible_with(caps, self.caps):
            raise SegCredsError("incompatible capabilities", sd, sig_ok)
        if not sd.HasField("auth_token"):
            raise SegCredsError("missing auth token", sd, sig_ok)
        tok = self.auth_token(sd.auth_token.session_id, sd.auth_token.expiration)
        if tok.token != sd.auth_token.token:
            raise SegCredsError("invalid auth token", sd, sig_ok)
        if time.time() > sd.auth_token.expiration:
            raise SegCredsError("expired auth token", sd, sig_ok)
        try:
            self.check_capacity(sd.auth_token.session_id)
        except ValueError as e:
            raise SegCredsError(str(e), sd, sig_ok)
        return sd, profiles, sig_ok

    # -------------------------------------------------------------- transcoding
    def transcode(self, sd, profiles, data: bytes):
        sess = sd.auth_token.session_id
        work = Path(tempfile.mkdtemp(prefix="lp-orch-"))
        try:
            src = work / "in.ts"
            src.write_bytes(data)
            cmd = ["ffmpeg", "-v", "error", "-nostdin", "-y", "-threads", "2", "-i", str(src)]
            outs = []
            for i, p in enumerate(profiles):
                o = work / f"out{i}.ts"
                outs.append(o)
                vf = (f"fps={p.fps}/{p.fpsDen or 1}," if p.fps else "") + f"scale={p.width}:{p.height}"
                cmd += ["-map", "0:v:0", "-map", "0:a?", "-c:v", "libx264", "-preset", "ultrafast", "-b:v",
                        str(p.bitrate), "-vf", vf, "-c:a", "aac", "-f", "mpegts", str(o)]
            subprocess.run(cmd, check=True, capture_output=True)
            segs, hashes = [], []
            for p, o in zip(profiles, outs):
                body = o.read_bytes()
                if len(body) < 25:
                    raise RuntimeError("ZeroSegments")
                pixels = C.ffprobe_pixels(str(o))[0]
                name = f"{p.name}/{sd.seq}.ts"
                dest = self.store / sess / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(o, dest)
                segs.append(self.lp.TranscodedSegmentData(url=f"{self.service_uri}/stream/{sess}/{name}", pixels=pixels))
                hashes.append(C.keccak(body))
            return segs, self.eth_sign(C.keccak(*hashes))
        finally:
            shutil.rmtree(work, ignore_errors=True)

    # -------------------------------------------------------------- POST /segment (segment_rpc.go ServeSegment)
    def serve_segment(self, headers, read_body, version: str):
        rec = {"seq": None, "status": None, "reason": None, "sender": None, "tickets": 0, "credited_tickets": 0,
               "winning": 0, "seed_len": None, "nonces": [], "sig_ok": None, "balance_wei": None,
               "session_id": None, "http_version": version, "time": time.time()}

        def done(status, reason, body=None):
            rec["status"], rec["reason"] = status, reason
            with self.lock:
                with open(self.log_path, "a") as f:
                    f.write(json.dumps(rec) + "\n")
            if body is None:
                return status, "text/plain; charset=utf-8", (reason + "\n").encode()
            return status, "application/octet-stream", body

        try:  # segment_rpc.go getPayment: http.Error(w, err.Error(), 402)
            raw = base64.b64decode(headers.get("livepeer-payment", ""), validate=True)
        except (binascii.Error, ValueError) as e:
            return done(402, f"base64 decode error: {e}")
        try:
            payment = self.lp.Payment.FromString(raw)
        except DecodeError as e:
            return done(402, f"protobuf unmarshal error: {e}")
        sender = C.to_address(payment.sender)
        rec["sender"] = C.checksum(sender)
        with self.lock:
            try:
                sd, profiles, rec["sig_ok"] = self.verify_seg_creds(headers.get("livepeer-segment", ""), sender)
            except SegCredsError as e:
                rec["sig_ok"] = e.sig_ok
                if e.sd is not None:
                    rec["seq"], rec["session_id"] = e.sd.seq, e.sd.auth_token.session_id
                return done(403, e.msg)
            rec["seq"], sess = sd.seq, sd.auth_token.session_id
            rec["session_id"] = sess
            info = self.orchestrator_info(sender, sess)
            info.auth_token.CopyFrom(sd.auth_token)
            try:
                self.process_payment(payment, sess, rec)
            except PaymentError as e:
                rec["balance_wei"] = str(float(self.balances.get((sender, sess), Fraction(0))))
                return done(400, str(e))
            bal = self.balances.get((sender, sess))
            rec["balance_wei"] = None if bal is None else str(float(bal))
            if (not self.offchain and payment.expected_price.pricePerUnit > 0
                    and (bal is None or bal < self.ev)):
                return done(400, "Insufficient balance")
        data = read_body()
        if C.keccak(data) != C.to_hash(sd.hash):
            return done(403, "Forbidden")
        with self.lock:
            self.sessions.add(sess)
        tr = self.lp.TranscodeResult(seq=sd.seq)
        pixels = 0
        try:
            segs, sig = self.transcode(sd, profiles, data)
            tr.data.segments.extend(segs)
            tr.data.sig = sig
            pixels = sum(s.pixels for s in segs)
        except (subprocess.CalledProcessError, RuntimeError, OSError) as e:
            tr.error = str(e) if not isinstance(e, subprocess.CalledProcessError) else "TranscodeFailed"
        with self.lock:
            if not self.offchain:  # DebitFees(sender, session, expected price, pixels)
                p = payment.expected_price
                if p.pixelsPerUnit:
                    key = (sender, sess)
                    self.balances[key] = self.balances.get(key, Fraction(0)) - Fraction(p.pricePerUnit, p.pixelsPerUnit) * pixels
                    rec["balance_wei"] = str(float(self.balances[key]))
        tr.info.CopyFrom(info)
        rec["pixels"] = pixels
        return done(200, "OK" if tr.WhichOneof("result") == "data" else tr.error, tr.SerializeToString())

    def serve_stream(self, path: str):
        rel = path[len("/stream/"):]
        p = (self.store / rel).resolve()
        if not str(p).startswith(str(self.store.resolve())) or not p.is_file():
            return 404, "text/plain", b"404 page not found\n"
        return 200, "video/mp2t", p.read_bytes()


# ------------------------------------------------------------------ gRPC service
def make_servicer(orch: Orchestrator):
    lp, lp_grpc = orch.lp, orch.lp_grpc

    class Servicer(lp_grpc.OrchestratorServicer):
        def GetOrchestrator(self, req, ctx):
            addr = C.to_address(req.address)
            if not orch.verify_sig(addr, C.checksum(addr).encode(), req.sig):
                ctx.abort(grpc.StatusCode.UNKNOWN, "Invalid orchestrator request: orchestrator req sig check failed")
            try:
                orch.check_capacity("")
            except ValueError as e:
                ctx.abort(grpc.StatusCode.UNKNOWN, f"Invalid orchestrator request: {e}")
            with orch.lock:
                try:
                    return orch.orchestrator_info(addr, "")
                except ValueError as e:
                    ctx.abort(grpc.StatusCode.UNKNOWN, str(e))

        def Ping(self, req, ctx):
            return lp.PingPong(value=orch.eth_sign(C.keccak(req.value)))  # orch.Sign(msg) = Eth.Sign(keccak(msg))

        def EndTranscodingSession(self, req, ctx):
            tok = orch.auth_token(req.auth_token.session_id, req.auth_token.expiration)
            if tok.token != req.auth_token.token:
                ctx.abort(grpc.StatusCode.UNKNOWN, "Invalid auth token")
            with orch.lock:
                orch.sessions.discard(req.auth_token.session_id)
                with open(orch.log_path, "a") as f:
                    f.write(json.dumps({"end_session": req.auth_token.session_id, "time": time.time()}) + "\n")
            return lp.EndTranscodingSessionResponse()

    return Servicer()


# ------------------------------------------------------------------ HTTP/1.1 over TLS
def make_handler(orch: Orchestrator):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            C.log("http:", fmt % a)

        def _reply(self, status, ctype, body):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            if ctype.startswith("text/plain"):
                self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _read_body(self) -> bytes:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                out = b""
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return out
                    out += self.rfile.read(size)
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length", 0)))

        def do_POST(self):
            if self.path.split("?")[0] != "/segment":
                self._read_body()
                return self._reply(404, "text/plain; charset=utf-8", b"404 page not found\n")
            consumed = []

            def read_body():
                consumed.append(1)
                return self._read_body()

            hdrs = {k.lower(): v for k, v in self.headers.items()}
            status, ctype, body = orch.serve_segment(hdrs, read_body, "HTTP/1.1")
            if not consumed:
                self._read_body()
            self._reply(status, ctype, body)

        def do_GET(self):
            if self.path.startswith("/stream/"):
                return self._reply(*orch.serve_stream(self.path.split("?")[0]))
            self._reply(404, "text/plain; charset=utf-8", b"404 page not found\n")

    return Handler


class _Srv:  # what BaseHTTPRequestHandler needs of a server
    pass


def proxy(tls: ssl.SSLSocket, port: int) -> None:
    """Shuttle an h2 (gRPC) TLS connection to the in-process plaintext gRPC server."""
    plain = socket.create_connection(("127.0.0.1", port))
    try:
        while True:
            ready = [tls] if tls.pending() else select.select([tls, plain], [], [], 300)[0]
            if not ready:
                return
            for s in ready:
                data = s.recv(1 << 16)
                if not data:
                    return
                (plain if s is tls else tls).sendall(data)
    except (OSError, ssl.SSLError):
        return
    finally:
        plain.close()


def serve_conn(orch: Orchestrator, ctx: ssl.SSLContext, raw: socket.socket, addr, grpc_port: int, handler,
               servicer) -> None:
    try:
        raw.settimeout(30)
        tls = ctx.wrap_socket(raw, server_side=True)
        tls.settimeout(None)
    except (OSError, ssl.SSLError) as e:
        C.log(f"tls handshake from {addr}: {e}")
        raw.close()
        return
    try:
        if tls.selected_alpn_protocol() == "h2" and orch.args.http2:
            lp_h2server.H2Server(tls, orch, servicer).serve()
        elif tls.selected_alpn_protocol() == "h2":
            proxy(tls, grpc_port)
        else:
            handler(tls, addr, _Srv())
    except Exception as e:  # noqa: BLE001 - one connection's failure must not stop the server
        C.log(f"connection {addr}: {e!r}")
    finally:
        try:
            tls.close()
        except OSError:
            pass


def main(args) -> tuple[dict, int]:
    orch = Orchestrator(args)
    cert, key, pem = make_cert(orch.out)
    grpc_server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    servicer = make_servicer(orch)
    orch.lp_grpc.add_OrchestratorServicer_to_server(servicer, grpc_server)
    grpc_port = grpc_server.add_insecure_port("127.0.0.1:0")
    grpc_server.start()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    # ALPN is chosen in the server's order: with --http2, h2 first (as Go's server); else HTTP/1.1 whenever offered
    ctx.set_alpn_protocols(["h2", "http/1.1"] if args.http2 else ["http/1.1", "h2"])
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", args.port))
    lsock.listen(64)
    port = lsock.getsockname()[1]
    orch.service_uri = f"https://127.0.0.1:{port}"
    handler = make_handler(orch)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    def accept_loop():
        while not stop.is_set():
            try:
                raw, addr = lsock.accept()
            except OSError:
                return
            threading.Thread(target=serve_conn, args=(orch, ctx, raw, addr, grpc_port, handler, servicer), daemon=True).start()

    threading.Thread(target=accept_loop, daemon=True).start()
    info = {"grpc_port": port, "http_port": port, "address": C.checksum(orch.key.address),
            "info_address": C.checksum(orch.address), "cert": pem, "service_uri": orch.service_uri,
            "offchain": orch.offchain, "http_versions": ["HTTP/2", "HTTP/1.1"] if args.http2 else ["HTTP/1.1"], "pid": os.getpid()}
    tmp = Path(args.port_file + ".tmp")
    tmp.write_text(json.dumps(info))
    os.replace(tmp, args.port_file)
    C.log(f"orchestrator listening on {orch.service_uri} (gRPC via ALPN h2, HTTP/1.1 otherwise) as {info['address']}")
    while not stop.wait(0.5):
        pass
    lsock.close()
    grpc_server.stop(1)
    n = sum(1 for _ in open(orch.log_path)) if orch.log_path.exists() else 0
    return {"ok": True, "requests_logged": n, "address": info["address"], "port": port}, 0


def add_args(p) -> None:
    p.add_argument("--port-file", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--http2", action="store_true",
                   help="serve /segment, renditions and gRPC over HTTP/2 (ALPN h2 preferred), as go-livepeer's one port")
    p.add_argument("--price-per-pixel", type=int, default=1, help="pricePerUnit (wei)")
    p.add_argument("--pixels-per-unit", type=int, default=1)
    p.add_argument("--offchain", action="store_true")
    p.add_argument("--sign-offchain", action="store_true",
                   help="offchain, still sign results and advertise the address (go-livepeer offchain does neither)")
    p.add_argument("--ticket-ev", type=int, default=8_000_000_000)
    p.add_argument("--redeem-gas", type=int, default=1_200_000)
    p.add_argument("--gas-price", type=int, default=10_000_000, help="emulated gas price (wei)")
    p.add_argument("--tx-cost-multiplier", type=int, default=100)
    p.add_argument("--max-float", type=int, default=10**20, help="emulated sender max float (wei)")
    p.add_argument("--l1-block", type=int, default=1000, help="emulated last seen L1 block")
    p.add_argument("--round", type=int, default=100)
    p.add_argument("--round-block-hash", default=hashlib.sha256(b"emulated round block").hexdigest())
    p.add_argument("--max-sessions", type=int, default=10)
    p.add_argument("--short-seed", action="store_true", help="issue seeds < 2^248 (31-byte minimal encoding)")
    p.add_argument("--version", default="0.9.1", help="Capabilities.version (LivepeerVersion)")
    p.add_argument("--key", help="orchestrator secp256k1 key (hex); random by default")
