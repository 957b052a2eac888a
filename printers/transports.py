"""How bytes reach a printer: network, USB, serial, a device file, or python-escpos' Dummy.

Every transport has short explicit timeouts: python-escpos' defaults (60 s on the
network, none on USB) would freeze a kiosk behind a printer that vanished. Any
failure of the device surfaces as `PrinterUnavailable`, never as a hang.

Addresses:
    tcp://HOST:9100
    usb://VVVV:PPPP[?interface=0&in_ep=0x82&out_ep=0x01]   (hex vendor and product id)
    serial:///dev/ttyUSB0[?baudrate=19200&dsrdtr=1]
    file:///dev/usb/lp0
    dummy://

Add `status=none` to the query (`usb://0416:5011?status=none`) for a printer that
cannot answer status requests: it is then printed to without asking.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import stat
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from escpos.printer import Dummy


class PrinterUnavailable(Exception):
    """The printer cannot be reached: unplugged, switched off, gone from the network, or too slow."""


class TransportAddressError(ValueError):
    """A printer address that names no known transport or has a malformed part."""


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait before giving up: connecting, sending a ticket, awaiting a status byte."""

    connect: float = 2.0
    write: float = 5.0
    read: float = 0.5


class Transport(Protocol):
    """A byte pipe to one printer; `can_read` tells whether status can be asked."""

    address: str
    can_read: bool

    def open(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def read(self, size: int, *, timeout: float) -> bytes: ...

    def drain(self) -> None: ...

    def close(self) -> None: ...


class TcpTransport:
    """A network printer's raw port (JetDirect, usually 9100); one connection, reopened on error."""

    can_read = True

    def __init__(self, host: str, port: int, *, timeouts: Timeouts) -> None:
        self.address = f"tcp://{host}:{port}"
        self.host, self.port, self.timeouts = host, port, timeouts
        self._sock: socket.socket | None = None

    def _socket(self) -> socket.socket:
        if self._sock is None:
            try:
                sock = socket.create_connection((self.host, self.port), self.timeouts.connect)
            except OSError as error:
                raise PrinterUnavailable(f"{self.address}: cannot connect: {error}") from None
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sock = sock
        return self._sock

    def open(self) -> None:
        self._socket()

    def write(self, data: bytes) -> None:
        sock = self._socket()
        try:
            sock.settimeout(self.timeouts.write)
            sock.sendall(data)
        except OSError as error:
            self.close()
            raise PrinterUnavailable(f"{self.address}: sending failed: {error}") from None

    def read(self, size: int, *, timeout: float) -> bytes:
        sock = self._socket()
        try:
            sock.settimeout(timeout)
            data = sock.recv(size)
        except TimeoutError:
            return b""
        except OSError as error:
            self.close()
            raise PrinterUnavailable(f"{self.address}: reading failed: {error}") from None
        if not data:
            self.close()
            raise PrinterUnavailable(f"{self.address}: the printer closed the connection")
        return data

    def drain(self) -> None:
        """Discard late answers to earlier questions so the next answer is the right one."""
        sock = self._socket()
        sock.setblocking(False)
        try:
            while sock.recv(256):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            self.close()
        finally:
            if self._sock is not None:
                self._sock.setblocking(True)

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None


class DeviceFileTransport:
    """A character device such as /dev/usb/lp0 (Linux usblp), written without blocking."""

    def __init__(self, path: str, *, timeouts: Timeouts) -> None:
        self.address = f"file://{path}"
        self.path, self.timeouts = path, timeouts
        self._fd: int | None = None
        self.can_read = False

    def open(self) -> None:
        self._open()

    def _open(self) -> int:
        if self._fd is None:
            flags = os.O_NONBLOCK | os.O_NOCTTY | os.O_APPEND
            try:
                fd = os.open(self.path, os.O_RDWR | flags)
                self.can_read = stat.S_ISCHR(os.fstat(fd).st_mode)
            except OSError:
                fd = self._open_write_only(flags)
            self._fd = fd
        return self._fd

    def _open_write_only(self, flags: int) -> int:
        try:
            fd = os.open(self.path, os.O_WRONLY | flags)
        except OSError as error:
            raise PrinterUnavailable(f"{self.address}: cannot open: {error}") from None
        self.can_read = False
        return fd

    def write(self, data: bytes) -> None:
        fd = self._open()
        view = memoryview(data)
        while view:
            try:
                _, ready, _ = select.select([], [fd], [], self.timeouts.write)
                if not ready:
                    raise PrinterUnavailable(f"{self.address}: printer does not take data")
                view = view[os.write(fd, view) :]
            except BlockingIOError:
                continue
            except OSError as error:
                self.close()
                raise PrinterUnavailable(f"{self.address}: writing failed: {error}") from None

    def read(self, size: int, *, timeout: float) -> bytes:
        fd = self._open()
        try:
            ready, _, _ = select.select([fd], [], [], timeout)
            return os.read(fd, size) if ready else b""
        except BlockingIOError:
            return b""
        except OSError as error:
            if error.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                return b""
            self.close()
            raise PrinterUnavailable(f"{self.address}: reading failed: {error}") from None

    def drain(self) -> None:
        while self.can_read and self.read(256, timeout=0):
            pass

    def close(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            finally:
                self._fd = None


class SerialTransport:
    """An RS-232 or USB-serial printer through pyserial, with read and write timeouts."""

    can_read = True

    def __init__(self, port: str, *, baudrate: int, dsrdtr: bool, timeouts: Timeouts) -> None:
        self.address = f"serial://{port}"
        self.port, self.baudrate, self.dsrdtr, self.timeouts = port, baudrate, dsrdtr, timeouts
        self._serial: Any = None

    def _device(self) -> Any:
        if self._serial is None:
            import serial

            try:
                self._serial = serial.Serial(
                    self.port,
                    baudrate=self.baudrate,
                    timeout=self.timeouts.read,
                    write_timeout=self.timeouts.write,
                    dsrdtr=self.dsrdtr,
                )
            except (serial.SerialException, OSError, ValueError) as error:
                raise PrinterUnavailable(f"{self.address}: cannot open: {error}") from None
        return self._serial

    def open(self) -> None:
        self._device()

    def write(self, data: bytes) -> None:
        import serial

        device = self._device()
        # At 9600 baud a raster ticket takes seconds; allow for the line speed.
        device.write_timeout = max(self.timeouts.write, 1.5 * len(data) * 10 / self.baudrate)
        try:
            device.write(data)
            device.flush()
        except (serial.SerialException, OSError) as error:
            self.close()
            raise PrinterUnavailable(f"{self.address}: writing failed: {error}") from None

    def read(self, size: int, *, timeout: float) -> bytes:
        import serial

        device = self._device()
        try:
            device.timeout = timeout
            return bytes(device.read(size))
        except (serial.SerialException, OSError) as error:
            self.close()
            raise PrinterUnavailable(f"{self.address}: reading failed: {error}") from None

    def drain(self) -> None:
        self._device().reset_input_buffer()

    def close(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            finally:
                self._serial = None


class UsbTransport:
    """A USB printer by vendor and product id, through python-escpos' Usb (pyusb, libusb)."""

    can_read = True

    def __init__(self, vendor: int, product: int, *, options: dict[str, int], timeouts: Timeouts):
        self.address = f"usb://{vendor:04x}:{product:04x}"
        self.vendor, self.product, self.options, self.timeouts = vendor, product, options, timeouts
        self._printer: Any = None

    def _usb(self) -> Any:
        if self._printer is None:
            from escpos.exceptions import DeviceNotFoundError, USBNotFoundError
            from escpos.printer import Usb

            printer = Usb(
                self.vendor,
                self.product,
                timeout=int(self.timeouts.write * 1000),
                **self.options,
            )
            try:
                printer.open()
            except (DeviceNotFoundError, USBNotFoundError, OSError) as error:
                raise PrinterUnavailable(f"{self.address}: not found: {error}") from None
            except Exception as error:  # pyusb without libusb raises NoBackendError
                raise PrinterUnavailable(f"{self.address}: USB unusable: {error}") from None
            self._printer = printer
        return self._printer

    def open(self) -> None:
        self._usb()

    def write(self, data: bytes) -> None:
        printer = self._usb()
        try:
            printer.device.write(printer.out_ep, data, int(self.timeouts.write * 1000))
        except Exception as error:  # usb.core.USBError and its timeout subclass
            self.close()
            raise PrinterUnavailable(f"{self.address}: writing failed: {error}") from None

    def read(self, size: int, *, timeout: float) -> bytes:
        import usb.core

        printer = self._usb()
        try:
            return bytes(printer.device.read(printer.in_ep, size, max(1, int(timeout * 1000))))
        except usb.core.USBTimeoutError:
            return b""
        except Exception as error:  # usb.core.USBError: the device went away
            self.close()
            raise PrinterUnavailable(f"{self.address}: reading failed: {error}") from None

    def drain(self) -> None:
        while self.read(64, timeout=0.001):
            pass

    def close(self) -> None:
        if self._printer is not None:
            try:
                self._printer.close()
            except Exception:  # closing a vanished device must not raise
                pass
            finally:
                self._printer = None


class DummyTransport:
    """python-escpos' Dummy: collects bytes in memory, answers no status."""

    can_read = False

    def __init__(self) -> None:
        self.address = "dummy://"
        self.printer = Dummy()

    @property
    def output(self) -> bytes:
        return bytes(self.printer.output)

    def open(self) -> None:
        pass

    def write(self, data: bytes) -> None:
        self.printer._raw(data)

    def read(self, size: int, *, timeout: float) -> bytes:
        return b""

    def drain(self) -> None:
        pass

    def close(self) -> None:
        pass


def _usb_options(query: dict[str, list[str]]) -> dict[str, int]:
    options: dict[str, int] = {}
    for key in ("interface", "in_ep", "out_ep"):
        if key in query:
            try:
                options[key] = int(query[key][0], 0)
            except ValueError:
                raise TransportAddressError(f"usb option {key}={query[key][0]!r}") from None
    return options


def open_transport(address: str, *, timeouts: Timeouts | None = None) -> Transport:
    """A transport for `address`; nothing is opened until the first write or read."""
    transport = _transport_for(address, timeouts or Timeouts())
    if parse_qs(urlsplit(address).query).get("status") == ["none"]:
        return WithoutStatus(transport)
    return transport


class WithoutStatus:
    """A printer that cannot answer status requests: written to, never asked."""

    can_read = False

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.address = inner.address

    def open(self) -> None:
        self.inner.open()

    def write(self, data: bytes) -> None:
        self.inner.write(data)

    def read(self, size: int, *, timeout: float) -> bytes:
        return b""

    def drain(self) -> None:
        pass

    def close(self) -> None:
        self.inner.close()


def _transport_for(address: str, timeouts: Timeouts) -> Transport:
    parts = urlsplit(address)
    query = parse_qs(parts.query)
    try:
        if parts.scheme == "tcp" and parts.hostname:
            return TcpTransport(parts.hostname, parts.port or 9100, timeouts=timeouts)
        if parts.scheme == "usb":
            vendor, product = parts.netloc.split(":")
            options = _usb_options(query)
            return UsbTransport(
                int(vendor, 16), int(product, 16), options=options, timeouts=timeouts
            )
        if parts.scheme == "serial" and parts.path:
            baudrate = int(query.get("baudrate", ["19200"])[0])
            dsrdtr = query.get("dsrdtr", ["0"])[0] == "1"
            return SerialTransport(parts.path, baudrate=baudrate, dsrdtr=dsrdtr, timeouts=timeouts)
        if parts.scheme == "file" and parts.path:
            return DeviceFileTransport(parts.path, timeouts=timeouts)
        if parts.scheme == "dummy":
            return DummyTransport()
    except ValueError:
        raise TransportAddressError(f"malformed printer address {address!r}") from None
    raise TransportAddressError(
        f"unknown printer address {address!r} (use tcp://, usb://, serial://, file:// or dummy://)"
    )
