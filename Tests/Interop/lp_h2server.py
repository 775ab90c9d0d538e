"""HTTP/2 side of `orchestrate --http2`: like go-livepeer's single TLS port, one h2 connection carries both gRPC
(content-type application/grpc -> the Orchestrator service, unary calls framed by hand) and the HTTP routes
(POST /segment, GET /stream/...). Requests on a connection are handled one at a time."""
from __future__ import annotations

import struct
from urllib.parse import quote

import h2.config
import h2.connection
import h2.events

import lp_core as C


class GrpcAbort(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


class _Ctx:
    def abort(self, code, message):
        raise GrpcAbort(code, message)


class H2Server:
    def __init__(self, tls, orch, servicer):
        self.tls, self.orch, self.servicer = tls, orch, servicer
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
        self.streams: dict[int, dict] = {}
        self.ready: list[int] = []
        self.closed = False

    def _flush(self):
        data = self.conn.data_to_send()
        if data:
            self.tls.sendall(data)

    def _read(self):
        data = self.tls.recv(1 << 16)
        if not data:
            self.closed = True
            return
        for ev in self.conn.receive_data(data):
            if isinstance(ev, h2.events.RequestReceived):
                self.streams[ev.stream_id] = {"headers": dict(ev.headers), "body": bytearray()}
                if ev.stream_ended is not None:
                    self.ready.append(ev.stream_id)
            elif isinstance(ev, h2.events.DataReceived):
                self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                if ev.stream_id in self.streams:
                    self.streams[ev.stream_id]["body"] += ev.data
            elif isinstance(ev, h2.events.StreamEnded):
                if ev.stream_id in self.streams and ev.stream_id not in self.ready:
                    self.ready.append(ev.stream_id)
            elif isinstance(ev, h2.events.StreamReset):
                self.streams.pop(ev.stream_id, None)
            elif isinstance(ev, h2.events.ConnectionTerminated):
                self.closed = True
        self._flush()

    def _send_body(self, sid: int, body: bytes, end: bool):
        off = 0
        while off < len(body):
            window = min(self.conn.local_flow_control_window(sid), self.conn.max_outbound_frame_size)
            if window <= 0:
                self._read()
                if self.closed:
                    return
                continue
            self.conn.send_data(sid, body[off:off + window])
            off += window
            self._flush()
        if end:
            self.conn.end_stream(sid)
            self._flush()

    def respond(self, sid: int, status: int, ctype: str, body: bytes):
        self.conn.send_headers(sid, [(":status", str(status)), ("content-type", ctype),
                                     ("content-length", str(len(body)))], end_stream=not body)
        self._flush()
        if body:
            self._send_body(sid, body, True)

    def grpc(self, sid: int, path: str, body: bytes):
        lp = self.orch.lp
        methods = {"/net.Orchestrator/GetOrchestrator": (lp.OrchestratorRequest, self.servicer.GetOrchestrator),
                   "/net.Orchestrator/Ping": (lp.PingPong, self.servicer.Ping),
                   "/net.Orchestrator/EndTranscodingSession": (lp.EndTranscodingSessionRequest,
                                                               self.servicer.EndTranscodingSession)}
        try:
            if path not in methods:
                raise GrpcAbort(12, f"unknown method {path}")
            if len(body) < 5 or body[0] != 0:
                raise GrpcAbort(13, "bad gRPC framing")
            (n,) = struct.unpack(">I", body[1:5])
            req_cls, fn = methods[path]
            msg = fn(req_cls.FromString(bytes(body[5:5 + n])), _Ctx()).SerializeToString()
        except GrpcAbort as e:
            code = e.code.value[0] if hasattr(e.code, "value") else int(e.code)
            self.conn.send_headers(sid, [(":status", "200"), ("content-type", "application/grpc"),
                                         ("grpc-status", str(code)), ("grpc-message", quote(e.message))], end_stream=True)
            self._flush()
            return
        self.conn.send_headers(sid, [(":status", "200"), ("content-type", "application/grpc")])
        self._send_body(sid, b"\x00" + struct.pack(">I", len(msg)) + msg, False)
        self.conn.send_headers(sid, [("grpc-status", "0"), ("grpc-message", "")], end_stream=True)
        self._flush()

    def handle(self, sid: int):
        st = self.streams.pop(sid)
        h, body = st["headers"], bytes(st["body"])
        method, path = h.get(":method"), h.get(":path", "").split("?")[0]
        if h.get("content-type", "").startswith("application/grpc"):
            return self.grpc(sid, path, body)
        if method == "POST" and path == "/segment":
            status, ctype, out = self.orch.serve_segment(h, lambda: body, "HTTP/2")
            return self.respond(sid, status, ctype, out)
        if method == "GET" and path.startswith("/stream/"):
            return self.respond(sid, *self.orch.serve_stream(path))
        self.respond(sid, 404, "text/plain; charset=utf-8", b"404 page not found\n")

    def serve(self):
        self.conn.initiate_connection()
        self._flush()
        while not self.closed:
            while self.ready and not self.closed:
                self.handle(self.ready.pop(0))
            if not self.closed:
                self._read()
        C.log("h2 connection closed")
