"""Serial LED call boards: a framed protocol behind an adapter, a pyserial driver, a simulator."""

from .driver import CallBoard, CallBoardError, CallBoardOffline, SerialCallBoard, open_call_board
from .protocol import CallBoardProtocol, Command, Frame, FrameError, StxEtxProtocol, checksum
from .simulator import SimulatedCallBoard, simulated_call_board, simulated_call_boards

__all__ = [
    "CallBoard",
    "CallBoardError",
    "CallBoardOffline",
    "CallBoardProtocol",
    "Command",
    "Frame",
    "FrameError",
    "SerialCallBoard",
    "SimulatedCallBoard",
    "StxEtxProtocol",
    "checksum",
    "open_call_board",
    "simulated_call_board",
    "simulated_call_boards",
]
