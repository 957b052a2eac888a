from tests.conftest import LiveServer


def test_health_and_services(live_server: LiveServer) -> None:
    with live_server.client("kiosk") as kiosk:
        assert kiosk.get("/health").json()["status"] == "ok"
        services = kiosk.get("/api/v1/services").json()
    assert services["office"]["open_now"] is True
    assert {s["id"] for s in services["services"]} >= {"ausweis", "pass"}
