"""The deployment files: the manifest covers what the code uses; compose and Docker fit together."""

from __future__ import annotations

import re
import shutil
import subprocess

import yaml
from slackfakes import REPO

SOURCE = "\n".join(p.read_text() for p in sorted((REPO / "bot" / "slack").glob("*.py")))

# Web API methods the bot may call, and the bot scope each needs (None: no scope needed).
METHOD_SCOPES = {
    "auth_test": None,
    "apps_connections_open": None,  # uses the app-level token (connections:write)
    "chat_postMessage": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write",
    "views_publish": None,  # App Home: needs no scope, only the home tab turned on
}
EVENT_SCOPES = {"app_mention": ("app_mention", "app_mentions:read"),
                "message": ("message.im", "im:history"),
                "app_home_opened": ("app_home_opened", None)}


def _manifest() -> dict:
    return yaml.safe_load((REPO / "slack-manifest.yaml").read_text())


def test_manifest_lists_every_scope_event_and_command_the_code_uses():
    manifest = _manifest()
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    bot_events = set(manifest["settings"]["event_subscriptions"]["bot_events"])

    # `client.x(` where client is the WebClient (not `handler.client`, the websocket client).
    called = set(re.findall(r"(?<![\w.])client\.(\w+)\(", SOURCE))
    unknown = called - METHOD_SCOPES.keys()
    assert not unknown, f"add the scopes of {unknown} to METHOD_SCOPES and the manifest"
    needed = {METHOD_SCOPES[m] for m in called} - {None}
    assert "chat:write" in needed

    for event in re.findall(r"app\.event\(\"(\w+)\"", SOURCE):
        subscription, scope = EVENT_SCOPES[event]
        needed.add(scope)
        assert subscription in bot_events
    commands = re.findall(r"^COMMAND = \"(/\w+)\"", SOURCE, re.MULTILINE)
    assert commands == ["/owner"]
    if commands:
        needed.add("commands")
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == commands

    needed.discard(None)
    if "app_home_opened" in bot_events:
        assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert needed <= scopes, f"missing scopes: {needed - scopes}"
    assert scopes <= needed, f"scopes the code does not use: {scopes - needed}"


def test_manifest_turns_on_socket_mode_interactivity_and_dms():
    manifest = _manifest()
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False
    assert manifest["features"]["bot_user"]["display_name"]


def test_compose_runs_socket_mode_with_knowledge_tokens_volume_and_health_check(tmp_path):
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    service = compose["services"]["owner-bot"]
    assert service["command"] == ["run"]  # Socket Mode: no --http
    assert service["env_file"] == ".env" or ".env" in service["env_file"]
    env = service["environment"]
    volumes = service["volumes"]
    knowledge = next(v for v in volumes if v.startswith("./knowledge:"))
    assert knowledge == f"./knowledge:{env['OWNER_BOT_KNOWLEDGE']}:ro"
    data = next(v for v in volumes if v.split(":")[1] == env["OWNER_BOT_DATA_DIR"])
    assert data.split(":")[0] in compose["volumes"]  # a named volume survives rebuilds
    test = service["healthcheck"]["test"]
    assert test[0] == "CMD" and f":{env['OWNER_BOT_HEALTH_PORT']}/healthz" in " ".join(test)
    assert service["build"]["context"] == "."
    # Docker must wait out the drain before SIGKILL, with room for the request in hand.
    grace = float(env["OWNER_BOT_GRACE_SECONDS"])
    assert service["stop_grace_period"].endswith("s")
    assert float(service["stop_grace_period"][:-1]) >= grace + 5
    _docker_compose_config(tmp_path)


def test_env_example_names_every_variable_compose_needs_and_no_real_secret():
    text = (REPO / ".env.example").read_text()
    values = dict(re.findall(r"^([A-Z_]+)=(.*)$", text, re.MULTILINE))
    assert {"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"} <= values.keys()
    assert values["SLACK_BOT_TOKEN"].startswith("xoxb-your")
    assert values["SLACK_APP_TOKEN"].startswith("xapp-your")
    assert ".env" in (REPO / ".gitignore").read_text().split()


def test_dockerfile_runs_the_bot_without_torch_by_default():
    text = (REPO / "Dockerfile").read_text()
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    assert 'ARG WITH_ST=0' in text and "pip install '.[postgres]'" in text
    assert 'CMD ["run"]' in text and "HEALTHCHECK" in text
    assert "OWNER_BOT_HEALTH_PORT=8080" in text


def _docker_compose_config(tmp_path) -> None:
    """`docker compose config` only parses (no engine needed) where the compose plugin exists."""
    docker = shutil.which("docker")
    if not docker or subprocess.run([docker, "compose", "version"], capture_output=True,
                                    timeout=30).returncode != 0:
        return  # no compose plugin on this machine: the structure checks stand alone
    env = tmp_path / ".env"
    env.write_text((REPO / ".env.example").read_text())
    result = subprocess.run(
        [docker, "compose", "-f", str(REPO / "docker-compose.yml"), "--env-file", str(env),
         "--project-directory", str(REPO), "config", "--quiet"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_the_ha_profile_runs_two_replicas_on_one_postgres_with_health_checks():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    assert "profiles" not in services["owner-bot"]  # `docker compose up` stays one replica
    assert services["owner-bot-2"]["profiles"] == ["ha"] == services["postgres"]["profiles"]
    urls = {name: services[name]["environment"]["OWNER_BOT_DATABASE_URL"]
            for name in ("owner-bot", "owner-bot-2")}
    assert all("${OWNER_BOT_DATABASE_URL" in url for url in urls.values())
    assert "unset://" in urls["owner-bot-2"]  # never falls back to a SQLite of its own
    for name in ("owner-bot", "owner-bot-2", "postgres"):
        assert services[name]["healthcheck"]["test"], name
    assert services["owner-bot-2"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["owner-bot"]["depends_on"]["postgres"]["required"] is False
    data = {v.split(":")[0] for n in ("owner-bot", "owner-bot-2", "postgres")
            for v in services[n]["volumes"] if not v.startswith("./")}
    assert data == {"owner-bot-data", "owner-bot-2-data", "owner-bot-pg"}
    assert data <= compose["volumes"].keys()  # named volumes survive rebuilds
    grace = {services[n]["stop_grace_period"] for n in ("owner-bot", "owner-bot-2")}
    assert grace == {"25s"}
