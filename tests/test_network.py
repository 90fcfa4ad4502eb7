"""The test session itself refuses network connections (see conftest.no_network)."""

from __future__ import annotations

import socket

import pytest


def test_sockets_are_blocked():
    with pytest.raises(RuntimeError, match="network access"):
        socket.create_connection(("127.0.0.1", 9))
    with pytest.raises(RuntimeError, match="network access"):
        socket.getaddrinfo("example.invalid", 80)
