"""Channels that hand a signal to a client's own system: one module per kind, each a
`send(handoff) -> Outcome` that talks to the other side and writes nothing itself (the
service `patrols.services.handoff` records what came of it)."""
