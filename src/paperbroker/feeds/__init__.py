"""Feeds: where a paper or live session's bars come from as (wall) time passes.

- :class:`~paperbroker.feeds.base.BarFeed`: the one interface; a feed runs in
  a thread of its own and hands each batch of bars that closed together to
  its sink.
- :class:`~paperbroker.feeds.replay.ReplayFeed`: bundled or imported history,
  replayed in real time or faster and shifted to now.
- :class:`~paperbroker.feeds.synthetic.SyntheticFeed`: a seeded random walk.
- :mod:`paperbroker.feeds.alpaca`: Alpaca's market-data websocket.

:func:`~paperbroker.feeds.config.build_feed` makes one from its JSON settings.
"""
