import socket

import pytest
from pytest_socket import SocketConnectBlockedError


def test_tests_cannot_reach_the_internet():
    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("93.184.215.14", 443), timeout=1)


def test_tests_can_reach_loopback_services():
    # Loopback stays open for PostgreSQL, Redis and the live server; nothing need listen here.
    with pytest.raises(OSError) as excinfo:
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    assert not isinstance(excinfo.value, SocketConnectBlockedError)
