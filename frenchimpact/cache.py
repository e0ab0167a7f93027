"""Django's Redis cache backend, keeping its redis-py clients.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for
every cache operation; its constructor fills a table of some 170 response
callbacks, about a quarter of a millisecond each time. That was half the
cost of a public page served from the cache (``frenchimpact.public_cache``
reads Redis once per request), and a share of every session, rate-limit and
throttle read. This client keeps one ``redis.Redis`` per connection pool:
redis-py's clients are safe to share between threads, and their pools
reconnect after a fork.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # id of a connection pool -> its redis.Redis

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
