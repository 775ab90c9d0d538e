"""A client that connects like go-livepeer's: TLS with InsecureSkipVerify (or a given CA), ALPN h2 + http/1.1 for
HTTP (Go's ForceAttemptHTTP2 transport), ALPN h2 only for gRPC. HTTP/2 is spoken with the `h2` package; unary gRPC
calls are framed by hand over it (5-byte length prefix, grpc-status trailers)."""
from __future__ import annotations

import http.client
import socket
import ssl
import struct
from urllib.parse import urlsplit

import h2.config
import h2.connection
import h2.events
import h2.settings


class GrpcError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(f"grpc-status {status}: {message}")
        self.status = status
        self.message = message


def tls_context(ca_cert: str | None, alpn: list[str]) -> ssl.SSLContext:
    if ca_cert:
        ctx = ssl.create_default_context(cafile=ca_cert)
    else:  # go-livepeer: tls.Config{InsecureSkipVerify: true}
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(alpn)
    return ctx


class Response:
    def __init__(self, status: int, headers: dict, body: bytes, trailers: dict, version: str):
        self.status, self.headers, self.body, self.trailers, self.version = status, headers, body, trailers, version


class Connection:
    """One TLS connection; HTTP/2 when ALPN picks h2, else HTTP/1.1. Requests are sequential."""

    def __init__(self, host: str, port: int, ca_cert: str | None, alpn: list[str], timeout: float = 60):
        self.host, self.port = host, port
        ctx = tls_context(ca_cert, alpn)
        raw = socket.create_connection((host, port), timeout=timeout)
        self.sock = ctx.wrap_socket(raw, server_hostname=host)
        self.alpn = self.sock.selected_alpn_protocol()
        self.version = "HTTP/2" if self.alpn == "h2" else "HTTP/1.1"
        if self.alpn == "h2":
            self.h2 = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
            self.h2.initiate_connection()
            self.h2.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1 << 24})
            self.h2.increment_flow_control_window(1 << 24)
            self._flush()
        else:
            self.h2 = None
            self.h1 = http.client.HTTPSConnection(host, port, timeout=timeout, context=ctx)
            self.h1.sock = self.sock

    def close(self):
        try:
            if self.h2 is not None:
                self.h2.close_connection()
                self._flush()
            self.sock.close()
        except Exception:
            pass

    def _flush(self):
        data = self.h2.data_to_send()
        if data:
            self.sock.sendall(data)

    def _pump(self, sid: int, state: dict) -> None:
        data = self.sock.recv(1 << 16)
        if not data:
            raise ConnectionError("connection closed by peer")
        for ev in self.h2.receive_data(data):
            if isinstance(ev, h2.events.ResponseReceived) and ev.stream_id == sid:
                state["headers"] = dict(ev.headers)
            elif isinstance(ev, h2.events.TrailersReceived) and ev.stream_id == sid:
                state["trailers"] = dict(ev.headers)
            elif isinstance(ev, h2.events.DataReceived):
                self.h2.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                if ev.stream_id == sid:
                    state["body"] += ev.data
            elif isinstance(ev, h2.events.StreamEnded) and ev.stream_id == sid:
                state["ended"] = True
            elif isinstance(ev, h2.events.StreamReset) and ev.stream_id == sid:
                raise ConnectionError(f"stream reset by peer (error code {ev.error_code})")
            elif isinstance(ev, h2.events.ConnectionTerminated):
                raise ConnectionError(f"GOAWAY from peer (error code {ev.error_code})")
        self._flush()

    def request(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes = b"") -> Response:
        if self.h2 is None:
            self.h1.putrequest(method, path, skip_accept_encoding=True)
            for k, v in headers:
                self.h1.putheader(k, v)
            if method == "POST":
                self.h1.putheader("Content-Length", str(len(body)))
            self.h1.endheaders(body if method == "POST" else None)
            r = self.h1.getresponse()
            data = r.read()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data, {}, "HTTP/1.1")
        sid = self.h2.get_next_available_stream_id()
        authority = f"{self.host}:{self.port}"
        hdrs = [(":method", method), (":scheme", "https"), (":path", path), (":authority", authority)] + headers
        end = method != "POST"
        self.h2.send_headers(sid, hdrs, end_stream=end)
        self._flush()
        state = {"headers": None, "trailers": {}, "body": b"", "ended": False}
        if not end:
            view, off = memoryview(body), 0
            while off < len(body):
                window = min(self.h2.local_flow_control_window(sid), self.h2.max_outbound_frame_size)
                if window <= 0:
                    self._pump(sid, state)
                    continue
                chunk = bytes(view[off:off + window])
                self.h2.send_data(sid, chunk)
                off += len(chunk)
                self._flush()
            self.h2.end_stream(sid)
            self._flush()
        while not state["ended"]:
            self._pump(sid, state)
        h = state["headers"] or {}
        return Response(int(h.get(":status", 0)), h, state["body"], state["trailers"], "HTTP/2")


def grpc_unary(conn: Connection, method: str, request, response_cls, timeout_s: int = 8):
    """A unary gRPC call over an h2 Connection: POST /net.Orchestrator/<method>, application/grpc framing."""
    if conn.h2 is None:
        raise ConnectionError(f"gRPC needs HTTP/2 but ALPN gave {conn.alpn!r}")
    payload = request.SerializeToString()
    body = b"\x00" + struct.pack(">I", len(payload)) + payload
    r = conn.request("POST", f"/net.Orchestrator/{method}", [
        ("content-type", "application/grpc"), ("te", "trailers"), ("grpc-timeout", f"{timeout_s}S"),
        ("user-agent", "golivepeer-peer-emulation/1")], body)
    if r.status != 200:
        raise GrpcError(-1, f"HTTP status {r.status}")
    status = r.trailers.get("grpc-status", r.headers.get("grpc-status"))
    message = r.trailers.get("grpc-message", r.headers.get("grpc-message", ""))
    if status is None:
        raise GrpcError(-1, "no grpc-status")
    if int(status) != 0:
        raise GrpcError(int(status), message)
    data = r.body
    if len(data) < 5:
        raise GrpcError(-1, "short gRPC message")
    (n,) = struct.unpack(">I", data[1:5])
    if data[0] != 0:
        raise GrpcError(-1, "compressed gRPC message not supported")
    return response_cls.FromString(data[5:5 + n])


def dial_grpc(hostport: str, ca_cert: str | None) -> Connection:
    host, port = split_hostport(hostport)
    return Connection(host, port, ca_cert, ["h2"])


def split_hostport(hostport: str) -> tuple[str, int]:
    host, _, port = hostport.rpartition(":")
    return host.strip("[]"), int(port)


def url_hostport(url: str) -> str:
    u = urlsplit(url)
    return f"{u.hostname}:{u.port or 443}"
