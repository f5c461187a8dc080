"""A minimal WebSocket exec client speaking v5.channel.k8s.io as kubectl 1.32 does: the upgrade, then
binary frames whose first byte is the channel, until the server's close. Standard library only."""
import base64, json, os, socket, struct, urllib.parse


class ExecError(Exception):
    pass


def _read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ExecError("connection closed mid-frame")
        data += chunk
    return data


def _frames(sock):
    """Yields (opcode, payload) of the server's (unmasked) frames."""
    while True:
        head = _read_exact(sock, 2)
        opcode, length = head[0] & 0x0F, head[1] & 0x7F
        if length == 126:
            length = struct.unpack("!H", _read_exact(sock, 2))[0]
        elif length == 127:
            length = struct.unpack("!Q", _read_exact(sock, 8))[0]
        yield opcode, _read_exact(sock, length)


def exec_command(port, namespace, pod, command, timeout=10):
    """Runs `command` in the pod; returns (stdout bytes, the Status on channel 3 as a dict)."""
    query = urllib.parse.urlencode([("command", c) for c in command] + [("stdout", "true"), ("stderr", "true")])
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /api/v1/namespaces/{namespace}/pods/{pod}/exec?{query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                raise ExecError("closed before the upgrade")
            head += chunk
        status_line = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status_line + b" ":
            raise ExecError(f"no upgrade: {status_line!r}")
        rest = head.split(b"\r\n\r\n", 1)[1]
        stdout, status = b"", None
        sock_reader = _Prefixed(sock, rest)
        for opcode, payload in _frames(sock_reader):
            if opcode == 8:
                break
            if opcode == 2 and payload:
                if payload[0] == 1:
                    stdout += payload[1:]
                elif payload[0] == 3:
                    status = json.loads(payload[1:] or b"{}")
        return stdout, status


class _Prefixed:
    """A socket whose first bytes were already read with the HTTP head."""

    def __init__(self, sock, prefix):
        self.sock, self.prefix = sock, prefix

    def recv(self, n):
        if self.prefix:
            data, self.prefix = self.prefix[:n], self.prefix[n:]
            return data
        return self.sock.recv(n)
