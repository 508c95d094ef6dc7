"""Django's Redis cache, keeping one client per connection pool.

Django builds a new ``redis.Redis`` for every cache call (``RedisCacheClient.get_client``), and
building one fills its table of some five hundred response callbacks: about 0.2 ms, three times
per request (the session, and the risk reference tables twice on a case page). A client is thread-safe and
stateless beyond its pool, so one per pool serves every call."""

from django.core.cache.backends import redis


class ReusingClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingClient
