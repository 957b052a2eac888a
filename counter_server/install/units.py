"""The systemd units, as small templates filled in one place (`render`).

Server and print agent run as the system user with the usual hardening; the kiosk and
the display each run an X session on tty7 (xinit) as their own user: full screen, no
screen blanking, restarted when they crash. journald keeps and rotates their logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Template

HARDENING = """\
NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=read-only
PrivateTmp=true
PrivateDevices=true
ProtectKernelTunables=true
ProtectKernelModules=true
ProtectControlGroups=true
RestrictSUIDSGID=true
LockPersonality=true
UMask=0077"""

SERVER = """\
[Unit]
Description=townhall-queue counter server
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=$user
Group=$user
ExecStart=$python -m counter_server.cli serve --data-dir $data_dir --host $host --port $port --log-json$tls_flag
Restart=on-failure
RestartSec=2
TimeoutStopSec=10
ReadWritePaths=$data_dir
$hardening
SyslogIdentifier=townhall

[Install]
WantedBy=multi-user.target
"""

PRINT_AGENT = """\
[Unit]
Description=townhall-queue print agent
After=network-online.target townhall.service
Wants=network-online.target

[Service]
Type=simple
User=$user
Group=$user
EnvironmentFile=$config_dir/print-agent.env
ExecStart=$python -m counter_server.cli printer agent --server $${TOWNHALL_SERVER} --token $${TOWNHALL_TOKEN} --printer $${TOWNHALL_PRINTER} --ca $${TOWNHALL_CA} --state-dir /var/lib/townhall-print-agent
StateDirectory=townhall-print-agent
Restart=on-failure
RestartSec=3
$hardening
SyslogIdentifier=townhall-print-agent

[Install]
WantedBy=multi-user.target
"""

BACKUP = """\
[Unit]
Description=townhall-queue backup of $data_dir

[Service]
Type=oneshot
User=$user
Group=$user
ExecStart=$python -m counter_server.cli backup --data-dir $data_dir --to $backup_dir --keep $keep
ReadWritePaths=$data_dir $backup_dir
$hardening
SyslogIdentifier=townhall-backup
"""

BACKUP_TIMER = """\
[Unit]
Description=nightly townhall-queue backup

[Timer]
OnCalendar=*-*-* 02:30:00
RandomizedDelaySec=15min
Persistent=true

[Install]
WantedBy=timers.target
"""

# one X session on tty7: the kiosk or the display, as its own user, restarted on a crash
X_SESSION = """\
[Unit]
Description=townhall-queue $what (full screen X session on tty7)
After=systemd-user-sessions.service network-online.target
Wants=network-online.target
Conflicts=getty@tty7.service

[Service]
User=$user
PAMName=login
TTYPath=/dev/tty7
StandardInput=tty
StandardOutput=journal
UtmpIdentifier=tty7
UtmpMode=user
EnvironmentFile=$config_dir/$name.env
ExecStartPre=+/usr/bin/chvt 7
ExecStart=/usr/bin/xinit $config_dir/$name-session -- :0 vt7 -nolisten tcp -nocursor -s 0 -dpms
Restart=always
RestartSec=3
SyslogIdentifier=townhall-$name

[Install]
WantedBy=graphical.target
"""

# the X client: blanking and power saving off, then the kiosk or the browser
SESSION_SCRIPT = """\
#!/bin/sh
# written by `townhall install $name`; the session ends (and systemd restarts it) when this does
xset s off
xset s noblank
xset -dpms
exec $command
"""

KIOSK_COMMAND = (
    "$python -m kiosk --server \"$$TOWNHALL_SERVER\" --token \"$$TOWNHALL_TOKEN\""
    " --ca \"$${TOWNHALL_CA:-}\" --fullscreen"
)
DISPLAY_COMMAND = (
    "chromium --kiosk --autoplay-policy=no-user-gesture-required --noerrdialogs"
    " --disable-session-crashed-bubble --disable-infobars --no-first-run --incognito \"$$TOWNHALL_URL\""
)


@dataclass(frozen=True)
class Settings:
    python: str
    user: str = "townhall"
    data_dir: str = "/var/lib/townhall"
    backup_dir: str = "/var/backups/townhall"
    config_dir: str = "/etc/townhall"
    host: str = "0.0.0.0"
    port: int = 8000
    keep: int = 14
    tls: bool = False

    @property
    def server_url(self) -> str:
        """How the print agent on the server PC reaches the server (`localhost` is in every certificate)."""
        return f"{'https' if self.tls else 'http'}://localhost:{self.port}"


def render(template: str, settings: Settings, **extra: str) -> str:
    values = {**settings.__dict__, "hardening": HARDENING, "tls_flag": " --tls" if settings.tls else "", **extra}
    return Template(template).substitute({k: str(v) for k, v in values.items()})


def server_units(settings: Settings) -> dict[str, str]:
    """File name -> content for the server PC."""
    return {
        "townhall.service": render(SERVER, settings),
        "townhall-print-agent.service": render(PRINT_AGENT, settings),
        "townhall-backup.service": render(BACKUP, settings),
        "townhall-backup.timer": render(BACKUP_TIMER, settings),
    }


def x_session(name: str, what: str, settings: Settings) -> tuple[str, str]:
    """The unit and the session script of the kiosk (`name` kiosk) or the display."""
    command = render(KIOSK_COMMAND if name == "kiosk" else DISPLAY_COMMAND, settings)
    unit = render(X_SESSION, settings, name=name, what=what)
    return unit, render(SESSION_SCRIPT, settings, name=name, command=command)
