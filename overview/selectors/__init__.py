"""Reads across the feature apps: each asks the app's own selectors, never its models' internals
where a selector exists, so a figure here always agrees with the page it links to."""

from overview.selectors.home import home_summary

__all__ = ["home_summary"]
