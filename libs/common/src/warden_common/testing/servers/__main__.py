"""`python -m warden_common.testing.servers <server|all> <install|start|stop|status|wait>`."""

from warden_common.testing.servers.cli import main

raise SystemExit(main())
