"""Barta: ``python app.py`` runs everything on 127.0.0.1:5000 (``--help`` for the rest)."""

from bot.cli import main

if __name__ == "__main__":
    main()
