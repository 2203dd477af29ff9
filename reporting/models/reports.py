"""The periodic report of a programme: a draft, approved by the project leader, then sent."""

__all__ = []
