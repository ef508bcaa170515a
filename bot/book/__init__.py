"""The flows language: YAML loader with line marks, frozen types, checks, step compilers and expressions. No Flask, no database, no network."""
