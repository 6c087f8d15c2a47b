# Runs vsmartcard's vicc (an ISO 7816 card that OpenSC does not recognise: the "citizen's bank
# card in the second reader") with TCP_QUICKACK on its vpcd socket; without it every APDU waits
# ~40 ms for a delayed ACK and OpenSC's card probing takes seconds.
import runpy
import socket
import sys

from virtualsmartcard.VirtualSmartcard import VirtualICC


class _QuickAckSocket:
    def __init__(self, sock):
        self._sock = sock

    def recv(self, n):
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        return self._sock.recv(n)

    def __getattr__(self, name):
        return getattr(self._sock, name)


_connect = VirtualICC.connectToPort
VirtualICC.connectToPort = staticmethod(lambda host, port: _QuickAckSocket(_connect(host, port)))
sys.argv[0] = "/usr/bin/vicc"
runpy.run_path("/usr/bin/vicc", run_name="__main__")
