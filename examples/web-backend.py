"""The demo's web backend: Python's http.server on the listening socket sockactd passes as fd 3."""
import functools
import http.server
import socket
import socketserver
import sys

listener = socket.socket(fileno=3)   # LISTEN_FDS=1: the socket of web-backend.socket
listener.setblocking(True)
server = socketserver.TCPServer(None, functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1]),
                                bind_and_activate=False)
server.socket = listener
server.serve_forever()
