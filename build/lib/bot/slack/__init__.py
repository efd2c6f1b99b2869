"""The Slack app: Bolt wiring (app, listeners per surface), Block Kit replies, delivery, servers."""
