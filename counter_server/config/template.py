"""The office.toml that `townhall init` writes without --demo."""

CONFIG_TEMPLATE = """\
# office.toml — the one config file of a townhall-queue office (see the README).
[office]
id = "buergeramt"
name = "Bürgeramt"
timezone = "Europe/Berlin"
languages = ["de", "en", "tr", "ar", "uk", "ru"]
public_url = ""

[hours]
mon = ["08:00-16:00"]
tue = ["08:00-16:00"]
wed = ["08:00-12:00"]
thu = ["08:00-18:00"]
fri = ["08:00-12:00"]
last_walk_in_min = 30

[[services]]
id = "allgemein"
prefix = "A"
duration_min = 10
names = { de = "Allgemeine Anliegen", en = "General matters" }

[[counters]]
id = "1"
label = "Schalter 1"
skills = { allgemein = 1 }
"""
