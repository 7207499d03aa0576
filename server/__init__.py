"""HTTP edge and app assembly: config, REST routes, auth, rate limits."""
