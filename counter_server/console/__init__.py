"""Running the office from a browser (issue 17): devices, audit, sessions, the admin console
and the supervisor view. Its page routers are apart (`router.CONSOLE_ROUTERS`) so a public
listener can leave them out."""
