"""The Slack app: Bolt wiring (app, listeners), Block Kit replies, feedback, servers."""
