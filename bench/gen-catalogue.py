#!/usr/bin/env python3
"""Writes a catalogue of N generated services (default 1,000) in Pacta's YAML format, for
bench/import-1000.sh.

The profile, calendars, service levels and categories are those of demo/catalogue.yaml (copied
verbatim, up to its `services:` key); the services are generated, deterministically, in the shape
of the demo's: four languages, a service manager, a fiche, 2-3 packs with prices and a standard
level, and 2-4 options (critical coverage, central helpdesk as first line, extended support on the
demo's `extended-hours` calendar, and a priced extra). See docs/catalogue-format.md.

    python3 bench/gen-catalogue.py [N] > catalogue.yaml
"""

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo" / "catalogue.yaml"

CATEGORIES = ["workplace", "collaboration", "hosting", "data", "identity-security", "network", "advice"]
LEVELS = ["critical", "standard", "basic"]
THEMES = [
    # (nl, fr, de, en)
    ("Werkplekbeheer", "Gestion du poste de travail", "Arbeitsplatzverwaltung", "Workplace management"),
    ("Bestandsdeling", "Partage de fichiers", "Dateifreigabe", "File sharing"),
    ("Webhosting", "Hébergement web", "Webhosting", "Web hosting"),
    ("Databankbeheer", "Gestion de bases de données", "Datenbankverwaltung", "Database management"),
    ("Toegangsbeheer", "Gestion des accès", "Zugriffsverwaltung", "Access management"),
    ("Netwerkverbinding", "Connexion réseau", "Netzwerkanbindung", "Network connection"),
    ("Projectbegeleiding", "Accompagnement de projet", "Projektbegleitung", "Project support"),
    ("Videovergaderen", "Vidéoconférence", "Videokonferenz", "Video conferencing"),
    ("Archivering", "Archivage", "Archivierung", "Archiving"),
    ("Monitoring", "Monitoring", "Überwachung", "Monitoring"),
]
PACKS = [
    ("small", ("Klein", "Petit", "Klein", "Small"), 10, 20_000, 4_500),
    ("medium", ("Middel", "Moyen", "Mittel", "Medium"), 100, 60_000, 32_000),
    ("large", ("Groot", "Grand", "Groß", "Large"), 1000, 150_000, 240_000),
]
FIRST = ["Anna", "Bram", "Chloé", "David", "Elke", "Farid", "Greet", "Hugo", "Inès", "Jan"]
LAST = ["Peeters", "Dubois", "Janssens", "Lambert", "Maes", "Dupont", "Claes", "Martin", "Wouters", "Simon"]


def text(indent, nl, fr, de, en):
    pad = " " * indent
    return "".join(f"{pad}{lang}: {value}\n" for lang, value in (("nl", nl), ("fr", fr), ("de", de), ("en", en)))


def block(indent, nl, fr, de, en):
    pad = " " * indent
    out = []
    for lang, lines in (("nl", nl), ("fr", fr), ("de", de), ("en", en)):
        out.append(f"{pad}{lang}: |-\n")
        out.extend(f"{pad}  {line}\n" for line in lines)
    return "".join(out)


def service(i, rng):
    code = f"GEN-{i:04d}"
    nl, fr, de, en = THEMES[i % len(THEMES)]
    category = CATEGORIES[i % len(CATEGORIES)]
    first, last = rng.choice(FIRST), rng.choice(LAST)
    packs = PACKS[: 2 + i % 2]
    out = [f"  - code: {code}\n", f"    category: {category}\n", "    status: published\n", "    name:\n"]
    out.append(text(6, f"{nl} {i}", f"{fr} {i}", f"{de} {i}", f"{en} {i}"))
    out.append("    summary:\n")
    out.append(text(
        6,
        f"Dienst {i} voor {nl.lower()}, beheerd door de FOD Kanselarij, met standaardpacks en opties.",
        f"Service {i} de {fr.lower()}, géré par le SPF Chancellerie, avec des packs standard et des options.",
        f"Dienst {i} für {de}, verwaltet vom FÖD Kanzlei, mit Standardpaketen und Optionen.",
        f"Service {i} for {en.lower()}, managed by the FPS Chancellery, with standard packs and options.",
    ))
    out.append(f"    delivery_models: {['[paas, saas]', '[saas]', '[paas]'][i % 3]}\n")
    out.append("    service_manager:\n")
    out.append(f"      name: {first} {last}\n")
    out.append(f"      email: {first.lower().replace('é', 'e').replace('è', 'e')}.{last.lower()}@premier.fed.be\n")
    out.append(f"      phone: 02 501 {i // 100 % 100:02d} {i % 100:02d}\n")
    out.append("    levels: [critical, standard, basic]\n")
    out.append("    fiche:\n      characteristics:\n")
    out.append(block(
        8,
        [f"- {nl} voor tot {packs[-1][2]} gebruikers", "- Dagelijkse back-ups en 24/7-monitoring", "- Ondersteuning door de centrale helpdesk"],
        [f"- {fr} pour jusqu'à {packs[-1][2]} utilisateurs", "- Sauvegardes quotidiennes et monitoring 24/7", "- Support par le helpdesk central"],
        [f"- {de} für bis zu {packs[-1][2]} Benutzer", "- Tägliche Sicherungen und 24/7-Überwachung", "- Unterstützung durch den zentralen Helpdesk"],
        [f"- {en} for up to {packs[-1][2]} users", "- Daily back-ups and 24/7 monitoring", "- Support by the central helpdesk"],
    ))
    out.append("      sla_notes:\n")
    out.append(block(
        8,
        ["- **Kritieke dekking** brengt de dienst naar het niveau *Kritiek*."],
        ["- **Couverture critique** fait passer le service au niveau *Critique*."],
        ["- **Kritische Abdeckung** hebt den Dienst auf das Servicelevel *Kritisch*."],
        ["- **Critical coverage** raises the service to the *Critical* level."],
    ))
    out.append("    edition: 2026-11-28\n    packs:\n")
    for n, (pcode, names, users, setup, monthly) in enumerate(packs):
        out.append(f"      - code: {pcode}\n        name:\n")
        out.append(text(10, *names))
        out.append("        description:\n")
        out.append(text(
            10,
            f"Tot {users} gebruikers.", f"Jusqu'à {users} utilisateurs.", f"Bis zu {users} Benutzer.", f"Up to {users} users.",
        ))
        out.append(f"        included:\n          users: {users}\n          storage_gb: {users * 10}\n")
        out.append("        prices:\n")
        out.append(f"          - {{ amount_cents: {setup + i}, period: one_off, per: pack }}\n")
        out.append(f"          - {{ amount_cents: {monthly + i}, period: month, per: pack }}\n")
        out.append(f"        standard_level: {LEVELS[2 - min(n, 1)]}\n")
    out.append("    options:\n")
    options = [
        (
            "critical-coverage",
            ("Kritieke dekking", "Couverture critique", "Kritische Abdeckung", "Critical coverage"),
            "          - { amount_cents: 30000, period: month, per: pack }\n",
            f"        applies_to: [{', '.join(p[0] for p in packs[1:])}]\n        sla:\n          raise_level: critical\n",
        ),
        (
            "central-first-line",
            ("Centrale helpdesk als eerste lijn", "Helpdesk central en première ligne",
             "Zentraler Helpdesk als erste Ebene", "Central helpdesk as first line"),
            "          - amount_cents: 150\n            period: month\n            per: unit\n"
            "            unit: { nl: gebruiker, fr: utilisateur, de: Benutzer, en: user }\n",
            "        sla:\n          rights: [central-first-line]\n",
        ),
        (
            "extended-support",
            ("Uitgebreide ondersteuning", "Support étendu", "Erweiterter Support", "Extended support"),
            "          - { amount_cents: 18000, period: month, per: pack }\n",
            "        sla:\n          targets:\n"
            "            P3: { response: 1h, resolution: 12h, calendar: extended-hours }\n"
            "            P4: { response: 2h, resolution: 24h, calendar: extended-hours }\n",
        ),
        (
            "extra-storage",
            ("Extra opslag", "Stockage supplémentaire", "Zusätzlicher Speicher", "Extra storage"),
            "          - amount_cents: 25\n            period: month\n            per: unit\n"
            "            unit: { nl: GB, fr: Go, de: GB, en: GB }\n",
            "",
        ),
    ]
    for ocode, names, prices, rest in options[: 2 + i % 3]:
        out.append(f"      - code: {ocode}\n        name:\n")
        out.append(text(10, *names))
        out.append("        prices:\n" + prices + rest)
    return "".join(out)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    demo = DEMO.read_text(encoding="utf-8")
    head = demo[: demo.index("\nservices:\n") + 1]
    rng = random.Random(20261128)
    sys.stdout.write(f"# Generated by bench/gen-catalogue.py {n}: the demo's profile, calendars, levels and\n")
    sys.stdout.write(f"# categories, and {n} generated services.\n")
    sys.stdout.write(head)
    sys.stdout.write("services:\n")
    for i in range(1, n + 1):
        sys.stdout.write(service(i, rng))


if __name__ == "__main__":
    main()
