"""The application: config, reconcile cycle, archive store, poller, dashboard, CLI."""
