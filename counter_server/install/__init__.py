"""`townhall install` and `townhall uninstall`: systemd units for a server, a kiosk and a display PC."""
