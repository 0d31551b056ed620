"""End-to-end tests over HTTP: each module gets its own server, on a free loopback port."""
