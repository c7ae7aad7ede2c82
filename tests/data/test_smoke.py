"""The catalogue smoke check runs over every resource and fails on a broken one."""

from __future__ import annotations

from smartseoul.data import smoke


def test_smoke_check_covers_every_resource(capsys, tmp_path):
    assert smoke.run(tmp_path) == 0
    out = capsys.readouterr().out
    from smartseoul import data

    for name in data.catalog()["name"]:
        assert name in out
    assert list(tmp_path.glob("*.png")), "no summary figure was drawn"


def test_smoke_check_fails_on_a_damaged_resource(capsys, monkeypatch, datasets_copy):
    (datasets_copy / "weather" / "weather_daily.csv").write_text("date\n", encoding="utf-8")
    monkeypatch.setenv("SMARTSEOUL_HOME", str(datasets_copy.parent))
    assert smoke.run() == 1
    out = capsys.readouterr().out
    assert "weather_daily" in out and "FAILED" in out
