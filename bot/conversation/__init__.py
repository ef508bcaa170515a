"""The conversation: engine (load, decide, write in one transaction), runner, stages, hours, scheduler. Never Flask, never an HTTP client."""
