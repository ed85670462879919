"""Lesson figures the platform draws itself (matplotlib, offline, deterministic).

Each figure named in ``courses/<course>/figures.yaml`` and referenced as ``figure:NAME`` in a
lesson is produced by one function registered with :func:`registry.figure`. ``build.figures_build``
renders them into the media folder at set-up; nothing here needs Django.
"""
