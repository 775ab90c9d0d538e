"""go-livepeer's encodings and rules, re-implemented in Python from the facts of go-livepeer 176aa415c.

Nothing here is copied Go code; each function names the go-livepeer file whose behaviour it reproduces.
"""
from __future__ import annotations

import atexit
import hashlib
import shutil
import hmac
import os
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import coincurve
from eth_hash.auto import keccak as _keccak
from eth_utils import to_checksum_address

HERE = Path(__file__).resolve().parent
PROTO_DIR = HERE / "golivepeer"

MAX_WIN_PROB = (1 << 256) - 1  # pm/recipient.go maxWinProb
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
SECP256K1_HALF_N = SECP256K1_N // 2


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- protobuf stubs (generated at run time)
_PB = None


def pb():
    """Compiles golivepeer/lp_rpc.proto with grpc_tools.protoc into a temp dir once; returns (lp_rpc_pb2, lp_rpc_pb2_grpc)."""
    global _PB
    if _PB is None:
        out = tempfile.mkdtemp(prefix="golivepeer-pb-")
        atexit.register(shutil.rmtree, out, True)
        cmd = [sys.executable, "-m", "grpc_tools.protoc", f"-I{PROTO_DIR}", f"--python_out={out}",
               f"--grpc_python_out={out}", "lp_rpc.proto"]
        subprocess.run(cmd, check=True)
        sys.path.insert(0, out)
        import lp_rpc_pb2  # noqa: E402
        import lp_rpc_pb2_grpc  # noqa: E402
        _PB = (lp_rpc_pb2, lp_rpc_pb2_grpc)
    return _PB


# ---------------------------------------------------------------- integers as go's big.Int writes them
def keccak(*parts: bytes) -> bytes:
    return _keccak(b"".join(parts))


def int_bytes(n: int) -> bytes:
    """big.Int.Bytes(): minimal big-endian, zero -> empty."""
    if n < 0:
        raise ValueError("negative")
    return n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""


def bytes_int(b: bytes) -> int:
    """new(big.Int).SetBytes(b)."""
    return int.from_bytes(b or b"", "big")


def pad32(b: bytes) -> bytes:
    """ethcommon.LeftPadBytes(b, 32) (longer input is returned unchanged, as Go does)."""
    return b if len(b) >= 32 else b"\x00" * (32 - len(b)) + b


def to_address(b: bytes) -> bytes:
    """ethcommon.BytesToAddress: keep the last 20 bytes, left-pad shorter input."""
    b = b or b""
    return b[-20:] if len(b) > 20 else b"\x00" * (20 - len(b)) + b


def to_hash(b: bytes) -> bytes:
    """ethcommon.BytesToHash: keep the last 32 bytes, left-pad shorter input."""
    b = b or b""
    return b[-32:] if len(b) > 32 else b"\x00" * (32 - len(b)) + b


def checksum(addr: bytes) -> str:
    """ethcommon.Address.Hex(): EIP-55 mixed case."""
    return to_checksum_address("0x" + addr.hex())


# ---------------------------------------------------------------- signatures (eth/accountmanager.go, crypto/verify.go)
def text_hash(msg: bytes) -> bytes:
    """accounts.TextHash: keccak256("\\x19Ethereum Signed Message:\\n" + len(msg) + msg)."""
    return keccak(b"\x19Ethereum Signed Message:\n" + str(len(msg)).encode() + msg)


class Key:
    def __init__(self, secret: bytes | None = None):
        self.priv = coincurve.PrivateKey(secret or os.urandom(32))
        pub = self.priv.public_key.format(compressed=False)[1:]
        self.address = keccak(pub)[12:]

    @property
    def hex_address(self) -> str:
        return checksum(self.address)

    def sign(self, msg: bytes) -> bytes:
        """accountManager.Sign(msg): secp256k1 over TextHash(msg), R||S||V with V in {27,28} (low S)."""
        sig = self.priv.sign_recoverable(text_hash(msg), hasher=None)
        return sig[:64] + bytes([sig[64] + 27])


def ecrecover(msg: bytes, sig: bytes) -> bytes:
    """crypto/verify.go ecrecover: 65 bytes, S <= n/2, V in {27,28}, over TextHash(msg)."""
    if len(sig) != 65:
        raise ValueError("invalid signature length")
    if int.from_bytes(sig[32:64], "big") > SECP256K1_HALF_N:
        raise ValueError("signature s value too high")
    if sig[64] not in (27, 28):
        raise ValueError("signature v value must be 27 or 28")
    pub = coincurve.PublicKey.from_signature_and_message(sig[:64] + bytes([sig[64] - 27]), text_hash(msg), hasher=None)
    return keccak(pub.format(compressed=False)[1:])[12:]


def verify_sig(addr: bytes, msg: bytes, sig: bytes) -> bool:
    """crypto/verify.go VerifySig."""
    try:
        return ecrecover(msg, sig) == addr
    except Exception:
        return False


# ---------------------------------------------------------------- tickets (pm/ticket.go)
def aux_data(creation_round: int, block_hash: bytes) -> bytes:
    if creation_round == 0 and block_hash == b"\x00" * 32:
        return b""
    return pad32(int_bytes(creation_round)) + block_hash


def ticket_hash(recipient: bytes, sender: bytes, face_value: int, win_prob: int, sender_nonce: int,
                recipient_rand_hash: bytes, creation_round: int = 0, block_hash: bytes = b"\x00" * 32) -> bytes:
    return keccak(recipient, sender, pad32(int_bytes(face_value)), pad32(int_bytes(win_prob)),
                  pad32(int_bytes(sender_nonce)), recipient_rand_hash, aux_data(creation_round, block_hash))


def ticket_ev(face_value: int, win_prob: int) -> Fraction:
    return Fraction(face_value) * Fraction(win_prob, MAX_WIN_PROB)


def is_winning(sig: bytes, recipient_rand: int, win_prob: int) -> bool:
    """pm/validator.go IsWinningTicket."""
    return bytes_int(keccak(sig, pad32(int_bytes(recipient_rand)))) < win_prob


# ---------------------------------------------------------------- recipient rules (pm/recipient.go)
def recipient_rand(secret: bytes, seed: int, sender: bytes, face_value: int, win_prob: int, expiration_block: int,
                   price: Fraction, creation_round: int, block_hash: bytes) -> int:
    """HMAC-SHA256(secret, seed|sender|faceValue|winProb|expirationBlock|price.Num|price.Denom|auxData), minimal ints.

    price is a big.Rat: always in lowest terms, denominator > 0 (so 0 -> 0/1)."""
    msg = (int_bytes(seed) + sender + int_bytes(face_value) + int_bytes(win_prob) + int_bytes(expiration_block)
           + int_bytes(price.numerator) + int_bytes(price.denominator) + aux_data(creation_round, block_hash))
    return bytes_int(hmac.new(secret, msg, hashlib.sha256).digest())


def face_value(ev: int, redeem_gas: int, gas_price: int, tx_cost_multiplier: int, max_float: int,
               max_face_value: int = 0) -> int:
    """recipient.faceValue; raises on errInsufficientSenderReserve."""
    tx_cost = redeem_gas * gas_price
    fv = tx_cost * tx_cost_multiplier
    if fv < ev:
        fv = ev * 100  # evMultiplier
    if fv > max_float:
        fv = max_float
    if max_face_value > 0 and max_face_value < fv:
        fv = max_face_value
    if fv < ev:
        raise ValueError("insufficient sender reserve")
    avg_gas_price = 3 * 10**9
    if fv < tx_cost and fv < redeem_gas * avg_gas_price:
        raise ValueError("insufficient sender reserve")
    return fv


def win_prob(ev: int, fv: int) -> int:
    """recipient.winProb."""
    if fv == 0:
        return 0
    if fv == ev:
        return MAX_WIN_PROB
    x, m = divmod(MAX_WIN_PROB, fv)
    return ev * (x + 1) if m else ev * x


# ---------------------------------------------------------------- segments (core/streamdata.go, common/util.go)
# lpms ffmpeg profiles: name -> (width, height, bitrate "k", fps)
PROFILES = {
    "P720p60fps16x9": (1280, 720, "6000k", 60),
    "P720p30fps16x9": (1280, 720, "4000k", 30),
    "P720p25fps16x9": (1280, 720, "3500k", 25),
    "P720p30fps4x3": (960, 720, "3500k", 30),
    "P576p30fps16x9": (1024, 576, "1500k", 30),
    "P576p25fps16x9": (1024, 576, "1500k", 25),
    "P360p30fps16x9": (640, 360, "1200k", 30),
    "P360p25fps16x9": (640, 360, "1000k", 25),
    "P360p30fps4x3": (480, 360, "1000k", 30),
    "P240p30fps16x9": (426, 240, "600k", 30),
    "P240p25fps16x9": (426, 240, "600k", 25),
    "P240p30fps4x3": (320, 240, "600k", 30),
    "P144p30fps16x9": (256, 144, "400k", 30),
    "P144p25fps16x9": (256, 144, "400k", 25),
}


def profiles_to_hex(names: list[str]) -> str:
    """common.ProfilesToHex: hex of keccak256(name)[0:4] per profile."""
    return b"".join(keccak(n.encode())[:4] for n in names).hex()


def seg_flatten(manifest_id: bytes, seq: int, data_hash: bytes, profile_names: list[str]) -> bytes:
    """SegTranscodingMetadata.Flatten: manifestID | leftpad32(seq) | hash | ProfilesToHex (ASCII)."""
    if seq < 0:
        raise ValueError("negative seq: big.Int.Bytes() drops the sign")
    return manifest_id + pad32(int_bytes(seq)) + to_hash(data_hash) + profiles_to_hex(profile_names).encode()


def net_profile(name: str):
    """common.FFmpegProfiletoNetProfile for a stock lpms profile (FormatNone -> MPEGTS, ProfileNone, GOP 0, 420)."""
    lp, _ = pb()
    w, h, br, fps = PROFILES[name]
    return lp.VideoProfile(name=name, width=w, height=h, bitrate=int(br.replace("k", "000", 1)), fps=fps)


# ---------------------------------------------------------------- capabilities (core/capabilities.go)
CAP_H264, CAP_MPEGTS, CAP_MP4, CAP_AUTH_TOKEN = 0, 1, 2, 12
DEFAULT_CAPS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 26]
OPTIONAL_CAPS = [15, 16, 17, 18, 21, 22, 23, 24, 25, 27, 28, 29, 30, 31, 32, 34, 36]
LEGACY_CAPS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
# starter.go, local software transcoder: Default + Optional minus HEVC dec/enc, VP8 enc, VP9 dec/enc
SOFTWARE_REMOVED = [15, 16, 19, 18, 20]
SOFTWARE_O_CAPS = DEFAULT_CAPS + [c for c in OPTIONAL_CAPS if c not in SOFTWARE_REMOVED]


def cap_string(caps) -> list[int]:
    """NewCapabilityString: one bit per capability, 64 per word; negatives (Unused/Invalid) skipped."""
    words: list[int] = []
    for c in caps:
        if c <= -1:
            continue
        while len(words) <= c // 64:
            words.append(0)
        words[c // 64] |= 1 << (c % 64)
    return words


def cap_compatible(c1, c2) -> bool:
    """CapabilityString.CompatibleWith: (c1 AND c2) == c1, and len(c1) <= len(c2)."""
    c1, c2 = list(c1), list(c2)
    if len(c1) > len(c2):
        return False
    return all((a & b) == a for a, b in zip(c1, c2))


def legacy_only(bitstring) -> bool:
    return cap_compatible(bitstring, cap_string(LEGACY_CAPS))


def _semver(v: str):
    import re
    m = re.fullmatch(r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?", v)
    if not m:
        return None
    return tuple(int(x or 0) for x in m.groups())


def version_compatible(min_version: str, version: str) -> bool:
    """isVersionCompatible (Masterminds semver, prerelease ignored)."""
    if min_version == "":
        return True
    if version in ("", "undefined"):
        return False
    mv = _semver(min_version)
    if mv is None:
        return True
    v = _semver(version)
    if v is None:
        return False
    return not v < mv


def caps_compatible_with(bcast, orch) -> bool:
    """Capabilities.CompatibleWith(orch *net.Capabilities); bcast is a net.Capabilities (or None -> false).

    Per-capability model constraints are not modelled (transcoding jobs carry none)."""
    if bcast is None:
        return False
    if orch is not None and not version_compatible(bcast.constraints.minVersion, orch.version):
        return False
    orch_bits = list(orch.bitstring) if orch is not None else []
    orch_mand = list(orch.mandatories) if orch is not None else []
    if not cap_compatible(orch_mand, list(bcast.bitstring)):
        return False
    return cap_compatible(list(bcast.bitstring), orch_bits)


def job_net_caps():
    """JobCapabilities(params{Codec: H264, yuv420p, profiles all MPEGTS/H264/ProfileNone/GOP 0, local OS}, nil)
    .ToNetCapabilities(): bitstring {H264, MPEGTS, AuthToken}, empty version/mandatories/capacities, empty constraints."""
    lp, _ = pb()
    caps = lp.Capabilities(bitstring=cap_string([CAP_AUTH_TOKEN, CAP_H264, CAP_MPEGTS, CAP_H264]))
    caps.constraints.SetInParent()
    return caps


def orch_net_caps(version: str, caps=None):
    """NewCapabilities(caps, nil) with version; capacities 1 each; empty constraints (ToNetCapabilities)."""
    lp, _ = pb()
    caps = SOFTWARE_O_CAPS if caps is None else caps
    net = lp.Capabilities(bitstring=cap_string(caps), version=version)
    for c in caps:
        net.capacities[c] = 1
    net.constraints.SetInParent()
    return net


# ---------------------------------------------------------------- media helpers
def ffprobe_pixels(path: str) -> tuple[int, int, int, int]:
    """(pixels, frames, width, height) from a decode of every frame (ffprobe -count_frames)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
                          "stream=nb_read_frames,width,height", "-of", "csv=p=0", path],
                         check=True, capture_output=True, text=True).stdout.strip().splitlines()[0]
    w, h, frames = (int(x) for x in out.split(",")[:3])
    return frames * w * h, frames, w, h


def ffprobe_duration(path: str) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
                         check=True, capture_output=True, text=True).stdout.strip()
    return float(out)
